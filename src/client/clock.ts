/**
 * Time for the driver: where the connection's deadlines (CONNACK, keepalive, reconnect delays,
 * operation timeouts) read the clock and arm their timer, so tests can inject a manual clock and
 * never sleep. (Request timeouts, the per-server share of `connectTimeout` and the one-shot
 * helpers' `timeout` use the runtime's timers.)
 *
 * @module
 */

import { microtask } from "./_microtask.ts";

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

/**
 * `performance.now()` in whole milliseconds, one reading shared by up to 16 calls in one
 * synchronous run. Whole numbers (small integers to V8, for the first 12 days of a process) keep
 * the times each client holds (deadlines, last sent / received) unboxed.
 */
function sharedNow(): number {
  if (uses > 0) {
    uses--;
    return reading;
  }
  reading = Math.floor(performance.now());
  uses = READING_USES - 1;
  microtask(expire);
  return reading;
}

/** One client's timer: when it is due, what it calls, and where it sits in the shared queue. */
class RealClock implements Clock {
  /** When the timer is due (`performance.now()` scale); meaningless while not queued. */
  at = 0;
  /** Its place in {@link TimerQueue}'s heap, or -1 while no timer is set. */
  slot = -1;
  callback: (() => void) | undefined = undefined;

  now(): number {
    return sharedNow();
  }

  setTimer(at: number, callback: () => void): void {
    this.callback = callback;
    timers.set(this, at);
  }

  clearTimer(): void {
    this.callback = undefined;
    timers.remove(this);
  }
}

/**
 * Every real clock's pending timer behind one runtime timer, for the earliest: a process with
 * thousands of clients holds one `setTimeout`, not one each. A binary min-heap on `at`; each clock
 * knows its slot, so re-arming or clearing one is O(log n).
 */
class TimerQueue {
  readonly #heap: RealClock[] = [];
  #handle: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the runtime timer is due (Infinity while none is set). */
  #armedAt = Infinity;

  set(clock: RealClock, at: number): void {
    if (clock.slot < 0) {
      clock.at = at;
      clock.slot = this.#heap.length;
      this.#heap.push(clock);
      this.#up(clock.slot);
    } else {
      const earlier = at < clock.at;
      clock.at = at;
      if (earlier) this.#up(clock.slot);
      else this.#down(clock.slot);
    }
    this.#arm();
  }

  remove(clock: RealClock): void {
    const slot = clock.slot;
    if (slot < 0) return;
    clock.slot = -1;
    const last = this.#heap.pop()!;
    if (last !== clock) {
      this.#heap[slot] = last;
      last.slot = slot;
      this.#up(slot);
      this.#down(last.slot);
    }
    // A runtime timer left for an earlier deadline only fires and re-arms; none is left idle.
    if (this.#heap.length === 0) this.#disarm();
  }

  /** Keeps the runtime timer at or before the earliest deadline. */
  #arm(): void {
    const first = this.#heap[0];
    if (first === undefined) return this.#disarm();
    if (this.#armedAt <= first.at) return;
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#armedAt = first.at;
    this.#handle = setTimeout(this.#fire, Math.max(0, first.at - performance.now()));
  }

  #disarm(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#armedAt = Infinity;
  }

  /** Calls every timer that came due, earliest first, then re-arms for the next. */
  #fire = (): void => {
    this.#handle = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.at <= now) {
      const clock = heap[0]!;
      const callback = clock.callback!;
      clock.callback = undefined;
      this.remove(clock);
      try {
        callback();
      } catch (error) {
        // As a timer of its own would have: uncaught, without keeping the others from running.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#arm();
  };

  #up(slot: number): void {
    const heap = this.#heap;
    const clock = heap[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = heap[parentSlot]!;
      if (parent.at <= clock.at) break;
      heap[slot] = parent;
      parent.slot = slot;
      slot = parentSlot;
    }
    heap[slot] = clock;
    clock.slot = slot;
  }

  #down(slot: number): void {
    const heap = this.#heap;
    const clock = heap[slot]!;
    const length = heap.length;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= length) break;
      if (child + 1 < length && heap[child + 1]!.at < heap[child]!.at) child++;
      const next = heap[child]!;
      if (clock.at <= next.at) break;
      heap[slot] = next;
      next.slot = slot;
      slot = child;
    }
    heap[slot] = clock;
    clock.slot = slot;
  }
}

const timers = new TimerQueue();

/**
 * Creates a clock backed by `performance.now()` and `setTimeout` (one runtime timer shared by
 * every real clock, for the earliest deadline: see {@link TimerQueue}). Reading the time costs a
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
