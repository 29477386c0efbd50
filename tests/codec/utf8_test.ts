import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readUtf8, utf8Length, writeUtf8 } from "../../src/codec/utf8.ts";
import { MalformedPacketError } from "../../src/errors.ts";
import { fromHex } from "../_helpers/hex.ts";

const SAMPLES = [
  "",
  "a/b",
  "sensors/+/temperature",
  "café",
  "日本語/トピック",
  "emoji 😀 pair",
  "\uFEFFbom first",
  "x".repeat(300),
  "é".repeat(300),
  "😀".repeat(100),
];

describe("utf8Length", () => {
  for (const text of SAMPLES) {
    it(`utf8Length counts the UTF-8 bytes of ${JSON.stringify(text.slice(0, 12))}`, () => {
      assert.equal(utf8Length(text, "f"), new TextEncoder().encode(text).length);
    });
  }

  it("utf8Length refuses U+0000 [MQTT-1.5.4-2]", () => {
    assert.throws(() => utf8Length("a\u0000b", "topic"), /topic must not contain U\+0000/);
  });

  it("utf8Length refuses lone surrogates [MQTT-1.5.4-1]", () => {
    assert.throws(() => utf8Length("a\uD800", "topic"), RangeError);
    assert.throws(() => utf8Length("\uDC00a", "topic"), RangeError);
    assert.throws(() => utf8Length("\uD800\uD800", "topic"), RangeError);
  });

  it("utf8Length refuses more than 65,535 bytes and names the field", () => {
    assert.equal(utf8Length("a".repeat(65_535), "f"), 65_535);
    assert.throws(() => utf8Length("a".repeat(65_536), "clientId"), /clientId .*65535/);
    assert.throws(() => utf8Length("é".repeat(32_768), "f"), RangeError);
  });

  it("utf8Length refuses a value that is not a string with a TypeError", () => {
    assert.throws(() => utf8Length(42 as unknown as string, "username"), TypeError);
  });
});

describe("writeUtf8", () => {
  for (const text of SAMPLES) {
    it(`writeUtf8 writes the same bytes as TextEncoder for ${JSON.stringify(text.slice(0, 12))}`, () => {
      const expected = new TextEncoder().encode(text);
      const buf = new Uint8Array(expected.length + 2);
      assert.equal(writeUtf8(buf, 1, text), expected.length + 1);
      assert.deepEqual(buf.subarray(1, 1 + expected.length), expected);
    });
  }
});

describe("readUtf8", () => {
  for (const text of SAMPLES) {
    it(`readUtf8 reads back ${JSON.stringify(text.slice(0, 12))}`, () => {
      const bytes = new TextEncoder().encode(`--${text}--`);
      assert.equal(readUtf8(bytes, 2, bytes.length - 2, "f"), text);
    });
  }

  it("readUtf8 keeps a leading U+FEFF [MQTT-1.5.4-3]", () => {
    assert.equal(readUtf8(fromHex("ef bb bf 61"), 0, 4, "f"), "\uFEFFa");
  });

  it("readUtf8 refuses U+0000 in ASCII and non-ASCII text", () => {
    assert.throws(() => readUtf8(fromHex("61 00 62"), 0, 3, "topic name"), MalformedPacketError);
    assert.throws(() => readUtf8(fromHex("c3 a9 00"), 0, 3, "topic name"), /U\+0000/);
  });

  it("readUtf8 refuses ill-formed UTF-8 and encoded surrogates [MQTT-1.5.4-1]", () => {
    for (const bad of ["c0 80", "ed a0 80", "ff", "e6 97", "80", "f4 90 80 80"]) {
      const bytes = fromHex(bad);
      assert.throws(
        () => readUtf8(bytes, 0, bytes.length, "topic name"),
        (error: unknown) => error instanceof MalformedPacketError && error.reasonCode === 0x81,
        bad,
      );
    }
  });

  it("readUtf8 returns the right string for thousands of distinct short strings read twice", () => {
    // Exercises the decoded-string cache: hits must compare bytes, not trust the hash.
    const encoder = new TextEncoder();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const text = `t/${i.toString(36)}/${(i * 7919).toString(36)}`;
        const bytes = encoder.encode(text);
        assert.equal(readUtf8(bytes, 0, bytes.length, "f"), text);
      }
    }
  });
});
