/**
 * The caller's operations: the tokens of accepted publish / subscribe / unsubscribe calls that
 * are not settled yet, the work each one stands for, and their deadlines (`operationTimeout`).
 *
 * A token is settled at most once: settling removes it, and later attempts find nothing. Every
 * operation gets the same timeout, so deadlines arrive in sorted order and a FIFO is the
 * priority queue: add at the tail, expire from the head. Settled tokens are skipped lazily when
 * they reach the head, so settling costs nothing here.
 *
 * @module
 */

import { Fifo } from "./_fifo.ts";
import { TokenTable } from "./_token_table.ts";
import type { Effects } from "./effects.ts";
import type { AckResult, PublishResult, Token } from "./types.ts";
import type { Work } from "./work.ts";

interface Deadline {
  at: number;
  token: Token;
}

/** Unsettled operation tokens and their deadlines. */
export class Operations {
  /** By token: an array window rather than a `Map`, as tokens come in increasing order. */
  readonly #ops = new TokenTable<Work>();
  readonly #deadlines = new Fifo<Deadline>();
  readonly #timeout: number;

  /** `timeout` in milliseconds (0 = never). */
  constructor(timeout: number) {
    this.#timeout = timeout;
  }

  /** Registers `work` under its token, with a deadline `timeout` after `now`. */
  track(work: Work, now: number): void {
    const token = work.token as Token;
    this.#ops.set(token, work);
    if (this.#timeout > 0) this.#deadlines.push({ at: now + this.#timeout, token });
  }

  /** The unsettled work of `token`. */
  get(token: Token): Work | undefined {
    return this.#ops.get(token);
  }

  /** A snapshot of every unsettled work, in the order of their tokens. */
  all(): Work[] {
    return [...this.#ops.values()].sort((a, b) => (a.token as Token) - (b.token as Token));
  }

  /** Resolves the token of `work` (if it still has one) with `value`. */
  resolve(fx: Effects, work: Work, value: PublishResult | AckResult): void {
    const token = this.#take(work);
    if (token !== undefined) fx.resolve(token, value);
  }

  /** Resolves the token of `work` once the bytes written so far are written (QoS 0). */
  resolveOnWrite(fx: Effects, work: Work): void {
    const token = this.#take(work);
    if (token !== undefined) fx.resolveOnWrite(token);
  }

  /** Rejects the token of `work` (if it still has one) with `error`. */
  reject(fx: Effects, work: Work, error: unknown): void {
    const token = this.#take(work);
    if (token !== undefined) fx.reject(token, error);
  }

  /** The earliest deadline of an unsettled token. */
  nextDeadline(): number | undefined {
    for (let head = this.#deadlines.peek(); head !== undefined; head = this.#deadlines.peek()) {
      if (this.#ops.get(head.token) !== undefined) return head.at;
      this.#deadlines.shift();
    }
    return undefined;
  }

  /** Removes the deadlines at or before `now` and returns the unsettled work they belong to. */
  expired(now: number): Work[] {
    const expired: Work[] = [];
    for (let head = this.#deadlines.peek(); head !== undefined; head = this.#deadlines.peek()) {
      const work = this.#ops.get(head.token);
      if (work !== undefined) {
        if (head.at > now) break;
        expired.push(work);
      }
      this.#deadlines.shift();
    }
    return expired;
  }

  #take(work: Work): Token | undefined {
    const token = work.token;
    if (token === undefined) return undefined;
    work.token = undefined;
    this.#ops.delete(token);
    return token;
  }
}
