import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReadPacer } from "../../src/transport/_read_pacer.ts";

/** A pacer on a fake clock: each pause is counted and moves the clock on by the delay asked. */
function pacer(pauseMs = 1) {
  const clock = { time: 0, ticks: 0 };
  const wait = (ms: number) => {
    clock.ticks++;
    clock.time += ms;
    return Promise.resolve();
  };
  return { clock, pacer: new ReadPacer(pauseMs, () => clock.time, wait) };
}

/**
 * Feeds `count` reads of `n` bytes, `gap` ms apart when read at once (a pause passes its tick
 * instead); returns how many asked for a pause.
 */
function feed(
  p: ReadPacer,
  clock: { time: number },
  count: number,
  n: number,
  gap: number,
): number {
  let pauses = 0;
  for (let i = 0; i < count; i++) {
    if (p.afterRead(n, false) !== undefined) pauses++;
    else clock.time += gap;
  }
  return pauses;
}

/** Reads of `n` bytes 0.1 ms apart until the pacer first pauses; throws if it never does. */
function startPacing(p: ReadPacer, clock: { time: number }, n: number): void {
  for (let i = 0; i < 64; i++) {
    if (p.afterRead(n, false) !== undefined) return;
    clock.time += 0.1;
  }
  throw new Error("the pacer did not start pacing");
}

describe("ReadPacer", () => {
  it("ReadPacer does not pause reads that come slower than 32 in 8 ms", () => {
    const { clock, pacer: p } = pacer();
    assert.equal(feed(p, clock, 1000, 60, 0.3), 0);
  });

  it("ReadPacer pauses 32 reads in 8 ms, and keeps pausing while pauses gather what the stream brought", () => {
    const { clock, pacer: p } = pacer();
    // 32 reads of 28 B in 3.1 ms: ~290 B a millisecond; a 1 ms pause must gather 70% of it.
    assert.equal(feed(p, clock, 32, 28, 0.1), 1);
    assert.equal(feed(p, clock, 100, 210, 0), 100);
    // 32 reads 0.25 ms apart (7.75 ms) are dense enough too.
    const { clock: clock3, pacer: p3 } = pacer();
    assert.equal(feed(p3, clock3, 32, 28, 0.25), 1);
    // A pause that gathers 2 KiB is useful whatever the stream brought before.
    const { clock: clock2, pacer: p2 } = pacer();
    feed(p2, clock2, 32, 4000, 0.01);
    assert.equal(feed(p2, clock2, 20, 2048, 0), 20);
  });

  it("ReadPacer stops when pauses slow the stream down, after two misses at first", () => {
    // A stream the client holds back by pausing: each pause brings what one read did.
    const { clock, pacer: p } = pacer();
    startPacing(p, clock, 28);
    assert.notEqual(p.afterRead(190, false), undefined); // 190 of ~200 expected: first miss forgiven
    assert.equal(p.afterRead(190, false), undefined); // second miss: stop
    // A longer tick must gather more: 2 ms of the same stream.
    const { clock: clock2, pacer: p2 } = pacer(2);
    startPacing(p2, clock2, 28);
    assert.notEqual(p2.afterRead(410, false), undefined); // useful: credit 2
    assert.notEqual(p2.afterRead(300, false), undefined); // 300 of ~404: miss, credit 1
    assert.notEqual(p2.afterRead(300, false), undefined); // credit 0
    assert.equal(p2.afterRead(300, false), undefined);
  });

  it("ReadPacer tolerates a few short reads once a stream was paced, then stops", () => {
    const { clock, pacer: p } = pacer();
    startPacing(p, clock, 28);
    assert.equal(feed(p, clock, 10, 1200, 0), 10); // credit 1 + 3 useful pauses = 4 (the cap)
    assert.equal(feed(p, clock, 4, 21, 0), 4); // 4 misses use the credit up...
    assert.equal(p.afterRead(21, false), undefined); // ... and the 5th stops pacing
  });

  it("ReadPacer never pauses after a read that filled the buffer or that the receiver wants followed at once", () => {
    const { clock, pacer: p } = pacer();
    startPacing(p, clock, 60);
    assert.equal(p.afterRead(65_536, true), undefined);
    assert.equal(p.afterRead(40, true), undefined);
    // Pacing goes on afterwards: the reads in between changed nothing.
    assert.notEqual(p.afterRead(2048, false), undefined);
  });

  it("ReadPacer stops after two short reads in a row and backs off before trying again", () => {
    const { clock, pacer: p } = pacer();
    // Request/response traffic: fast small reads, and a pause gathers no more than one read.
    startPacing(p, clock, 40);
    assert.notEqual(p.afterRead(40, false), undefined); // first miss forgiven
    assert.equal(p.afterRead(40, false), undefined); // second miss: stop
    // Within the 16 ms cool-down no new attempt, however dense the reads (150 in 15 ms).
    assert.equal(feed(p, clock, 150, 40, 0.1), 0);
    clock.time += 1;
    startPacing(p, clock, 40);
    p.afterRead(40, false);
    assert.equal(p.afterRead(40, false), undefined);
    // The cool-down doubled to 32 ms: 16 ms later is still too early.
    assert.equal(feed(p, clock, 160, 40, 0.1), 0);
    clock.time += 16;
    startPacing(p, clock, 40);
  });
});
