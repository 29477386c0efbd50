/**
 * Time for the driver: where the connection's deadlines (CONNACK, keepalive, reconnect delays,
 * operation timeouts) read the clock and arm their timer, so tests can inject a manual clock and
 * never sleep. (Request timeouts, the per-server share of `connectTimeout` and the one-shot
 * helpers' `timeout` use the runtime's timers.)
 *
 * @module
 */

/** A time source with a single re-armable timer. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Call `callback` once at (or after) time `at`; replaces any timer set before. */
  setTimer(at: number, callback: () => void): void;
  /** Cancel the pending timer, if any. */
  clearTimer(): void;
}

/** How many `now()` calls in one synchronous run may share one reading of the real clock. */
const READING_USES = 16;

/** The last reading of the real clock, shared by every client's clock, and its uses left. */
let reading = 0;
let uses = 0;
const expire = (): void => {
  uses = 0;
};

/** `performance.now()`, one reading shared by up to 16 calls in one synchronous run. */
function sharedNow(): number {
  if (uses > 0) {
    uses--;
    return reading;
  }
  reading = performance.now();
  uses = READING_USES - 1;
  queueMicrotask(expire);
  return reading;
}

/** One client's timer over the shared reading: its handle, its callback, one bound `#fire`. */
class RealClock implements Clock {
  #handle: ReturnType<typeof setTimeout> | undefined;
  #callback: (() => void) | undefined;

  now(): number {
    return sharedNow();
  }

  setTimer(at: number, callback: () => void): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#callback = callback;
    this.#handle = setTimeout(this.#fire, Math.max(0, at - performance.now()));
  }

  clearTimer(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#callback = undefined;
  }

  #fire = (): void => {
    const callback = this.#callback!;
    this.#handle = undefined;
    this.#callback = undefined;
    callback();
  };
}

/**
 * Creates a clock backed by `performance.now()` and `setTimeout`. Reading the time costs a
 * runtime call (a noticeable share of a QoS 0 publish), so `now()` hands out one
 * reading to up to 16 calls made in the same synchronous run (a publisher's tight loop, or many
 * clients' work in one turn: the reading is shared by every real clock) and reads afresh after
 * a microtask checkpoint. A shared reading lags real time by whatever synchronous work ran
 * since it was taken, so deadlines computed from it can come out that much early (never late).
 */
export function realClock(): Clock {
  return new RealClock();
}

/**
 * A clock that moves only when told: `advance(ms)` fires the timer if it came due.
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * let fired = false;
 * clock.setTimer(100, () => (fired = true));
 * clock.advance(100); // fired === true
 * ```
 */
export function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let time = start;
  let timer: { at: number; callback: () => void } | undefined;
  return {
    now: () => time,
    setTimer(at, callback) {
      timer = { at, callback };
    },
    clearTimer() {
      timer = undefined;
    },
    advance(ms) {
      const target = time + ms;
      while (timer !== undefined && timer.at <= target) {
        const due = timer;
        timer = undefined;
        time = Math.max(time, due.at);
        due.callback();
      }
      time = target;
    },
  };
}
