/**
 * Standalone codec fuzzer: `deno run -A tests/fuzz/fuzz_main.ts [count] [seed] [workers]`
 * (also `bun tests/fuzz/fuzz_main.ts …`).
 *
 * Runs `count` inputs (default 1,000,000) of the same kinds as fuzz_test.ts on worker threads,
 * prints the outcome counts and the throughput, and exits 1 on the first escape (printed with
 * the seed and index that reproduce it) or 2 when an input runs for more than 10 seconds.
 *
 * @module
 */
import type { FuzzCounts } from "./_engine.ts";
import { Fuzzer, newCounts } from "./_engine.ts";

interface Result {
  counts: FuzzCounts;
  escape?: string;
  escapeIndex: number;
}

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const count = Number(args[0] ?? 1_000_000);
const seed = args[1] === undefined
  ? (crypto.getRandomValues(new Uint32Array(1))[0] as number)
  : Number(args[1]) >>> 0;
const workerCount = Number(args[2] ?? 2);
const STALL_MS = 10_000;

function exit(code: number): never {
  const deno = (globalThis as { Deno?: { exit(code: number): never } }).Deno;
  if (deno) deno.exit(code);
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(code);
  throw new Error("unreachable");
}

const fmt = (n: number) => n.toLocaleString("en-US");
const progress = new SharedArrayBuffer(4 * workerCount);
const current = new Int32Array(progress);
const started = performance.now();
console.log(`korero codec fuzz: ${fmt(count)} inputs, seed ${seed}, ${workerCount} worker(s)`);

const workers: Worker[] = [];
const results: Promise<Result>[] = [];
for (let w = 0; w < workerCount; w++) {
  const worker = new Worker(new URL("./_fuzz_worker.ts", import.meta.url), { type: "module" });
  workers.push(worker);
  results.push(
    new Promise<Result>((resolve) => {
      worker.onmessage = (event: MessageEvent<Result>) => resolve(event.data);
    }),
  );
  current[w] = -1;
  worker.postMessage({ seed, start: w, step: workerCount, count, progress, slot: w });
}

// Watchdog: an index that does not move for STALL_MS is a hang (or a very slow input).
const seen = Array.from({ length: workerCount }, () => ({ index: -2, since: performance.now() }));
let finished = 0;
for (const result of results) result.then(() => finished++);
const watchdog = setInterval(() => {
  const now = performance.now();
  for (let w = 0; w < workerCount; w++) {
    const index = current[w] as number;
    const slot = seen[w] as { index: number; since: number };
    if (index !== slot.index) {
      slot.index = index;
      slot.since = now;
    } else if (index >= 0 && now - slot.since > STALL_MS && finished < workerCount) {
      const input = new Fuzzer(seed).make(index);
      console.log(
        `STALL: seed ${seed} index ${index} (${input.strategy}, v${input.version}) ran for ` +
          `over ${STALL_MS / 1000} s`,
      );
      for (const worker of workers) worker.terminate();
      exit(2);
    }
  }
}, 250);

const all = await Promise.all(results);
clearInterval(watchdog);
for (const worker of workers) worker.terminate();
const seconds = (performance.now() - started) / 1000;
const total = newCounts();
for (const { counts } of all) {
  for (const key of Object.keys(total) as (keyof FuzzCounts)[]) total[key] += counts[key];
}
console.log(
  `ok ${fmt(total.ok)}  malformed ${fmt(total.malformed)}  protocol errors ${fmt(total.protocol)}` +
    `  oversize ${fmt(total.oversize)}  other MqttError ${fmt(total.other)}`,
);
console.log(
  `packets decoded ${fmt(total.packets)} (re-encoded and checked; ` +
    `${fmt(total.notReencodable)} refused by the encoder)`,
);
console.log(
  `${fmt(total.inputs)} inputs in ${seconds.toFixed(1)} s: ` +
    `${fmt(Math.round(total.inputs / seconds))} inputs/s`,
);
const escapes = all.filter((r) => r.escape !== undefined).sort((a, b) =>
  a.escapeIndex - b.escapeIndex
);
if (escapes.length > 0) {
  console.log(
    `ESCAPE (first of ${escapes.length} worker(s) that found one):\n${escapes[0]!.escape}`,
  );
  console.log(
    `reproduce: deno run -A tests/fuzz/fuzz_main.ts ${escapes[0]!.escapeIndex + 1} ${seed} 1`,
  );
  exit(1);
}
console.log("no escape");
exit(0);
