/**
 * Many idle connections in one process (fleet simulators, load generators): connects `--count`
 * korero clients (default 2,000) to a real Mosquitto, each with one subscription, and reports
 * how long connecting took and the RSS and heap each connection costs once they are all idle.
 * `--bare` opens the runtime's own sockets instead (same CONNECT and SUBSCRIBE, no korero): the
 * floor the runtime imposes per connection (bench/_bare_sockets.ts).
 *
 *   deno run -A --v8-flags=--expose-gc bench/connections.ts [--count 2000] [--batch 50]
 *     [--protocol 5] [--settle 3] [--bare]
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
/**
 * Before each measurement: gc() and a wait, three times over `--settle` seconds (default 3), so
 * what the connect burst left behind is collected. Node's heap also gives committed pages back
 * after a few idle seconds (Deno's and Bun's less so): `--settle 12` shows that.
 */
const settleSeconds = flag("settle", 3);
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000 / 3));
  }
};
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const broker = await startMosquitto({
  verboseLog: false,
  extraConfig: ["max_connections -1"],
});
const clients: MqttClient[] = [];
const sockets: BareSocket[] = [];
/** Connects clients (or bare sockets) `from` to `to`, `batch` at a time; returns the seconds. */
async function connectRange(from: number, to: number): Promise<number> {
  const started = performance.now();
  for (let i = from; i < to; i += batch) {
    const group = Array.from({ length: Math.min(batch, to - i) }, async (_, j) => {
      if (bare) return void sockets.push(await openBare(broker.host, broker.port, i + j));
      const client = new MqttClient({
        url: broker.url(),
        clientId: `idle-${i + j}`,
        protocolVersion,
        keepalive: 60,
        reconnect: false,
      });
      clients.push(client);
      await client.connect();
      await client.subscribe(`fleet/${i + j}/cmd`, { qos: 1 });
    });
    await Promise.all(group);
  }
  return (performance.now() - started) / 1000;
}

// Measured twice: over all connections, and over the last four fifths only, which leaves out
// what the process pays once however many connect (compiled code, the heap's young generation
// growing under the connect burst, shared buffers).
await settle();
const before = process.memoryUsage();
const first = Math.floor(count / 5);
let connectSeconds = await connectRange(0, first);
await settle();
const middle = process.memoryUsage();
connectSeconds += await connectRange(first, count);
await settle();
const after = process.memoryUsage();

const kb = (from: number, to: number, n: number) => `${((to - from) / n / 1024).toFixed(1)} KB`;
const per = (from: NodeJS.MemoryUsage, n: number) =>
  `RSS ${kb(from.rss, after.rss, n)}, heap used ${kb(from.heapUsed, after.heapUsed, n)}, ` +
  `heap committed ${kb(from.heapTotal, after.heapTotal, n)}, ` +
  `external ${kb(from.external, after.external, n)}`;
console.log(
  `${count} idle ${bare ? "bare sockets" : "clients"} (MQTT ${
    protocolVersion === 5 && !bare ? "5" : "3.1.1"
  }, one subscription each) on ${runtime}: connected and subscribed in ${
    connectSeconds.toFixed(1)
  } s; RSS ${mb(before.rss)} → ${mb(after.rss)} MB` +
    (gc === undefined
      ? " (no gc(): run with deno --v8-flags=--expose-gc, bun --expose-gc or node --expose-gc)"
      : "") +
    `\n  per connection, all ${count}: ${per(before, count)}` +
    `\n  per connection, the last ${count - first}: ${per(middle, count - first)}`,
);
await Promise.all(clients.map((client) => client.disconnect({ force: true })));
for (const socket of sockets) socket.close();
await broker.stop();
