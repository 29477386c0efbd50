/**
 * The real clock: every client's timer shares one runtime timer (a process with thousands of
 * clients holds one `setTimeout`), and each still fires once, in deadline order, never early.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Clock, realClock } from "../../src/client/clock.ts";

/** Counts the runtime timers set and not yet fired or cleared while `run` runs. */
async function countingTimers<T>(run: (pending: () => number) => Promise<T>): Promise<T> {
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    const handle: unknown = set(() => {
      live.delete(handle);
      callback();
    }, ms);
    live.add(handle);
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((handle: ReturnType<typeof setTimeout>) => {
    live.delete(handle);
    clear(handle);
  }) as typeof clearTimeout;
  try {
    return await run(() => live.size);
  } finally {
    globalThis.setTimeout = set;
    globalThis.clearTimeout = clear;
  }
}

/** Arms `clock` for `at`; resolves with the time it fired. */
function firing(clock: Clock, at: number): Promise<number> {
  return new Promise((resolve) => clock.setTimer(at, () => resolve(performance.now())));
}

describe("realClock", () => {
  it("realClock: a thousand clocks' timers hold one runtime timer and fire in deadline order", async () => {
    await countingTimers(async (pending) => {
      const start = performance.now();
      const order: number[] = [];
      const fired = Array.from({ length: 1000 }, (_, i) => {
        const at = start + 5 + ((i * 7919) % 40); // deadlines 5–44 ms out, shuffled
        return firing(realClock(), at).then((time) => {
          order.push(at);
          assert.ok(time >= at, `fired ${at - time} ms early`);
        });
      });
      assert.equal(pending(), 1);
      await Promise.all(fired);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(pending(), 0, "no runtime timer is left once every clock fired");
    });
  });

  it("realClock: a cleared timer never fires, and the runtime timer goes with the last one", async () => {
    await countingTimers(async (pending) => {
      const start = performance.now();
      const cleared = realClock();
      cleared.setTimer(start + 5, () => assert.fail("a cleared timer fired"));
      const kept = realClock();
      const keptFired = firing(kept, start + 20);
      cleared.clearTimer();
      assert.equal(pending(), 1);
      assert.ok((await keptFired) >= start + 20);
      const lone = realClock();
      lone.setTimer(start + 60_000, () => assert.fail("cleared"));
      assert.equal(pending(), 1);
      lone.clearTimer();
      assert.equal(pending(), 0);
    });
  });

  it("realClock: setTimer replaces the clock's timer, earlier or later", async () => {
    const start = performance.now();
    const clock = realClock();
    const calls: string[] = [];
    clock.setTimer(start + 5, () => calls.push("first"));
    const later = firing(clock, start + 30); // replaces the first
    assert.ok((await later) >= start + 30);
    const sooner = realClock();
    sooner.setTimer(start + 60_000, () => calls.push("far"));
    const now = performance.now();
    const replaced = firing(sooner, now + 5);
    assert.ok((await replaced) >= now + 5);
    assert.deepEqual(calls, []);
  });

  it("realClock: a callback may set its clock's timer again", async () => {
    const clock = realClock();
    let fired = 0;
    await new Promise<void>((resolve) => {
      const again = () => {
        fired++;
        if (fired === 3) resolve();
        else clock.setTimer(performance.now() + 2, again);
      };
      clock.setTimer(performance.now() + 2, again);
    });
    assert.equal(fired, 3);
  });
});
