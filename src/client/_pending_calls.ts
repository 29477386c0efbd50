/**
 * The caller's side of a session token: each client call that the session settles later gets a
 * token and a promise; a `resolve`/`reject` action for the token settles the promise, and the
 * call's `AbortSignal` asks the session to cancel the token.
 *
 * A pending call is kept as one function, its promise's `resolve`: a failure settles it with a
 * thenable that rejects (the promise then rejects with the same error, one microtask later), so
 * no record holding both functions, nor the `reject` function, stays alive per call. With many
 * publishes awaiting their acknowledgement this is most of what a pending call costs (see
 * bench/README.md). The abort listeners of calls made with a signal are kept on the side.
 *
 * @module
 */

import type { SessionAction, Token } from "../session/types.ts";
import { TokenTable } from "../session/_token_table.ts";

/** A `resolve` or `reject` action: how the session settles a token. */
export type Settlement = Extract<SessionAction, { type: "resolve" | "reject" }>;

/** Settles a pending call's promise: with a value, or with a thenable that rejects. */
type Settle = (value: unknown) => void;

/** A thenable that rejects with `error`: resolving a promise with it rejects that promise. */
function failure(error: unknown): PromiseLike<never> {
  return { then: (_resolve, reject) => (reject?.(error), undefined as never) };
}

/** Who gives a call up when its signal aborts: the driver (the session should cancel the token). */
export interface CallCanceller {
  /** A pending call's signal aborted with `reason`. */
  cancelCall(token: Token, reason: unknown): void;
}

/** The calls waiting on tokens, by token. */
export class PendingCalls {
  readonly #calls = new TokenTable<Settle>();
  /** The signal and abort listener of each pending call made with a signal (made on first use). */
  #aborts: Map<Token, { signal: AbortSignal; onAbort: () => void }> | undefined;
  readonly #canceller: CallCanceller;
  #nextToken = 1;

  /** `canceller` is told when a call's signal aborts. */
  constructor(canceller: CallCanceller) {
    this.#canceller = canceller;
  }

  /**
   * Starts a call: `send(token)` hands it to the session. If `send` throws, the call is
   * forgotten and the error rethrown.
   */
  start<T>(signal: AbortSignal | undefined, send: (token: Token) => void): Promise<T> {
    const token = this.#nextToken++;
    let settle!: Settle;
    const promise = new Promise<T>((resolve) => (settle = resolve as Settle));
    this.#calls.set(token, settle);
    if (signal !== undefined) {
      const onAbort = () => this.#canceller.cancelCall(token, signal.reason);
      (this.#aborts ??= new Map()).set(token, { signal, onAbort });
      signal.addEventListener("abort", onAbort, { once: true });
    }
    try {
      send(token);
    } catch (error) {
      this.#drop(token);
      throw error;
    }
    return promise;
  }

  /** Settles the call of `settlement.token`, if it still waits. */
  settle(settlement: Settlement): void {
    const token = settlement.token;
    const settle = this.#calls.get(token);
    if (settle === undefined) return;
    this.#drop(token);
    settle(settlement.type === "resolve" ? settlement.value : failure(settlement.error));
  }

  /** Forgets the call of `token` and stops listening to its signal. */
  #drop(token: Token): void {
    this.#calls.delete(token);
    const aborts = this.#aborts;
    if (aborts === undefined || aborts.size === 0) return;
    const abort = aborts.get(token);
    if (abort === undefined) return;
    aborts.delete(token);
    abort.signal.removeEventListener("abort", abort.onAbort);
  }
}
