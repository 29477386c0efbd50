/**
 * Round trips of thousands of random valid packets per protocol version:
 * encode → decode deep-equals the original, re-encoding gives the same bytes, encodedLength
 * predicts the size, and a PacketDecoder reads the whole batch back from one buffer.
 *
 * The seed is fixed so the suite is deterministic; set KORERO_SEED to explore others.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodedLength, encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet, PacketType, ProtocolVersion } from "../../src/codec/types.ts";
import { packetTypes, randomAnyPacket, randomPacket, Rng } from "../_helpers/packet_gen.ts";
import { concat, hex } from "../_helpers/hex.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const BASE_SEED = Number(env?.KORERO_SEED ?? 20240611);
const PER_VERSION = 3000;
const PER_TYPE = 200;

function show(packet: Packet): string {
  return JSON.stringify(
    packet,
    (_key, value) => value instanceof Uint8Array ? `<${value.length} bytes>` : value,
  );
}

function roundTrip(packet: Packet, version: ProtocolVersion, seed: number): Uint8Array {
  let frame: Uint8Array;
  try {
    frame = encodePacket(packet, version);
  } catch (error) {
    assert.fail(`seed ${seed}: encodePacket threw ${error} for ${show(packet)}`);
  }
  let decoded: Packet;
  try {
    decoded = decodePacket(frame, version);
  } catch (error) {
    assert.fail(
      `seed ${seed}: decodePacket threw ${error} for ${show(packet)}\n${
        hex(frame.subarray(0, 200))
      }`,
    );
  }
  assert.deepStrictEqual(decoded, packet, `seed ${seed}: ${show(packet)}`);
  assert.equal(encodedLength(packet, version), frame.length, `seed ${seed}: encodedLength`);
  assert.equal(hex(encodePacket(decoded, version)), hex(frame), `seed ${seed}: re-encoding`);
  return frame;
}

for (const version of [3, 4, 5] as ProtocolVersion[]) {
  describe(`encodePacket/decodePacket round trip, MQTT v${version}`, () => {
    for (const type of packetTypes(version)) {
      it(`decodePacket inverts encodePacket for ${PER_TYPE} random ${type} packets (v${version})`, () => {
        const seed = BASE_SEED + version * 1000 + type.length * 17 + type.charCodeAt(0);
        const rng = new Rng(seed);
        for (let i = 0; i < PER_TYPE; i++) {
          roundTrip(randomPacket(rng, version, type as PacketType), version, seed);
        }
      });
    }

    it(`PacketDecoder reads back ${PER_VERSION} random packets from one buffer (v${version})`, () => {
      const seed = BASE_SEED + version;
      const rng = new Rng(seed);
      const packets: Packet[] = [];
      const frames: Uint8Array[] = [];
      for (let i = 0; i < PER_VERSION; i++) {
        const packet = randomAnyPacket(rng, version);
        packets.push(packet);
        frames.push(roundTrip(packet, version, seed));
      }
      const decoder = new PacketDecoder({ protocolVersion: version });
      const decoded = decoder.push(concat(...frames));
      assert.equal(decoded.length, packets.length, `seed ${seed}`);
      for (let i = 0; i < packets.length; i++) {
        assert.deepStrictEqual(decoded[i], packets[i], `seed ${seed}, packet ${i}`);
      }
    });
  });
}
