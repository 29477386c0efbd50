/**
 * Worker for fuzz_main.ts: runs the inputs `start, start + step, …` below `count` and writes
 * the index it is on into shared memory, so the main thread can spot a hang.
 *
 * @module
 */
import { Fuzzer, FuzzEscape, newCounts } from "./_engine.ts";

interface Job {
  seed: number;
  start: number;
  step: number;
  count: number;
  progress: SharedArrayBuffer;
  slot: number;
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { seed, start, step, count, progress, slot } = event.data;
  const current = new Int32Array(progress);
  const fuzzer = new Fuzzer(seed);
  const counts = newCounts();
  let escape: string | undefined;
  let escapeIndex = -1;
  for (let i = start; i < count; i += step) {
    current[slot] = i;
    try {
      fuzzer.run(fuzzer.make(i), counts);
    } catch (error) {
      escape = error instanceof FuzzEscape
        ? `${error.message}\n${error.problem instanceof Error ? error.problem.stack : ""}`
        : String(error);
      escapeIndex = i;
      break;
    }
  }
  scope.postMessage({ counts, escape, escapeIndex });
};
