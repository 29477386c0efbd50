import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BLOCK_SIZE, WriteBuffer } from "../../src/client/_write_buffer.ts";

describe("WriteBuffer", () => {
  it("WriteBuffer.take returns a lone chunk itself, without copying", () => {
    const out = new WriteBuffer();
    const chunk = new Uint8Array([1, 2, 3]);
    out.push(chunk);
    assert.equal(out.size, 3);
    assert.equal(out.take(), chunk);
    assert.equal(out.size, 0);
  });

  it("WriteBuffer.take returns every pushed byte in order across growth", () => {
    const out = new WriteBuffer();
    const expected: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const chunk = new Uint8Array(1 + (i % 7)).fill(i & 0xff);
      out.push(chunk);
      expected.push(...chunk);
    }
    assert.equal(out.size, expected.length);
    assert.deepEqual([...out.take()], expected);
    assert.deepEqual([...out.take()], []);
  });

  it("WriteBuffer.take(max) hands out at most max bytes in whole chunks and keeps the rest, in order", () => {
    const out = new WriteBuffer();
    const expected: number[] = [];
    const taken: number[] = [];
    const handed: [Uint8Array, number[]][] = [];
    for (let i = 0; i < 2000; i++) {
      const chunk = new Uint8Array(1 + (i % 5)).fill(i & 0xff);
      out.push(chunk);
      expected.push(...chunk);
      if (i % 97 === 0) {
        const part = out.take(50);
        assert.ok(part.length <= 50);
        handed.push([part, [...part]]);
        taken.push(...part);
      }
    }
    out.push(new Uint8Array([9, 9, 9]).subarray(0, 3));
    expected.push(9, 9, 9);
    taken.push(...out.take());
    assert.deepEqual(taken, expected);
    for (const [part, copy] of handed) assert.deepEqual([...part], copy, "never written again");
  });

  it("WriteBuffer.take(max) never splits a chunk: an oversized first chunk goes out whole", () => {
    const out = new WriteBuffer();
    out.push(new Uint8Array([1, 2, 3, 4, 5]));
    out.push(new Uint8Array([6]));
    assert.deepEqual([...out.take(2)], [1, 2, 3, 4, 5]);
    assert.equal(out.size, 1);
    out.push(new Uint8Array([7, 8]));
    out.push(new Uint8Array([9]));
    assert.deepEqual([...out.take(3)], [6, 7, 8]);
    assert.deepEqual([...out.take(3)], [9]);
    assert.equal(out.size, 0);
  });

  it("WriteBuffer.take hands over a buffer that later pushes do not write into", () => {
    const out = new WriteBuffer();
    out.push(new Uint8Array([1]));
    out.push(new Uint8Array([2]));
    const first = out.take();
    out.push(new Uint8Array([3]));
    out.push(new Uint8Array([4]));
    assert.deepEqual([...first], [1, 2]);
    assert.deepEqual([...out.take()], [3, 4]);
  });

  it("WriteBuffer.clear drops waiting bytes and ignores empty chunks", () => {
    const out = new WriteBuffer();
    out.push(new Uint8Array(0));
    assert.equal(out.size, 0);
    out.push(new Uint8Array([1, 2]));
    out.push(new Uint8Array([3]));
    out.clear();
    assert.equal(out.size, 0);
    assert.deepEqual([...out.take()], []);
  });

  it("WriteBuffer keeps a large packet by reference, alone or after small ones", () => {
    const out = new WriteBuffer();
    const large = new Uint8Array(BLOCK_SIZE / 2).fill(7);
    out.push(new Uint8Array([1]));
    out.push(new Uint8Array([2]));
    out.push(large);
    assert.deepEqual([...out.take(BLOCK_SIZE / 4)], [1, 2]);
    assert.equal(out.take(BLOCK_SIZE / 4), large, "handed out as it is, not copied");
    assert.equal(out.size, 0);
  });

  it("WriteBuffer joins packets that follow one another in one buffer into a run, without copying", () => {
    const out = new WriteBuffer();
    const slab = new Uint8Array(64).map((_, i) => i);
    out.push(slab.subarray(0, 3));
    out.push(slab.subarray(3, 10));
    out.push(slab.subarray(10, 12));
    const taken = out.take();
    assert.equal(taken.buffer, slab.buffer, "a view of the packets' own memory");
    assert.equal(taken.byteOffset, 0);
    assert.deepEqual([...taken], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(out.size, 0);
  });

  it("WriteBuffer.take(max) cuts a run at a packet's end, and the rest follows", () => {
    const out = new WriteBuffer();
    const slab = new Uint8Array(64).map((_, i) => i);
    for (const [start, end] of [[0, 4], [4, 8], [8, 12], [12, 20]]) {
      out.push(slab.subarray(start, end));
    }
    assert.deepEqual([...out.take(10)], [0, 1, 2, 3, 4, 5, 6, 7]);
    out.push(slab.subarray(20, 22)); // still follows the run's end
    assert.deepEqual([...out.take(5)], [8, 9, 10, 11]);
    const rest = out.take();
    assert.equal(rest.buffer, slab.buffer);
    assert.deepEqual([...rest], [12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
  });

  it("WriteBuffer hands a long run out alone, and starts the next run in another buffer", () => {
    const out = new WriteBuffer();
    const long = 16 * 1024;
    const a = new Uint8Array(2 * long).fill(1);
    const b = new Uint8Array(2 * long).fill(2);
    out.push(a.subarray(0, 2));
    out.push(a.subarray(2, long));
    out.push(b.subarray(0, 3)); // another buffer: a new segment, the first of a next run
    out.push(b.subarray(3, long));
    const first = out.take(BLOCK_SIZE);
    assert.equal(first.buffer, a.buffer, "not copied to join what follows");
    assert.equal(first.length, long);
    const second = out.take(BLOCK_SIZE);
    assert.equal(second.buffer, b.buffer);
    assert.equal(second.length, long);
    assert.ok(second.every((byte) => byte === 2));
  });

  it("WriteBuffer.take joins short runs with what follows into one write", () => {
    const out = new WriteBuffer();
    const a = new Uint8Array(8).fill(1);
    const b = new Uint8Array(8).fill(2);
    out.push(a.subarray(0, 2));
    out.push(a.subarray(2, 4));
    out.push(b.subarray(0, 3));
    out.push(b.subarray(3, 5));
    assert.deepEqual([...out.take(100)], [1, 1, 1, 1, 2, 2, 2, 2, 2]);
    assert.equal(out.size, 0);
  });

  it("WriteBuffer copies views with a gap between them, or out of order, into a block", () => {
    const out = new WriteBuffer();
    const slab = new Uint8Array(16).map((_, i) => i);
    out.push(slab.subarray(0, 2));
    out.push(slab.subarray(3, 5)); // a gap of one byte: not a run
    out.push(slab.subarray(1, 2)); // behind the one before
    const taken = out.take();
    assert.notEqual(taken.buffer, slab.buffer);
    assert.deepEqual([...taken], [0, 1, 3, 4, 1]);
  });

  it("WriteBuffer.take(max) joins whole segments that fit in max into one array", () => {
    const out = new WriteBuffer();
    const third = Math.floor(BLOCK_SIZE / 3) + 1; // large packets: one segment each
    for (const n of [1, 2, 3]) out.push(new Uint8Array(third).fill(n));
    const first = out.take(BLOCK_SIZE);
    assert.equal(first.length, 2 * third);
    assert.deepEqual([first[0], first[third - 1], first[third], first.at(-1)], [1, 1, 2, 2]);
    assert.equal(out.take(BLOCK_SIZE).length, third);
  });

  it("WriteBuffer hands out a burst of small packets in views of at most max bytes, in order, never rewritten", () => {
    const out = new WriteBuffer();
    const packet = (i: number) => new Uint8Array(100).fill(i & 0xff);
    const parts: [Uint8Array, number][] = [];
    let pushed = 0;
    for (let i = 0; i < 5000; i++) {
      out.push(packet(i));
      pushed += 100;
      if (i % 1500 === 1499) {
        const part = out.take(BLOCK_SIZE);
        parts.push([part, part.reduce((a, b) => a + b, 0)]);
      }
    }
    while (out.size > 0) {
      const part = out.take(BLOCK_SIZE);
      assert.ok(part.length <= BLOCK_SIZE && part.length % 100 === 0, "whole packets within max");
      parts.push([part, part.reduce((a, b) => a + b, 0)]);
    }
    const all = parts.flatMap(([part]) => [...part]);
    assert.equal(all.length, pushed);
    for (let i = 0; i < 5000; i++) assert.equal(all[i * 100], i & 0xff);
    for (const [part, sum] of parts) {
      assert.equal(part.reduce((a, b) => a + b, 0), sum, "never written again");
    }
  });

  it("WriteBuffer starts a block made during a burst at the size the one before reached, and small again once all is out", () => {
    const out = new WriteBuffer();
    const packet = new Uint8Array(1024).fill(7);
    const perBlock = BLOCK_SIZE / packet.length;
    for (let i = 0; i < perBlock + 2; i++) out.push(packet); // fills one block, starts another
    const first = out.take(BLOCK_SIZE);
    assert.equal(first.length, BLOCK_SIZE);
    const second = out.take(BLOCK_SIZE);
    assert.equal(second.length, 2 * packet.length);
    assert.equal(second.buffer.byteLength, BLOCK_SIZE, "the second block starts full size");
    assert.equal(out.size, 0);
    out.push(packet);
    out.push(packet); // a new burst: a small first block again
    assert.ok(out.take().buffer.byteLength < BLOCK_SIZE);
  });
});
