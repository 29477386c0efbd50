/**
 * {@link takenWrite}: when a transport's `write()` settles if the runtime took the bytes at once
 * (Bun's `socket.write`, Node's below its high-water mark, a WebSocket's `send` below ours on
 * Deno, Bun and Node).
 *
 * Settling such a write at once lets the client's write pipeline write again in the next
 * microtask: a loop that publishes one message per microtask (`await client.ready()` before each
 * `publish()`) then made one system call, or one WebSocket frame, per message (Bun 1.4.5: 100,000
 * `sendto` for 100,000 messages, where Deno, whose socket writes are async ops, made ~1,200).
 * Settled after the event loop's turn instead, the messages published meanwhile go out in one
 * write. (Browsers have no `setImmediate`, and nested 0 ms timers wait 4 ms there: their
 * WebSocket writes still settle at once.)
 *
 * A write of {@link TURN_BATCH} bytes or more is a batch already and settles at once: settled a
 * turn later, a burst (a publisher's tight loop: megabytes queued at once) went out one write per
 * turn, between reads of the acknowledgements, and a Bun publisher of 40,000 QoS 2 messages
 * through Mosquitto took ~25 % longer and more CPU (bench/README.md "Client").
 *
 * @module
 */

/** Writes of at least this many bytes settle at once (the write pipeline's `NEXT_WRITE` too). */
export const TURN_BATCH = 16 * 1024;

/** The promise of the current turn, shared by every write made in it. */
let turn: Promise<void> | undefined;

/** Resolves once the event loop's current turn is over (`setImmediate`); one promise per turn. */
export function nextTurn(): Promise<void> {
  return turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = undefined;
      resolve();
    })
  );
}

const SETTLED: Promise<void> = /* @__PURE__ */ Promise.resolve();

/**
 * What `write()` returns for `length` bytes the runtime took at once: under
 * {@link TURN_BATCH}, a promise that resolves after the event loop's turn; else a resolved one.
 */
export function takenWrite(length: number): Promise<void> {
  return length < TURN_BATCH ? nextTurn() : SETTLED;
}
