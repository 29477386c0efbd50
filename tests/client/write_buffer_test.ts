import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WriteBuffer } from "../../src/client/_write_buffer.ts";

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
});
