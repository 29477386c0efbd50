/**
 * Many idle connections in one process (fleet simulators, load generators): connects `--count`
 * korero clients (default 2,000) to a real Mosquitto, each with one subscription, and reports
 * how long connecting took and the RSS and heap each connection costs once they are all idle.
 * `--bare` opens the runtime's own sockets instead (same CONNECT and SUBSCRIBE, no korero): the
 * floor the runtime imposes per connection (bench/_bare_sockets.ts).
 *
 *   deno run -A --v8-flags=--expose-gc bench/connections.ts [--count 2000] [--batch 50]
 *     [--protocol 5] [--bare]
 *   bun --expose-gc bench/connections.ts …
 *   node --expose-gc bench/connections.ts …   (Node 22.18+ / 24: runs the .ts files unbuilt)
 */

import process from "node:process";
import { MqttClient } from "../mod.ts";
import { startMosquitto } from "../tests/_helpers/mosquitto.ts";
import { type BareSocket, openBare } from "./_bare_sockets.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const count = flag("count", 2000);
// Mosquitto listens with a backlog of 100: a larger batch overflows it, and the dropped SYNs are
// retried after a second, which is then most of the connect time.
const batch = flag("batch", 50);
const protocolVersion = flag("protocol", 4) as 3 | 4 | 5;
const bare = process.argv.includes("--bare");
const runtime = "Bun" in globalThis
  ? `bun ${process.versions.bun}`
  : "Deno" in globalThis
  ? `deno ${process.versions.deno}`
  : `node ${process.versions.node}`;

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
const sockets: BareSocket[] = [];
const started = performance.now();
for (let i = 0; i < count; i += batch) {
  const group = Array.from({ length: Math.min(batch, count - i) }, async (_, j) => {
    if (bare) return void sockets.push(await openBare(broker.host, broker.port, i + j));
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
  `${count} idle ${bare ? "bare sockets" : "clients"} (MQTT ${
    protocolVersion === 5 && !bare ? "5" : "3.1.1"
  }, one subscription each) ` +
    `on ${runtime}: connected and subscribed in ${connectSeconds.toFixed(1)} s; RSS ${
      mb(before.rss)
    } → ` +
    `${mb(after.rss)} MB = ${((after.rss - before.rss) / count / 1024).toFixed(1)} KB per ` +
    `connection; heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB = ` +
    `${((after.heapUsed - before.heapUsed) / count / 1024).toFixed(1)} KB per connection; ` +
    `external ${mb(before.external)} → ${mb(after.external)} MB` +
    (gc === undefined
      ? " (no gc(): run with deno --v8-flags=--expose-gc, bun --expose-gc or node --expose-gc)"
      : ""),
);
await Promise.all(clients.map((client) => client.disconnect({ force: true })));
for (const socket of sockets) socket.close();
await broker.stop();
