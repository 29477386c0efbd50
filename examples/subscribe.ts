/**
 * Subscribes to a topic filter and prints every message as `topic payload`.
 *
 * ```sh
 * deno run -A examples/subscribe.ts --topic "korero/#"
 * MQTT_URL=mqtts://broker.example bun examples/subscribe.ts --topic "sensors/+/temp" --count 10
 * ```
 *
 * Options: `--topic F` (default "korero/#"), `--qos 0|1|2` (default 1), `--count N` (exit after N
 * messages; default: run until interrupted). The broker comes from the `MQTT_URL` environment
 * variable (default mqtt://localhost:1883).
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { connect, type QoS } from "../mod.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    topic: { type: "string", default: "korero/#" },
    qos: { type: "string", default: "1" },
    count: { type: "string" },
  },
});
const qos = Number(values.qos) as QoS;
const count = values.count === undefined ? Infinity : Number(values.count);
const url = process.env.MQTT_URL ?? "mqtt://localhost:1883";

const client = await connect(url).catch((error) => unreachable(url, error));
// Ask for the iterator before subscribing so no early message (e.g. a retained one) is missed.
const messages = client.messages(values.topic);
await client.subscribe(values.topic, { qos });
console.log(`subscribed to ${values.topic}`);

const decoder = new TextDecoder();
let received = 0;
for await (const message of messages) {
  console.log(`${message.topic} ${decoder.decode(message.payload)}`);
  if (++received >= count) break; // leaving the loop ends the iterator
}
await client.disconnect();

/** Connects, or says where it could not connect (without the password) and exits 1. */
function unreachable(url: string, error: unknown): never {
  const shown = url.replace(/\/\/[^@/]*@/, "//");
  console.error(`cannot connect to ${shown}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
