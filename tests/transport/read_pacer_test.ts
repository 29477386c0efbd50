import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReadPacer } from "../../src/transport/_read_pacer.ts";

/** A pacer on a fake clock whose ticks are counted, not waited for. */
function pacer() {
  const clock = { time: 0, ticks: 0 };
  const tick = () => {
    clock.ticks++;
    return Promise.resolve();
  };
  return { clock, pacer: new ReadPacer(() => clock.time, tick) };
}

/** Feeds `count` reads of `n` bytes, `gap` ms apart; returns how many asked for a pause. */
function feed(
  p: ReadPacer,
  clock: { time: number },
  count: number,
  n: number,
  gap: number,
): number {
  let pauses = 0;
  for (let i = 0; i < count; i++) {
    clock.time += gap;
    if (p.afterRead(n, false) !== undefined) pauses++;
  }
  return pauses;
}

describe("ReadPacer", () => {
  it("ReadPacer does not pause reads that come slower than 32 in 4 ms", () => {
    const { clock, pacer: p } = pacer();
    assert.equal(feed(p, clock, 1000, 60, 0.2), 0);
  });

  it("ReadPacer pauses a dense stream and keeps pausing while pauses gather 2 KiB", () => {
    const { clock, pacer: p } = pacer();
    assert.equal(feed(p, clock, 32, 60, 0.02), 1);
    assert.equal(feed(p, clock, 100, 14_000, 2), 100);
  });

  it("ReadPacer keeps pausing a stream of small reads while pauses gather 8 reads' worth", () => {
    const { clock, pacer: p } = pacer();
    assert.equal(feed(p, clock, 32, 21, 0.02), 1); // one message a read, ~50,000 reads a second
    assert.equal(feed(p, clock, 100, 8 * 21 + 90, 1), 100); // 258 B: over 8 reads and 256 B
    // 8 reads' worth but under 256 B: not worth a tick; two such pauses in a row stop pacing.
    const { clock: clock2, pacer: p2 } = pacer();
    feed(p2, clock2, 32, 21, 0.02);
    assert.notEqual(p2.afterRead(200, false), undefined);
    assert.equal(p2.afterRead(200, false), undefined);
    // Reads of 60 B in the burst: a pause must gather 480 B.
    const { clock: clock3, pacer: p3 } = pacer();
    feed(p3, clock3, 32, 60, 0.02);
    assert.notEqual(p3.afterRead(479, false), undefined);
    assert.equal(p3.afterRead(479, false), undefined);
  });

  it("ReadPacer tolerates a few short reads once a stream was paced, then stops", () => {
    const { clock, pacer: p } = pacer();
    feed(p, clock, 32, 21, 0.02);
    assert.equal(feed(p, clock, 10, 1200, 1), 10); // credit 1 + 3 useful pauses = 4 (the cap)
    assert.equal(feed(p, clock, 4, 21, 1), 4); // 4 misses use the credit up...
    assert.equal(p.afterRead(21, false), undefined); // ... and the 5th stops pacing
  });

  it("ReadPacer never pauses after a read that filled the buffer", () => {
    const { clock, pacer: p } = pacer();
    feed(p, clock, 32, 60, 0.02);
    assert.equal(p.afterRead(65_536, true), undefined);
  });

  it("ReadPacer stops after two short reads in a row and backs off before trying again", () => {
    const { clock, pacer: p } = pacer();
    /** Dense small reads until the pacer first pauses (true) or 64 reads passed (false). */
    const burst = () => {
      for (let i = 0; i < 64; i++) {
        clock.time += 0.05;
        if (p.afterRead(40, false) !== undefined) return true;
      }
      return false;
    };
    // Request/response traffic: fast small reads, and a pause gathers nothing more.
    assert.equal(burst(), true);
    assert.notEqual(p.afterRead(40, false), undefined); // first miss forgiven
    assert.equal(p.afterRead(40, false), undefined); // second miss: stop
    // Within the 16 ms cool-down no new attempt, however dense the reads (200 in 10 ms).
    assert.equal(feed(p, clock, 200, 40, 0.05), 0);
    clock.time += 6;
    assert.equal(burst(), true);
    p.afterRead(40, false);
    assert.equal(p.afterRead(40, false), undefined);
    // The cool-down doubled to 32 ms: 16 ms later is still too early.
    clock.time += 16;
    assert.equal(burst(), false);
    clock.time += 16;
    assert.equal(burst(), true);
  });
});
