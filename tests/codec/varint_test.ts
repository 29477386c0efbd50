import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  readVarint,
  VARINT_INCOMPLETE,
  VARINT_MALFORMED,
  varintSize,
  writeVarint,
} from "../../src/codec/_varint.ts";
import { fromHex, hex } from "../_helpers/hex.ts";

// MQTT 5 §1.5.5 / MQTT 3.1.1 §2.2.3 Table 2.4: the boundaries of each encoded size.
const FIXTURES: [number, string][] = [
  [0, "00"],
  [127, "7f"],
  [128, "80 01"],
  [321, "c1 02"],
  [16_383, "ff 7f"],
  [16_384, "80 80 01"],
  [2_097_151, "ff ff 7f"],
  [2_097_152, "80 80 80 01"],
  [268_435_455, "ff ff ff 7f"],
];

describe("Variable Byte Integer", () => {
  for (const [value, bytes] of FIXTURES) {
    it(`writeVarint writes ${value} as ${bytes}`, () => {
      const buf = new Uint8Array(4);
      const end = writeVarint(buf, 0, value);
      assert.equal(hex(buf.subarray(0, end)), bytes);
      assert.equal(varintSize(value), end);
    });

    it(`readVarint reads ${bytes} as ${value}`, () => {
      const buf = fromHex(`aa ${bytes} bb`);
      assert.equal(readVarint(buf, 1, buf.length), value);
      // Only minimal encodings are read, so varintSize gives the byte count consumed.
      assert.equal(varintSize(value), fromHex(bytes).length);
    });
  }

  it("readVarint reports an integer cut short as incomplete, not malformed", () => {
    assert.equal(readVarint(fromHex("80 80"), 0, 2), VARINT_INCOMPLETE);
    assert.equal(readVarint(fromHex("ff ff ff"), 0, 3), VARINT_INCOMPLETE);
    assert.equal(readVarint(fromHex("81 01"), 0, 1), VARINT_INCOMPLETE);
    assert.equal(readVarint(new Uint8Array(0), 0, 0), VARINT_INCOMPLETE);
  });

  it("readVarint refuses a fifth byte (more than 268,435,455)", () => {
    assert.equal(readVarint(fromHex("ff ff ff ff 01"), 0, 5), VARINT_MALFORMED);
    assert.equal(readVarint(fromHex("80 80 80 80"), 0, 4), VARINT_MALFORMED);
  });

  it("readVarint refuses encodings that are not minimal [MQTT-1.5.5-1]", () => {
    assert.equal(readVarint(fromHex("80 00"), 0, 2), VARINT_MALFORMED);
    assert.equal(readVarint(fromHex("ff 80 00"), 0, 3), VARINT_MALFORMED);
    assert.equal(readVarint(fromHex("80 80 80 00"), 0, 4), VARINT_MALFORMED);
  });

  it("readVarint stops at end even when the buffer goes on", () => {
    assert.equal(readVarint(fromHex("80 01"), 0, 1), VARINT_INCOMPLETE);
  });
});
