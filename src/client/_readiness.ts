/**
 * The callers of `ready()` waiting for room: they all settle together, when the driver finds
 * room (resolve) or the session closed (reject); one whose signal aborts leaves with its reason.
 *
 * @module
 */

import { ConnectionClosedError } from "../errors.ts";

/** A resolved promise handed to every `ready()` that finds room, so the fast path allocates nothing. */
export const READY: Promise<void> = Promise.resolve();

/** Why `ready()` rejects once the client is closed. */
export function closedError(): ConnectionClosedError {
  return new ConnectionClosedError("Not connected: the session is closed");
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The waiting `ready()` calls. */
export class Readiness {
  #waiters: Waiter[] | undefined = undefined;

  /** Whether any call waits. */
  get waiting(): boolean {
    return this.#waiters !== undefined;
  }

  /** A promise that settles with the others, or rejects with `signal`'s reason when it aborts. */
  wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const rest = this.#waiters?.filter((w) => w !== waiter) ?? [];
          this.#waiters = rest.length > 0 ? rest : undefined;
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      (this.#waiters ??= []).push(waiter);
    });
  }

  /** Resolves every waiting call. */
  release(): void {
    for (const waiter of this.#take()) waiter.resolve();
  }

  /** Rejects every waiting call with `error`. */
  fail(error: unknown): void {
    for (const waiter of this.#take()) waiter.reject(error);
  }

  #take(): Waiter[] {
    const waiters = this.#waiters ?? [];
    this.#waiters = undefined;
    for (const w of waiters) if (w.onAbort) w.signal!.removeEventListener("abort", w.onAbort);
    return waiters;
  }
}
