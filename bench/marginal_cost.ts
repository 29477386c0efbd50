/**
 * Splits each client's CPU into what a process pays once and what each message costs, from two
 * or more runs of the shared end-to-end harness (`../shared/bench/e2e.mjs`) at different message
 * counts. The harness reports whole-process CPU ÷ messages, start-up included; a runtime's
 * start-up, the import of the library and the JIT's warm-up are paid once per process, so at the
 * harness's counts they can outweigh the per-message cost. Fitting `cpu = fixed + marginal × N`
 * over the counts separates the two.
 *
 * ```sh
 * IMPLS="--impls mosq --impl korero='deno run -A bench/e2e_cli.ts' --impl korero-bun='bun bench/e2e_cli.ts'"
 * eval node ../shared/bench/e2e.mjs $IMPLS --scale 0.5 --out .tmp/e2e-small
 * eval node ../shared/bench/e2e.mjs $IMPLS --scale 2 --out .tmp/e2e-large
 * deno run -A bench/marginal_cost.ts .tmp/e2e-small .tmp/e2e-large
 * ```
 *
 * Prints one row per implementation, QoS and payload size: for publisher and subscriber, the
 * fixed CPU in milliseconds and the marginal CPU in µs per message (the slope of the median CPU
 * seconds over the counts, by least squares), and the harness's figure at each count.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The fields of one line of the harness's `runs.jsonl` that this script reads. */
interface Run {
  impl: string;
  qos: number;
  size: number;
  count: number;
  ok: boolean;
  pub_cpu_us_per_msg?: number;
  sub_cpu_us_per_msg?: number;
}

type Role = "pub" | "sub";

/** A straight line through points by least squares: `y = intercept + slope × x`. */
export function fitLine(points: Array<[number, number]>): { intercept: number; slope: number } {
  const n = points.length;
  if (n < 2) throw new RangeError(`a line needs points at two counts at least, got ${n}`);
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) {
    throw new RangeError("every run has the same message count: run the harness at two scales");
  }
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function readRuns(dir: string): Run[] {
  return readFileSync(join(dir, "runs.jsonl"), "utf8").split("\n").filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Run);
}

/** CPU seconds of one role in one run (the harness divides by the count; this multiplies back). */
function cpuSeconds(run: Run, role: Role): number | undefined {
  const perMessage = role === "pub" ? run.pub_cpu_us_per_msg : run.sub_cpu_us_per_msg;
  return perMessage === undefined ? undefined : perMessage * run.count / 1e6;
}

/** The harness figure (µs/msg) at each count and the fixed/marginal split, for one role. */
function split(runs: Run[], role: Role): string {
  const byCount = new Map<number, number[]>();
  for (const run of runs) {
    const cpu = cpuSeconds(run, role);
    if (cpu === undefined) continue;
    const list = byCount.get(run.count) ?? [];
    list.push(cpu);
    byCount.set(run.count, list);
  }
  if (byCount.size < 2) return "n/a | n/a | n/a";
  const points = [...byCount].sort(([a], [b]) => a - b)
    .map(([count, cpus]) => [count, median(cpus)] as [number, number]);
  const { intercept, slope } = fitLine(points);
  const harness = points.map(([count, cpu]) => (cpu * 1e6 / count).toFixed(2)).join(" → ");
  return `${(intercept * 1e3).toFixed(0)} | ${(slope * 1e6).toFixed(2)} | ${harness}`;
}

function main(dirs: string[]): void {
  if (dirs.length < 2) {
    console.error("usage: deno run -A bench/marginal_cost.ts HARNESS_OUT_DIR HARNESS_OUT_DIR...");
    process.exit(2);
  }
  const groups = new Map<string, Run[]>();
  for (const run of dirs.flatMap(readRuns)) {
    if (!run.ok) continue;
    const key = `${run.impl} | ${run.qos} | ${run.size} B`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const counts = [...new Set([...groups.values()].flat().map((run) => run.count))].sort((a, b) =>
    a - b
  );
  console.log(
    `Runs at counts ${counts.join(", ")} (medians per count; only runs the harness marked ok)\n`,
  );
  console.log(
    "| impl | QoS | size | pub fixed ms | pub µs/msg marginal | pub harness µs/msg by count | sub fixed ms | sub µs/msg marginal | sub harness µs/msg by count |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [key, runs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    // An implementation run at one count only (in one of the runs given) has no slope.
    if (new Set(runs.map((run) => run.count)).size < 2) continue;
    console.log(`| ${key} | ${split(runs, "pub")} | ${split(runs, "sub")} |`);
  }
}

if (import.meta.main) main(process.argv.slice(2));
