/**
 * The caller's side of a session token: each client call that the session settles later gets a
 * token and a promise; a `resolve`/`reject` action for the token settles the promise, and the
 * call's `AbortSignal` asks the session to cancel the token.
 *
 * @module
 */

import type { SessionAction, Token } from "../session/types.ts";
import { TokenTable } from "./_token_table.ts";

/** A `resolve` or `reject` action: how the session settles a token. */
export type Settlement = Extract<SessionAction, { type: "resolve" | "reject" }>;

/** One call waiting for the session to settle its token. */
export class PendingCall<T> {
  /** The token the session knows the call by. */
  readonly token: Token;
  /** What the caller awaits. */
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  /** The call's signal and its abort listener, removed when the call settles. */
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(token: Token) {
    this.token = token;
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** The calls waiting on tokens, by token. */
export class PendingCalls {
  readonly #calls = new TokenTable<PendingCall<unknown>>();
  readonly #cancel: (token: Token, reason: unknown) => void;
  #nextToken = 1;

  /** `cancel` is called when a call's signal aborts: the session should give the token up. */
  constructor(cancel: (token: Token, reason: unknown) => void) {
    this.#cancel = cancel;
  }

  /**
   * Starts a call: `send(token)` hands it to the session. If `send` throws, the call is
   * forgotten and the error rethrown.
   */
  start<T>(signal: AbortSignal | undefined, send: (token: Token) => void): Promise<T> {
    const call = this.#add<T>(signal);
    try {
      send(call.token);
    } catch (error) {
      this.#drop(call);
      throw error;
    }
    return call.promise;
  }

  /** Settles the call of `settlement.token`, if it still waits. */
  settle(settlement: Settlement): void {
    const call = this.#calls.get(settlement.token);
    if (call === undefined) return;
    this.#drop(call);
    if (settlement.type === "resolve") call.resolve(settlement.value);
    else call.reject(settlement.error);
  }

  /** A new call with a fresh token; aborting `signal` cancels it. */
  #add<T>(signal: AbortSignal | undefined): PendingCall<T> {
    const call = new PendingCall<T>(this.#nextToken++);
    this.#calls.set(call.token, call as PendingCall<unknown>);
    if (signal !== undefined) {
      call.signal = signal;
      call.onAbort = () => this.#cancel(call.token, signal.reason);
      signal.addEventListener("abort", call.onAbort, { once: true });
    }
    return call;
  }

  /** Forgets `call` and stops listening to its signal. */
  #drop<T>(call: PendingCall<T>): void {
    this.#calls.delete(call.token);
    if (call.onAbort !== undefined) call.signal!.removeEventListener("abort", call.onAbort);
  }
}
