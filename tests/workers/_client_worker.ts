/**
 * A worker (run in workerd) that uses korero with its default transport: on a request
 * `/?url=<broker URL>&topic=<prefix>` it connects, subscribes to `<prefix>/#` with QoS 2,
 * publishes one message at each QoS to `<prefix>/<qos>`, waits for the three to come back,
 * disconnects, and answers with what it received as JSON (an error: status 500, its message).
 * With `&count=N` it publishes N QoS 0 messages to `<prefix>` the documented way (`await ready()`
 * before each `publish()`), subscribed to them itself, and answers with the WebSocket frames it
 * sent meanwhile and the messages it received (`tests/_helpers/ready_loop.ts`).
 *
 * @module
 */

import { connect, payloadText } from "../../mod.ts";
import { readyLoop, type ReadyLoopResult } from "../_helpers/ready_loop.ts";

/** One received message, as the worker reports it. */
export type Received = { topic: string; payload: string; qos: number };

/** A `ready()` loop of `count` QoS 0 messages to `topic`, which the same client receives. */
async function loop(url: string, topic: string, count: number): Promise<ReadyLoopResult> {
  const client = await connect(url, { clientId: `korero-loop-${topic.replace(/\W/g, "")}` });
  try {
    return await readyLoop(client, client, topic, count);
  } finally {
    await client.disconnect();
  }
}

async function roundTrip(url: string, topic: string): Promise<Received[]> {
  const client = await connect(url, { clientId: `korero-workers-${topic.replace(/\W/g, "")}` });
  try {
    const messages = client.messages(`${topic}/#`);
    await client.subscribe(`${topic}/#`, { qos: 2 });
    for (const qos of [0, 1, 2] as const) {
      await client.publish(`${topic}/${qos}`, `hello at QoS ${qos}`, { qos });
    }
    const received: Received[] = [];
    for await (const message of messages) {
      received.push({ topic: message.topic, payload: payloadText(message), qos: message.qos });
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
    const count = params.get("count");
    try {
      if (count !== null) return Response.json(await loop(url, topic, Number(count)));
      return Response.json(await roundTrip(url, topic));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return new Response(message, { status: 500 });
    }
  },
};
