/**
 * `bench()` for benchmark files that run on Deno and on Bun (or Node): on Deno it is
 * `Deno.bench` (run with `deno bench`); elsewhere it collects the case, and {@link runBenches}
 * runs every case collected, in order: per case, batches of ~10 ms for ~1 s after a warm-up,
 * printing the median time per call and each case's speed against its group's baseline.
 *
 * ```ts ignore
 * import { bench, runBenches } from "./_bench_runner.ts";
 * bench("sum", { group: "arith", baseline: true }, () => void [1, 2].reduce((a, b) => a + b));
 * await runBenches(); // does nothing on Deno
 * ```
 *
 * @module
 */

/** True on Deno, where `Deno.bench` runs the cases. */
export const onDeno: boolean = "Deno" in globalThis;

interface BenchCase {
  name: string;
  group: string;
  baseline: boolean;
  fn: () => unknown;
}
const cases: BenchCase[] = [];

/** Registers a case: `Deno.bench` on Deno; collected for {@link runBenches} elsewhere. */
export function bench(
  name: string,
  options: { group: string; baseline?: boolean },
  fn: () => void | Promise<void>,
): void {
  const baseline = options.baseline ?? false;
  if (onDeno) Deno.bench(name, { group: options.group, baseline }, fn);
  else cases.push({ name, group: options.group, baseline, fn });
}

/** Runs `fn` `n` times; a case that returns a promise is awaited each time. */
async function repeat(fn: () => unknown, n: number, awaits: boolean): Promise<void> {
  if (awaits) { for (let i = 0; i < n; i++) await fn(); }
  else for (let i = 0; i < n; i++) fn();
}

/** Median ns per call over batches of ~10 ms for about a second, after a warm-up. */
async function measure(fn: () => unknown): Promise<number> {
  const first = fn();
  const awaits = typeof (first as Promise<unknown> | undefined)?.then === "function";
  if (awaits) await first;
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    await repeat(fn, n, awaits);
    const dt = performance.now() - t0;
    if (dt >= 10) break;
    n *= dt < 1 ? 10 : 2;
  }
  const end = performance.now() + 300;
  while (performance.now() < end) await repeat(fn, n, awaits);
  const samples: number[] = [];
  const stop = performance.now() + 1000;
  while (performance.now() < stop) {
    const t0 = performance.now();
    await repeat(fn, n, awaits);
    samples.push(((performance.now() - t0) * 1e6) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/** Runs the collected cases whose name or group contains `filter` (all by default); nothing on Deno. */
export async function runBenches(filter = ""): Promise<void> {
  let group = "";
  let base = 0;
  for (const c of cases) {
    if (!c.name.includes(filter) && !c.group.includes(filter)) continue;
    if (c.group !== group) {
      group = c.group;
      base = 0;
      console.log(`\ngroup ${group}`);
    }
    const ns = await measure(c.fn);
    if (c.baseline) base = ns;
    const ratio = c.baseline
      ? "(baseline)"
      : base > 0
      ? `${(base / ns).toFixed(2)}x the baseline's speed`
      : "";
    const time = ns >= 100_000 ? `${(ns / 1000).toFixed(1)} µs/iter` : `${ns.toFixed(1)} ns/iter`;
    console.log(`  ${c.name.padEnd(30)} ${time.padStart(16)}  ${ratio}`);
  }
}
