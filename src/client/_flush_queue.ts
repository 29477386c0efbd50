/**
 * One microtask for the flushes of every write pipeline: a pipeline with bytes to write queues
 * itself, and the microtask flushes the queued ones in the order they queued, so no pipeline needs
 * a closure of its own for the microtask (which counts with thousands of idle connections).
 *
 * @module
 */

import { microtask } from "./_microtask.ts";

/** What the queue flushes: a write pipeline. */
export interface Flushable {
  /** Hands what waits to the transport. */
  flush(): void;
}

/** The pipelines whose flush is queued, in the order they queued it. */
const flushQueue: Flushable[] = [];

/** Flushes `pipeline` in the shared microtask (queued by the first pipeline of a tick). */
export function queueFlush(pipeline: Flushable): void {
  if (flushQueue.push(pipeline) === 1) microtask(flushQueued);
}

/** Flushes the queued pipelines in order (those queued meanwhile too). */
function flushQueued(): void {
  let next = 0;
  try {
    while (next < flushQueue.length) flushQueue[next++]!.flush();
  } finally {
    // One flush threw: the rest still run, in a microtask of their own.
    flushQueue.splice(0, next);
    if (flushQueue.length > 0) microtask(flushQueued);
  }
}
