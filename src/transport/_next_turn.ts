/**
 * {@link nextTurn}: when a socket adapter's `write()` settles if the runtime took the bytes at
 * once (Bun's `socket.write`, Node's below its high-water mark).
 *
 * Settling such a write at once lets the client's write pipeline write again in the next
 * microtask: a loop that publishes one message per microtask (`await client.ready()` before each
 * `publish()`) then made one system call per message (Bun 1.4.5: 100,000 `sendto` for 100,000
 * messages, where Deno, whose writes settle on the event loop, made ~1,200). Settled after the
 * event loop's turn instead, the messages published meanwhile go out in one write.
 *
 * @module
 */

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
