/**
 * QoS 1 publishing through a real Mosquitto with and without a session store: msg/s and the
 * publisher's CPU time per message, for no store, `MemoryStore`, `FileStore` and
 * `FileStore({ sync: true })`. Each run publishes `--count` messages of `--size` bytes in
 * windows of `--window` unacknowledged messages (awaiting the oldest), best of `--reps`.
 *
 *   deno run -A bench/store_throughput.ts [--count 50000] [--size 16] [--window 1000] [--reps 3]
 *   bun bench/store_throughput.ts …
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { connect, FileStore, MemoryStore, type SessionStore } from "../mod.ts";
import { startMosquitto } from "../tests/_helpers/mosquitto.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const count = flag("count", 50_000);
const size = flag("size", 16);
const window = flag("window", 1000);
const reps = flag("reps", 3);

const broker = await startMosquitto({ verboseLog: false });
const dir = mkdtempSync(join(tmpdir(), "korero-store-bench-"));
const payload = new Uint8Array(size).fill(0x61);

async function run(name: string, store: SessionStore | undefined): Promise<[number, number]> {
  const client = await connect(broker.url(), {
    clientId: `bench-${name.replace(/\W+/g, "-")}`,
    protocolVersion: 5,
    ...(store === undefined ? {} : { store }),
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(client.publish("bench/store", payload, { qos: 1 }));
    if (pending.length >= window) await pending.shift();
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await client.disconnect();
  return [count / seconds, (cpu.user + cpu.system) / count];
}

const cases: [string, () => SessionStore | undefined][] = [
  ["no store", () => undefined],
  ["MemoryStore", () => new MemoryStore()],
  ["FileStore", () => new FileStore(dir)],
  ["FileStore sync", () => new FileStore(dir, { sync: true })],
];
const runtime = "Bun" in globalThis ? "bun" : "deno";
console.log(`QoS 1, ${count} × ${size} B, window ${window}, best of ${reps} (${runtime})`);
console.log("| store | msg/s | publisher CPU µs/msg |\n|---|---|---|");
for (const [name, make] of cases) {
  let best: [number, number] = [0, Infinity];
  for (let r = 0; r < reps; r++) {
    const result = await run(name, make());
    if (result[0] > best[0]) best = result;
  }
  console.log(`| ${name} | ${Math.round(best[0])} | ${best[1].toFixed(1)} |`);
}
await broker.stop();
rmSync(dir, { recursive: true, force: true });
