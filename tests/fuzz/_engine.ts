/**
 * The fuzzing engine shared by the bounded suite test (fuzz_test.ts) and the standalone runner
 * (fuzz_main.ts).
 *
 * Every input is a pure function of (seed, index): `Fuzzer.make(index)` rebuilds it, so an
 * escape is reproduced from the two numbers printed with it. The only exceptions allowed out
 * of the codec are MqttError subclasses; anything else is an escape. A frame that decodes is
 * re-encoded, and the re-encoding must decode and encode to the same bytes again.
 *
 * @module
 */
import { decodePacket, encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, ProtocolVersion } from "../../src/codec/types.ts";
import { MalformedPacketError, MqttError, ProtocolError } from "../../src/errors.ts";
import { hex } from "../_helpers/hex.ts";
import { randomAnyPacket, Rng } from "../_helpers/packet_gen.ts";

/** How an input is made. */
export type Strategy = "random" | "truncated" | "bitflip" | "spliced" | "stream";

/** One fuzz input: bytes for `decodePacket`, or a chunked stream for a `PacketDecoder`. */
export interface FuzzCase {
  index: number;
  strategy: Strategy;
  version: ProtocolVersion;
  bytes: Uint8Array;
  /** Stream inputs only: chunk boundaries (sorted offsets into `bytes`). */
  cuts?: number[];
  /** Stream inputs only: the decoder's limit. */
  maximumPacketSize?: number;
}

/** What one input did. */
export type Outcome = "ok" | "malformed" | "protocol" | "oversize" | "other";

/** Counts per outcome, plus packets decoded and the ones the encoder would not write back. */
export interface FuzzCounts {
  inputs: number;
  ok: number;
  malformed: number;
  protocol: number;
  oversize: number;
  other: number;
  packets: number;
  notReencodable: number;
}

/** An input that made the codec misbehave. */
export class FuzzEscape extends Error {
  constructor(readonly seed: number, readonly input: FuzzCase, readonly problem: unknown) {
    const shown = input.bytes.length > 256
      ? `${hex(input.bytes.subarray(0, 256))} … (${input.bytes.length} bytes)`
      : hex(input.bytes);
    super(
      `fuzz escape: seed ${seed} index ${input.index} (${input.strategy}, v${input.version}` +
        `${input.cuts ? `, cuts ${input.cuts.join(",")}` : ""}` +
        `${input.maximumPacketSize ? `, max ${input.maximumPacketSize}` : ""}): ` +
        `${problem instanceof Error ? `${problem.name}: ${problem.message}` : String(problem)}` +
        `\ninput: ${shown}`,
      { cause: problem },
    );
    this.name = "FuzzEscape";
  }
}

/** An empty set of counts. */
export function newCounts(): FuzzCounts {
  return {
    inputs: 0,
    ok: 0,
    malformed: 0,
    protocol: 0,
    oversize: 0,
    other: 0,
    packets: 0,
    notReencodable: 0,
  };
}

const VERSIONS: ProtocolVersion[] = [3, 4, 5];
/** First bytes that pass the fixed-header check, so bodies get parsed. */
const GOOD_FIRST_BYTES = [
  0x10,
  0x20,
  0x30,
  0x31,
  0x32,
  0x33,
  0x34,
  0x35,
  0x38,
  0x3a,
  0x3d,
  0x40,
  0x50,
  0x62,
  0x70,
  0x82,
  0x90,
  0xa2,
  0xb0,
  0xc0,
  0xd0,
  0xe0,
  0xf0,
];
const CORPUS_SIZE = 400;

function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** `body` behind a fixed header whose remaining length matches it. */
function frameWithBody(firstByte: number, body: Uint8Array): Uint8Array {
  const length = varintBytes(body.length);
  const out = new Uint8Array(1 + length.length + body.length);
  out[0] = firstByte;
  out.set(length, 1);
  out.set(body, 1 + length.length);
  return out;
}

/** Offset of the body of a well-formed frame. */
function bodyOffset(frame: Uint8Array): number {
  let i = 1;
  while (i < frame.length && (frame[i] as number) >= 0x80) i++;
  return i + 1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Deterministic fuzz inputs and their execution. */
export class Fuzzer {
  readonly seed: number;
  readonly #corpus: Map<ProtocolVersion, Uint8Array[]> = new Map();

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const rng = new Rng(mix(this.seed, 0xffffffff));
    for (const version of VERSIONS) {
      const frames: Uint8Array[] = [];
      while (frames.length < CORPUS_SIZE) {
        const packet = randomAnyPacket(rng, version);
        // Keep the corpus small-framed so mutations land in headers and properties.
        if ("payload" in packet && packet.payload.length > 64) {
          packet.payload = packet.payload.subarray(0, rng.int(0, 64));
        }
        frames.push(encodePacket(packet, version));
      }
      this.#corpus.set(version, frames);
    }
  }

  /** The input number `index` (a pure function of the seed and the index). */
  make(index: number): FuzzCase {
    const rng = new Rng(mix(this.seed, index));
    const version = rng.pick(VERSIONS);
    const corpus = this.#corpus.get(version) as Uint8Array[];
    const pick = () => corpus[rng.int(0, corpus.length - 1)] as Uint8Array;
    const roll = rng.int(0, 99);
    if (roll < 15) {
      const body = rng.bytes(rng.length(48));
      const first = rng.chance(0.7) ? rng.pick(GOOD_FIRST_BYTES) : rng.int(0, 255);
      const bytes = rng.chance(0.6)
        ? frameWithBody(first, body)
        : Uint8Array.of(first, ...body.subarray(0, 40));
      return { index, strategy: "random", version, bytes };
    }
    if (roll < 25) {
      const frame = pick();
      return {
        index,
        strategy: "truncated",
        version,
        bytes: frame.slice(0, rng.int(0, frame.length - 1)),
      };
    }
    if (roll < 50) {
      const bytes = pick().slice();
      for (let n = rng.int(1, 3); n > 0; n--) {
        const at = rng.int(0, bytes.length - 1);
        bytes[at] = rng.chance(0.7)
          ? (bytes[at] as number) ^ (1 << rng.int(0, 7))
          : rng.int(0, 255);
      }
      return { index, strategy: "bitflip", version, bytes };
    }
    if (roll < 85) {
      // Mutate the body, then give it a matching remaining length so the body parser runs.
      const frame = pick();
      const start = bodyOffset(frame);
      const body = Array.from(frame.subarray(start));
      for (let n = rng.int(1, 3); n > 0; n--) {
        const at = rng.int(0, body.length);
        const op = rng.int(0, 3);
        const value = rng.pick([0x00, 0x01, 0x7f, 0x80, 0xff, rng.int(0, 255)]);
        if (op === 0 && body.length > 0) body.splice(Math.min(at, body.length - 1), 1);
        else if (op === 1) body.splice(at, 0, value);
        else if (body.length > 0) body[Math.min(at, body.length - 1)] = value;
      }
      const first = rng.chance(0.9) ? (frame[0] as number) : rng.pick(GOOD_FIRST_BYTES);
      return {
        index,
        strategy: "spliced",
        version,
        bytes: frameWithBody(first, Uint8Array.from(body)),
      };
    }
    // A stream of a few frames, maybe one corrupted, cut into random chunks.
    const frames: Uint8Array[] = [];
    for (let n = rng.int(2, 6); n > 0; n--) {
      const frame = pick().slice();
      if (rng.chance(0.15)) frame[rng.int(0, frame.length - 1)] = rng.int(0, 255);
      frames.push(frame);
    }
    let length = 0;
    for (const frame of frames) length += frame.length;
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const frame of frames) {
      bytes.set(frame, at);
      at += frame.length;
    }
    const cuts: number[] = [];
    for (let cut = rng.int(0, 8); cut < bytes.length; cut += rng.int(1, 24)) {
      if (cut > 0) cuts.push(cut);
    }
    const input: FuzzCase = { index, strategy: "stream", version, bytes, cuts };
    if (rng.chance(0.3)) input.maximumPacketSize = rng.int(2, 128);
    return input;
  }

  /** Runs one input, adds it to `counts`, and throws a {@link FuzzEscape} on misbehaviour. */
  run(input: FuzzCase, counts: FuzzCounts): Outcome {
    counts.inputs++;
    let outcome: Outcome;
    try {
      if (input.strategy === "stream") {
        const decoder = new PacketDecoder(
          input.maximumPacketSize === undefined
            ? { protocolVersion: input.version }
            : { protocolVersion: input.version, maximumPacketSize: input.maximumPacketSize },
        );
        let start = 0;
        for (const cut of [...(input.cuts ?? []), input.bytes.length]) {
          for (const packet of decoder.push(input.bytes.subarray(start, cut))) {
            this.#check(packet, input, counts);
          }
          start = cut;
        }
      } else {
        const packet = decodePacket(input.bytes, input.version);
        if (input.strategy === "truncated") {
          throw new FuzzEscape(this.seed, input, "decodePacket accepted a truncated frame");
        }
        this.#check(packet, input, counts);
      }
      outcome = "ok";
    } catch (error) {
      if (error instanceof FuzzEscape) throw error;
      if (!(error instanceof MqttError)) throw new FuzzEscape(this.seed, input, error);
      if (error instanceof MalformedPacketError) {
        outcome = error.reasonCode === 0x95 ? "oversize" : "malformed";
      } else if (error instanceof ProtocolError) {
        outcome = "protocol";
      } else {
        outcome = "other";
      }
    }
    counts[outcome]++;
    return outcome;
  }

  /** A decoded packet must survive encode → decode → encode with identical bytes. */
  #check(packet: Packet, input: FuzzCase, counts: FuzzCounts): void {
    counts.packets++;
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet, input.version);
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        // The decoder may accept what a careful encoder refuses to write (counted, reported).
        counts.notReencodable++;
        return;
      }
      throw new FuzzEscape(this.seed, input, error);
    }
    let again: Uint8Array;
    try {
      again = encodePacket(decodePacket(bytes, input.version), input.version);
    } catch (error) {
      throw new FuzzEscape(this.seed, input, error);
    }
    if (!sameBytes(again, bytes)) {
      throw new FuzzEscape(this.seed, input, `re-encoding differs: ${hex(bytes)} vs ${hex(again)}`);
    }
  }
}
