/**
 * Reconnect backoff: exponential growth from `minDelay` to `maxDelay` with "equal jitter".
 *
 * For the n-th consecutive attempt (n = 0 for the first reconnect after a loss):
 *
 * ```
 * ceiling(n) = min(maxDelay, minDelay × 2^(n+1))
 * delay(n)   = clamp(ceiling(n) / 2 + random() × ceiling(n) / 2, minDelay, maxDelay)
 * ```
 *
 * so the first delay lies in [minDelay, 2·minDelay], the second in [2·minDelay, 4·minDelay], and
 * once capped every delay lies in [maxDelay/2, maxDelay] (never below minDelay). Half of each
 * delay is fixed, which keeps the growth; the random half spreads many clients apart after a
 * broker restart. The attempt counter resets on a successful CONNACK. `random` returns a number
 * in [0, 1) and is injected, so tests can seed it.
 *
 * @module
 */

import type { ReconnectPolicy } from "./types.ts";

/** Bounds of the backoff in milliseconds (the `reconnect` option when it is not `false`). */
export type BackoffBounds = Exclude<ReconnectPolicy, false>;

/** The delay before the attempt numbered `attempt` (0-based), per the module's formula. */
export function backoffDelay(
  attempt: number,
  bounds: BackoffBounds,
  random: () => number,
): number {
  const { minDelay, maxDelay } = bounds;
  const ceiling = Math.min(maxDelay, minDelay * 2 ** (Math.min(attempt, 52) + 1));
  const delay = ceiling / 2 + random() * (ceiling / 2);
  return Math.min(maxDelay, Math.max(minDelay, delay));
}

/** Counts consecutive attempts and yields their delays. */
export class Backoff {
  #attempt = 0;
  readonly #bounds: BackoffBounds;
  readonly #random: () => number;

  /** Delays within `bounds`; `random` returns numbers in [0, 1) for the jitter. */
  constructor(bounds: BackoffBounds, random: () => number) {
    this.#bounds = bounds;
    this.#random = random;
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in milliseconds; advances the attempt counter. */
  next(): number {
    return backoffDelay(this.#attempt++, this.#bounds, this.#random);
  }

  /** Starts over from `minDelay` (after a successful CONNACK). */
  reset(): void {
    this.#attempt = 0;
  }
}
