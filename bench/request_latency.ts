/**
 * Request/response round trip through a broker: one client answers with `handle()`, another
 * calls `request()` one at a time; prints the median and 90th percentile in milliseconds.
 *
 * ```sh
 * deno run -A bench/request_latency.ts --url mqtt://127.0.0.1:1883 --count 500 --qos 1
 * bun bench/request_latency.ts --url mqtt://127.0.0.1:1883 --qos 2
 * ```
 *
 * Through Mosquitto, QoS 1 and 2 show its `set_tcp_nodelay` setting (README, "Mosquitto 2.0.11
 * (Debian) notes"): ~44 ms by default, well under 1 ms with `set_tcp_nodelay true`.
 *
 * @module
 */

import process from "node:process";
import { connect, type QoS } from "../mod.ts";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const url = option("url", "mqtt://127.0.0.1:1883");
const count = Number(option("count", "200"));
const qos = Number(option("qos", "1")) as QoS;

const responder = await connect(url, { protocolVersion: 5 });
const requester = await connect(url, { protocolVersion: 5 });
const topic = `bench/request_latency/${crypto.randomUUID()}`;
await responder.handle(topic, (request) => request.payload, { qos });
const times: number[] = [];
for (let i = 0; i < count; i++) {
  const start = performance.now();
  await requester.request(topic, "ping", { qos });
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const at = (fraction: number) => times[Math.min(count - 1, Math.floor(count * fraction))]!;
console.log(
  `request() round trip, QoS ${qos}, ${count} requests: median ${at(0.5).toFixed(2)} ms, ` +
    `p90 ${at(0.9).toFixed(2)} ms`,
);
await requester.disconnect();
await responder.disconnect();
