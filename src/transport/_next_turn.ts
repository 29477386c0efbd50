/**
 * {@link nextTurn}: when a transport's `write()` settles if the runtime took the bytes at once
 * (Bun's `socket.write`, Node's below its high-water mark, a WebSocket's `send` below ours).
 *
 * Settling such a write at once lets the client's write pipeline write again in the next
 * microtask: a loop that publishes one message per microtask (`await client.ready()` before each
 * `publish()`) then made one system call, or one WebSocket frame, per message (Bun 1.4.5: 100,000
 * `sendto` for 100,000 messages, where Deno, whose socket writes are async ops, made ~1,200).
 * Settled after the event loop's turn instead, the messages published meanwhile go out in one
 * write.
 *
 * @module
 */

/** Runs `callback` after the current turn: `setImmediate` (Deno, Bun, Node), else a 0 ms timer. */
const afterTurn: (callback: () => void) => unknown = typeof setImmediate === "function"
  ? setImmediate
  : (callback) => setTimeout(callback, 0);

/** The promise of the current turn, shared by every write made in it. */
let turn: Promise<void> | undefined;

/** Resolves once the event loop's current turn is over; one promise per turn. */
export function nextTurn(): Promise<void> {
  return turn ??= new Promise((resolve) =>
    afterTurn(() => {
      turn = undefined;
      resolve();
    })
  );
}
