/**
 * {@link takenWrite}: when a transport's `write()` settles if the runtime took the bytes at once
 * (Bun's `socket.write`, Node's below its high-water mark, a WebSocket's `send` below ours on
 * Deno, Bun, Node, in browsers and in Workers).
 *
 * Settling such a write at once lets the client's write pipeline write again in the next
 * microtask: a loop that publishes one message per microtask (`await client.ready()` before each
 * `publish()`) then made one system call, or one WebSocket frame, per message (Bun 1.4.5: 100,000
 * `sendto` for 100,000 messages, where Deno, whose socket writes are async ops, made ~1,200).
 * Settled after the event loop's turn instead, the messages published meanwhile go out in one
 * write. The turn ends with `setImmediate` where the runtime has it (Deno, Bun, Node), else with a
 * message to a `MessageChannel` (browsers, whose 0 ms timers nested five deep wait 4 ms); in
 * Workers each connection has turns of its own ({@link connectionTakenWrite}). In Chromium and in
 * workerd the loop sent one WebSocket frame per message before (bench/README.md "Client").
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

/** Ends the current turn's promise once the turn is over (`schedule(end)`, once per turn). */
export type TurnScheduler = (end: () => void) => void;

/**
 * A `nextTurn` that `schedule` ends: every call in one turn gets the same promise, and the first
 * call after it resolved starts the next.
 */
export function turns(schedule: TurnScheduler): () => Promise<void> {
  let turn: Promise<void> | undefined;
  let resolveTurn: () => void;
  const end = () => {
    turn = undefined;
    resolveTurn();
  };
  return () => turn ??= new Promise((resolve) => (resolveTurn = resolve, schedule(end)));
}

/** A {@link TurnScheduler} for runtimes without `setImmediate`: a message to itself. */
function messageChannelTurns(): TurnScheduler {
  const channel = new MessageChannel();
  let end: () => void;
  channel.port1.onmessage = () => end();
  return (callback) => {
    end = callback;
    channel.port2.postMessage(null);
  };
}

/**
 * The `nextTurn` of a runtime with `globals`: ended by `setImmediate`, else by a `MessageChannel`
 * message, else (neither) a resolved promise.
 */
export function runtimeTurns(
  globals: { setImmediate?: TurnScheduler; MessageChannel?: unknown },
): () => Promise<void> {
  if (typeof globals.setImmediate === "function") return turns(globals.setImmediate);
  if (typeof globals.MessageChannel === "function") return turns(messageChannelTurns());
  return () => SETTLED;
}

let next: (() => Promise<void>) | undefined;

/** Resolves once the event loop's current turn is over; one promise per turn. */
function nextTurn(): Promise<void> {
  return (next ??= runtimeTurns(globalThis as Parameters<typeof runtimeTurns>[0]))();
}

const SETTLED: Promise<void> = /* @__PURE__ */ Promise.resolve();

/**
 * A {@link takenWrite} for one connection alone, its turns ended by a 0 ms timer (Workers: there a
 * promise shared by two connections' writes could belong to another request, and workerd does not
 * stretch nested 0 ms timers as browsers do).
 */
export function connectionTakenWrite(): (length: number) => Promise<void> {
  const next = turns((end) => setTimeout(end, 0));
  return (length) => length < TURN_BATCH ? next() : SETTLED;
}

/**
 * What `write()` returns for `length` bytes the runtime took at once: under
 * {@link TURN_BATCH}, a promise that resolves after the event loop's turn; else a resolved one.
 */
export function takenWrite(length: number): Promise<void> {
  return length < TURN_BATCH ? nextTurn() : SETTLED;
}
