/**
 * {@link microtask}: `queueMicrotask` for the hot path (the clock's shared reading, the write
 * pipelines' flush). A `then` on a resolved promise queues the same kind of job for less: in
 * Chromium 156 0.04 µs against 1.1 µs for `queueMicrotask`, which goes through the browser's
 * bindings; Node 22 0.04 against 0.08; Deno and Bun about the same (bench/README.md "Client").
 * A callback that throws ends as an unhandled rejection rather than an uncaught exception, so
 * the paths that rethrow a user's error keep `queueMicrotask`.
 *
 * @module
 */

const RESOLVED: Promise<void> = /* @__PURE__ */ Promise.resolve();

/** Calls `callback` in a microtask of its own. */
export function microtask(callback: () => void): void {
  RESOLVED.then(callback);
}
