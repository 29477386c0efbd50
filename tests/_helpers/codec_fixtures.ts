/**
 * Runs object ⇄ hex fixture tables against the codec: every row is encoded and compared with
 * its hex, and its hex is decoded (by `decodePacket` and by a `PacketDecoder`) and compared
 * with its object.
 *
 * @module
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, ProtocolVersion } from "../../src/codec/types.ts";
import type { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex, hex } from "./hex.ts";

/** One row: a packet object and the exact bytes it is on the wire for `version`. */
export interface Fixture {
  /** Describes the row; test names are "encodePacket writes <name>" etc. */
  name: string;
  version: ProtocolVersion;
  packet: Packet;
  /** The frame, as hex (spaces and `|` ignored), or the bytes themselves for big frames. */
  hex: string | Uint8Array;
}

/** A row for a valid but non-canonical encoding, which is only decoded. */
export type DecodeFixture = Fixture;

function frameOf(row: Fixture): Uint8Array {
  return typeof row.hex === "string" ? fromHex(row.hex) : row.hex;
}

/** Asserts byte equality, showing hex for small frames and the first difference for big ones. */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (actual.length <= 512 && expected.length <= 512) {
    assert.equal(hex(actual), hex(expected));
    return;
  }
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  assert.ok(
    i === actual.length && i === expected.length,
    `lengths ${actual.length} and ${expected.length}, first difference at byte ${i}`,
  );
}

/**
 * A deep copy of `value` whose every Uint8Array is a view at a non-zero offset into a larger
 * buffer filled with 0xEE, to catch code that ignores `byteOffset` / `byteLength`.
 */
export function withOffsetViews<T>(value: T): T {
  if (value instanceof Uint8Array) {
    const host = new Uint8Array(value.length + 7).fill(0xee);
    host.set(value, 3);
    return host.subarray(3, 3 + value.length) as T;
  }
  if (Array.isArray(value)) return value.map(withOffsetViews) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = withOffsetViews(field);
    return out as T;
  }
  return value;
}

/**
 * Registers three tests per row: encode, decodePacket and PacketDecoder. The encode test
 * also encodes the packet with its byte fields as offset views, and the decode test also
 * decodes the frame from an offset view into a larger buffer.
 */
export function checkFixtures(rows: Fixture[]): void {
  for (const row of rows) {
    const frame = frameOf(row);
    it(`encodePacket writes ${row.name} (v${row.version})`, () => {
      assertSameBytes(encodePacket(row.packet, row.version), frame);
      assertSameBytes(encodePacket(withOffsetViews(row.packet), row.version), frame);
    });
    it(`decodePacket reads ${row.name} (v${row.version})`, () => {
      assert.deepStrictEqual(decodePacket(frame, row.version), row.packet);
      assert.deepStrictEqual(decodePacket(withOffsetViews(frame), row.version), row.packet);
    });
    it(`PacketDecoder.push reads ${row.name} (v${row.version})`, () => {
      const decoder = new PacketDecoder({ protocolVersion: row.version });
      assert.deepStrictEqual(decoder.push(frame), [row.packet]);
    });
  }
}

/** Registers one decode test per row (for encodings the encoder does not produce). */
export function checkDecodeOnly(rows: DecodeFixture[]): void {
  for (const row of rows) {
    const frame = frameOf(row);
    it(`decodePacket accepts ${row.name} (v${row.version})`, () => {
      assert.deepStrictEqual(decodePacket(frame, row.version), row.packet);
    });
  }
}

/**
 * Declares a test that `decodePacket` refuses the frame `bytes` (hex) with an error of class
 * `type`, and with `reasonCode` when one is given.
 */
export function itRefusesDecoding(
  name: string,
  bytes: string,
  version: ProtocolVersion,
  type: typeof MalformedPacketError | typeof ProtocolError,
  reasonCode?: number,
): void {
  it(`decodePacket refuses ${name}`, () => {
    assert.throws(
      () => decodePacket(fromHex(bytes), version),
      (error: unknown) =>
        error instanceof type && (reasonCode === undefined || error.reasonCode === reasonCode),
    );
  });
}
