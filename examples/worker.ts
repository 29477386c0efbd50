/**
 * A Cloudflare Worker that publishes each POSTed body to an MQTT topic (the request path) over
 * TCP (`cloudflare:sockets`), and answers once the broker has it (QoS 1).
 *
 * ```sh
 * # in a Workers project with korero from npm (import "@korero/mqtt" instead of "../mod.ts"):
 * npx wrangler dev worker.ts --compatibility-date 2026-04-01 --var MQTT_URL:mqtt://broker.example
 * curl -d 21.5 http://localhost:8787/sensors/kitchen/temperature
 * ```
 *
 * The broker comes from the `MQTT_URL` variable (default mqtt://localhost:1883; `mqtts://` and
 * `wss://` work too). No `nodejs_compat` flag is needed. A connection belongs to the request
 * that opened it, so each request connects; a long-lived one needs a Durable Object.
 *
 * @module
 */

import { connect } from "../mod.ts";

/** The Worker's variables. */
interface Env {
  MQTT_URL?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== "POST") {
      return new Response("POST a body to /<topic>\n", { status: 405 });
    }
    const topic = decodeURIComponent(new URL(request.url).pathname.slice(1)) || "korero/example";
    // `await using` disconnects cleanly when the handler returns, even if the publish throws.
    await using client = await connect(env.MQTT_URL ?? "mqtt://localhost:1883");
    await client.publish(topic, new Uint8Array(await request.arrayBuffer()), { qos: 1 });
    return new Response(`published to ${topic}\n`);
  },
};
