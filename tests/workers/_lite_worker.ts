/**
 * A worker (run in workerd) that uses the lite client, `@korero/mqtt/lite`: on a request
 * `/?url=<ws:// URL>&topic=<prefix>` it connects, subscribes to `<prefix>/#` with QoS 2,
 * publishes one message at each QoS to `<prefix>/<qos>`, waits for the three to come back,
 * disconnects, and answers with what it received as JSON (an error: status 500, its message).
 *
 * @module
 */

import { connect } from "../../src/lite/mod.ts";
import type { Received } from "./_client_worker.ts";

async function roundTrip(url: string, topic: string): Promise<Received[]> {
  const client = await connect(url, { clientId: `korero-lite-${topic.replace(/\W/g, "")}` });
  try {
    const messages = client.messages(`${topic}/#`);
    await client.subscribe(`${topic}/#`, { qos: 2 });
    for (const qos of [0, 1, 2] as const) {
      await client.publish(`${topic}/${qos}`, `hello at QoS ${qos}`, { qos });
    }
    const received: Received[] = [];
    const decoder = new TextDecoder();
    for await (const message of messages) {
      received.push({
        topic: message.topic,
        payload: decoder.decode(message.payload),
        qos: message.qos,
      });
      if (received.length === 3) break;
    }
    return received;
  } finally {
    await client.disconnect();
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const url = params.get("url"), topic = params.get("topic");
    if (url === null || topic === null) {
      return new Response("need ?url= and ?topic=", { status: 400 });
    }
    try {
      return Response.json(await roundTrip(url, topic));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return new Response(message, { status: 500 });
    }
  },
};
