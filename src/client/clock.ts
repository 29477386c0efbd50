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

/**
 * Creates a clock backed by `performance.now()` and `setTimeout`. Reading the time costs a
 * runtime call (a noticeable share of a QoS 0 publish), so `now()` hands out one
 * reading to up to 16 calls made in the same synchronous run (a publisher's tight loop) and
 * reads afresh after a microtask checkpoint. A shared reading lags real time by whatever
 * synchronous work ran since it was taken, so deadlines computed from it can come out that much
 * early (never late).
 */
export function realClock(): Clock {
  let handle: ReturnType<typeof setTimeout> | undefined;
  let reading = 0;
  let uses = 0;
  const expire = (): void => {
    uses = 0;
  };
  return {
    now() {
      if (uses > 0) {
        uses--;
        return reading;
      }
      reading = performance.now();
      uses = READING_USES - 1;
      queueMicrotask(expire);
      return reading;
    },
    setTimer(at, callback) {
      if (handle !== undefined) clearTimeout(handle);
      handle = setTimeout(() => {
        handle = undefined;
        callback();
      }, Math.max(0, at - performance.now()));
    },
    clearTimer() {
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
    },
  };
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
