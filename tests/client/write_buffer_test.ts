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
