/**
 * encodeWithin: the packets the session writes itself stay within the server's Maximum Packet
 * Size by dropping the Reason String first and then the User Properties ([MQTT-3.14.2-3],
 * [MQTT-3.14.2-4] and their counterparts for the acks).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodePacket, PacketEncoder } from "../../src/codec/mod.ts";
import type { DisconnectPacket, Packet, PubAckPacket } from "../../src/codec/types.ts";
import { Effects, encodeWithin } from "../../src/session/effects.ts";

const encoder = new PacketEncoder();
const wire = {
  encode: (p: Packet, max: number | undefined) => encodeWithin(encoder, p, 5, max),
};
const users: [string, string][] = [["k", "v".repeat(20)]];
const disconnect: DisconnectPacket = {
  type: "disconnect",
  reasonCode: 0x04,
  properties: { sessionExpiryInterval: 30, reasonString: "r".repeat(20), userProperties: users },
};
const full = encodePacket(disconnect, 5).length;
const withoutReason = encodePacket({
  ...disconnect,
  properties: { sessionExpiryInterval: 30, userProperties: users },
}, 5).length;
const bare = encodePacket({ ...disconnect, properties: { sessionExpiryInterval: 30 } }, 5).length;

describe("encodeWithin", () => {
  it("encodeWithin keeps every property when the packet fits or there is no limit", () => {
    assert.deepEqual(decodePacket(wire.encode(disconnect, full), 5), disconnect);
    assert.deepEqual(decodePacket(wire.encode(disconnect, undefined), 5), disconnect);
  });

  it("encodeWithin drops the reason string first, keeping the user properties if they fit", () => {
    assert.deepEqual(decodePacket(wire.encode(disconnect, withoutReason), 5), {
      ...disconnect,
      properties: { sessionExpiryInterval: 30, userProperties: users },
    });
  });

  it("encodeWithin then drops the user properties, keeping the other properties", () => {
    const bytes = wire.encode(disconnect, withoutReason - 1);
    assert.equal(bytes.length, bare);
    assert.deepEqual(decodePacket(bytes, 5), {
      ...disconnect,
      properties: { sessionExpiryInterval: 30 },
    });
  });

  it("encodeWithin applies the same order to an ack with properties", () => {
    const ack: PubAckPacket = {
      type: "pubrec",
      packetId: 7,
      reasonCode: 0x10,
      properties: { reasonString: "no subscribers here", userProperties: users },
    };
    const limit = encodePacket({ ...ack, properties: { userProperties: users } }, 5).length;
    assert.deepEqual(decodePacket(wire.encode(ack, limit), 5), {
      ...ack,
      properties: { userProperties: users },
    });
    assert.deepEqual(decodePacket(wire.encode(ack, limit - 1), 5), {
      type: "pubrec",
      packetId: 7,
      reasonCode: 0x10,
    });
  });
});

describe("Effects", () => {
  it("Effects.drain returns the outputs in order, then nothing, and stamps writes with now", () => {
    const fx = new Effects(4);
    fx.now = 7;
    fx.ack("puback", 3, 0x10);
    fx.log("info", "x");
    fx.resolve(1, undefined);
    fx.reject(2, "no");
    const actions = fx.drain();
    assert.deepEqual(actions.map((a) => a.type), ["write", "log", "resolve", "reject"]);
    assert.deepEqual(
      decodePacket((actions[0] as { bytes: Uint8Array }).bytes, 4),
      { type: "puback", packetId: 3, reasonCode: 0 },
      "the reason code is MQTT 5 only",
    );
    assert.equal(fx.lastWrite, 7);
    assert.equal(fx.drain().length, 0);
  });
});
