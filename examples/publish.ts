/**
 * Publishes messages to an MQTT broker, then disconnects.
 *
 * ```sh
 * deno run -A examples/publish.ts --topic greetings --qos 1 "hello" "world"
 * MQTT_URL=mqtt://user:pass@broker.example:1883 bun examples/publish.ts --retain "last words"
 * ```
 *
 * Options: `--topic T` (default "korero/example"), `--qos 0|1|2` (default 1), `--retain`.
 * The broker comes from the `MQTT_URL` environment variable (default mqtt://localhost:1883).
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { connect, type QoS } from "../mod.ts";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    topic: { type: "string", default: "korero/example" },
    qos: { type: "string", default: "1" },
    retain: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const qos = Number(values.qos) as QoS;
const messages = positionals.length > 0 ? positionals : ["hello from korero"];
const url = process.env.MQTT_URL ?? "mqtt://localhost:1883";

// `await using` disconnects cleanly when the block ends, even if a publish throws.
await using client = await connect(url).catch((error) => unreachable(url, error));
for (const text of messages) {
  // Resolves once the broker has the message: on write (QoS 0), PUBACK (1) or PUBCOMP (2).
  await client.publish(values.topic, text, { qos, retain: values.retain });
  console.log(`published to ${values.topic}: ${text}`);
}

/** Connects, or says where it could not connect (without the password) and exits 1. */
function unreachable(url: string, error: unknown): never {
  const shown = url.replace(/\/\/[^@/]*@/, "//");
  console.error(`cannot connect to ${shown}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
