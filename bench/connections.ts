/**
 * Many idle connections in one process (fleet simulators, load generators): connects `--count`
 * korero clients (default 2,000) to a real Mosquitto, each with one subscription, and reports
 * how long connecting took and the RSS and heap each connection costs once they are all idle.
 *
 *   deno run -A bench/connections.ts [--count 2000] [--batch 200] [--protocol 5]
 *   bun bench/connections.ts …
 */

import process from "node:process";
import { MqttClient } from "../mod.ts";
import { startMosquitto } from "../tests/_helpers/mosquitto.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const count = flag("count", 2000);
const batch = flag("batch", 200);
const protocolVersion = flag("protocol", 4) as 3 | 4 | 5;
const runtime = "Bun" in globalThis
  ? `bun ${process.versions.bun}`
  : `deno ${process.versions.deno}`;

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const broker = await startMosquitto({
  verboseLog: false,
  extraConfig: ["max_connections -1"],
});
await settle();
const before = process.memoryUsage();
const clients: MqttClient[] = [];
const started = performance.now();
for (let i = 0; i < count; i += batch) {
  const group = Array.from({ length: Math.min(batch, count - i) }, (_, j) => {
    const client = new MqttClient({
      url: broker.url(),
      clientId: `idle-${i + j}`,
      protocolVersion,
      keepalive: 60,
      reconnect: false,
    });
    clients.push(client);
    return client.connect().then(() => client.subscribe(`fleet/${i + j}/cmd`, { qos: 1 }));
  });
  await Promise.all(group);
}
const connectSeconds = (performance.now() - started) / 1000;
await settle();
const after = process.memoryUsage();
console.log(
  `${count} idle clients (MQTT ${protocolVersion === 5 ? "5" : "3.1.1"}, one subscription each) ` +
    `on ${runtime}: connected and subscribed in ${connectSeconds.toFixed(1)} s; RSS ${
      mb(before.rss)
    } → ` +
    `${mb(after.rss)} MB = ${((after.rss - before.rss) / count / 1024).toFixed(1)} KB per ` +
    `connection; heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB = ` +
    `${((after.heapUsed - before.heapUsed) / count / 1024).toFixed(1)} KB per connection` +
    (gc === undefined ? " (no gc(): run with --v8-flags=--expose-gc / bun --expose-gc)" : ""),
);
await Promise.all(clients.map((client) => client.disconnect({ force: true })));
await broker.stop();
