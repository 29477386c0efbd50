/**
 * `utf8Bytes`: a string payload's UTF-8 bytes, from a shared pool on V8 runtimes, from
 * `TextEncoder.encode` on Bun and for long strings. Whatever the source, the bytes are exactly
 * `TextEncoder`'s, and no two results share memory.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Bytes } from "../../src/client/_utf8_pool.ts";

const encoder = new TextEncoder();

/** A string of `n` UTF-16 units mixing 1-, 2-, 3- and 4-byte characters and lone surrogates. */
function mixed(n: number, seed: number): string {
  const parts = ["a", "~", "é", "ß", "€", "中", "\u{1f600}", "\ud800", "\udfff", "\u0000"];
  let text = "";
  let x = seed;
  while (text.length < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    text += parts[x % parts.length];
  }
  return text;
}

describe("utf8Bytes", () => {
  it("gives TextEncoder's bytes for ASCII, non-ASCII, surrogate pairs and lone surrogates", () => {
    for (const text of ["", "a", "21.5", "température ☀", "\u{1f600}", "\ud800x", "x\udfff"]) {
      assert.deepEqual(utf8Bytes(text), encoder.encode(text), JSON.stringify(text));
    }
  });

  it("gives TextEncoder's bytes for strings of every length around the pool's limits", () => {
    for (const n of [1, 15, 16, 255, 1000, 2047, 2048, 2049, 5000, 20_000]) {
      const text = mixed(n, n);
      const bytes = utf8Bytes(text);
      assert.ok(bytes instanceof Uint8Array);
      assert.deepEqual(bytes, encoder.encode(text), `length ${n}`);
    }
  });

  it("never hands out the same memory twice, across many pools", () => {
    // ~40 KB of 3-byte characters: several pools fill up and are replaced.
    const results: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 4000; i++) {
      const text = mixed(1 + (i % 37), i);
      results.push([utf8Bytes(text), encoder.encode(text)]);
    }
    for (const [bytes] of results) bytes.fill(0xff); // a write to one must not reach another
    for (let i = 0; i < results.length; i++) {
      const [bytes, expected] = results[i]!;
      assert.equal(bytes.length, expected.length, `result ${i}`);
      assert.ok(bytes.every((b) => b === 0xff), `result ${i} was overwritten by another`);
    }
    // Where two results share a buffer, their byte ranges do not overlap.
    const byBuffer = new Map<ArrayBufferLike, [number, number][]>();
    for (const [bytes] of results) {
      const ranges = byBuffer.get(bytes.buffer) ?? [];
      ranges.push([bytes.byteOffset, bytes.byteOffset + bytes.length]);
      byBuffer.set(bytes.buffer, ranges);
    }
    for (const ranges of byBuffer.values()) {
      ranges.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]![0] >= ranges[i - 1]![1]);
    }
  });
});
