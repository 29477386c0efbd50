/**
 * Runs the codec's fixture tables, the one style of tests/codec:
 *
 * - {@link checkFixtures}: packet object ⇄ exact bytes. Every row is encoded (by `encodePacket`,
 *   whose bytes must own their buffer, by a `PacketEncoder`, and sized by `encodedLength`) and
 *   compared with its hex; its hex is decoded (by `decodePacket` and a `PacketDecoder`).
 * - {@link checkDecodeOnly}: valid but non-canonical bytes → object.
 * - {@link checkEncodeRefusals}: packet objects `encodePacket` must refuse, with the error class
 *   and a message pattern.
 * - {@link checkDecodeRefusals}: bytes `decodePacket` must refuse, with the error class and
 *   reason code.
 *
 * @module
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  decodePacket,
  encodedLength,
  encodePacket,
  PacketDecoder,
  PacketEncoder,
} from "../../src/codec/mod.ts";
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
      const bytes = encodePacket(row.packet, row.version);
      assertSameBytes(bytes, frame);
      assertOwnsBuffer(bytes);
      assert.equal(encodedLength(row.packet, row.version), frame.length);
      assertSameBytes(encodePacket(withOffsetViews(row.packet), row.version), frame);
    });
    it(`PacketEncoder.encode writes ${row.name} (v${row.version})`, () => {
      const encoder = new PacketEncoder();
      assertSameBytes(encoder.encode(row.packet, row.version), frame);
      assertSameBytes(encoder.encode(withOffsetViews(row.packet), row.version), frame);
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

/** Asserts that `bytes` is the whole of its own buffer (what `encodePacket` promises). */
export function assertOwnsBuffer(bytes: Uint8Array): void {
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.length);
}

/** One packet object the encoder must refuse. */
export interface EncodeRefusal {
  /** What is wrong with it; test names are "encodePacket refuses <name> (vN)". */
  name: string;
  version: ProtocolVersion;
  /** The packet object (any shape: refusals include wrong types). */
  packet: unknown;
  /** The error class, TypeError for a wrong type and RangeError for a bad value. */
  error: typeof TypeError | typeof RangeError;
  /** A pattern the message must match (it names the field). */
  message: RegExp;
}

/**
 * Registers one test per row: `encodePacket`, `encodedLength` and `PacketEncoder.encode` all
 * throw `row.error` with a message matching `row.message`.
 */
export function checkEncodeRefusals(rows: EncodeRefusal[]): void {
  for (const row of rows) {
    it(`encodePacket refuses ${row.name} (v${row.version})`, () => {
      const packet = row.packet as Packet;
      const expected = (error: unknown) =>
        error instanceof row.error && error.constructor === row.error &&
        row.message.test(error.message);
      assert.throws(() => encodePacket(packet, row.version), expected);
      assert.throws(() => encodedLength(packet, row.version), expected);
      assert.throws(() => new PacketEncoder().encode(packet, row.version), expected);
    });
  }
}

/** One frame the decoder must refuse. */
export interface DecodeRefusal {
  /** What is wrong with it; test names are "decodePacket refuses <name> (vN)". */
  name: string;
  version: ProtocolVersion;
  /** The frame as hex. */
  hex: string;
  /** The error class. */
  error: typeof MalformedPacketError | typeof ProtocolError;
  /** The reason code the error must carry, when the row cares. */
  reasonCode?: number;
}

/** Registers one test per row: `decodePacket` refuses the frame. */
export function checkDecodeRefusals(rows: DecodeRefusal[]): void {
  for (const row of rows) {
    itRefusesDecoding(
      `${row.name} (v${row.version})`,
      row.hex,
      row.version,
      row.error,
      row.reasonCode,
    );
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
