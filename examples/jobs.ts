/**
 * A worker that takes jobs from a topic filter and acknowledges each one only after it was
 * processed (manual acknowledgement, paho's `manual_ack_set(True)`): a job that was not finished
 * when the worker stopped is sent again by the broker to the next worker run with the same
 * client id (`clean: false` keeps the session).
 *
 * ```sh
 * deno run -A examples/jobs.ts --topic "jobs/#" --id worker-1
 * MQTT_URL=mqtt://broker.example bun examples/jobs.ts --topic "jobs/#" --count 10
 * ```
 *
 * Options: `--topic F` (default "jobs/#"), `--id ID` (default "korero-worker"), `--count N` (exit
 * after N jobs; default: run until interrupted). The broker comes from the `MQTT_URL` environment
 * variable (default mqtt://localhost:1883). It prints `done <topic> <payload>` per job.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { MqttClient, payloadText } from "../mod.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    topic: { type: "string", default: "jobs/#" },
    id: { type: "string", default: "korero-worker" },
    count: { type: "string" },
  },
});
const count = values.count === undefined ? Infinity : Number(values.count);
const url = process.env.MQTT_URL ?? "mqtt://localhost:1883";

const client = new MqttClient({
  url,
  clientId: values.id,
  clean: false,
  manualAck: true,
});
const jobs = client.messages(values.topic);
await client.connect().catch((error) => unreachable(url, error));
await client.subscribe(values.topic, { qos: 1 });
console.log(`waiting for jobs on ${values.topic}`);

let done = 0;
for await (const job of jobs) {
  // … process the job here; only then tell the broker it is done:
  console.log(`done ${job.topic} ${payloadText(job)}`);
  job.ack();
  if (++done >= count) break;
}
await client.disconnect();

/** Connects, or says where it could not connect (without the password) and exits 1. */
function unreachable(url: string, error: unknown): never {
  const shown = url.replace(/\/\/[^@/]*@/, "//");
  console.error(`cannot connect to ${shown}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
