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

  it("Effects joins acknowledgements written one after another into one urgent write", () => {
    const fx = new Effects(5);
    fx.now = 3;
    fx.ack("puback", 1, 0);
    fx.ack("pubrec", 2, 0);
    fx.ack("pubrel", 3, 0);
    fx.ack("pubcomp", 0xffff, 0);
    fx.emit({ type: "log", level: "info", message: "between" });
    fx.ack("puback", 4, 0);
    const actions = fx.drain();
    assert.deepEqual(actions.map((a) => a.type), ["write", "log", "write"]);
    const [first, , last] = actions as { bytes: Uint8Array; urgent?: true }[];
    const expected = [
      encodePacket({ type: "puback", packetId: 1, reasonCode: 0 }, 5),
      encodePacket({ type: "pubrec", packetId: 2, reasonCode: 0 }, 5),
      encodePacket({ type: "pubrel", packetId: 3, reasonCode: 0 }, 5),
      encodePacket({ type: "pubcomp", packetId: 0xffff, reasonCode: 0 }, 5),
    ];
    assert.deepEqual([...first!.bytes], expected.flatMap((bytes) => [...bytes]));
    assert.equal(first!.urgent, true);
    assert.deepEqual(decodePacket(last!.bytes, 5), { type: "puback", packetId: 4, reasonCode: 0 });
    assert.equal(last!.urgent, true);
    assert.equal(fx.lastWrite, 3);
    // The scratch is reused, the bytes handed out are not.
    fx.ack("puback", 9, 0);
    fx.drain();
    assert.deepEqual([...first!.bytes.subarray(0, 4)], [0x40, 2, 0, 1]);
  });

  it("Effects hands out a long run of acknowledgements whole, and later ones do not change it", () => {
    const fx = new Effects(4);
    for (let id = 1; id <= 40; id++) fx.ack("puback", id, 0);
    const [run] = fx.drain() as { bytes: Uint8Array }[];
    for (let id = 100; id <= 140; id++) fx.ack("pubcomp", id, 0);
    fx.drain();
    assert.equal(run!.bytes.length, 160);
    const ids = [];
    for (let at = 0; at < 160; at += 4) {
      const packet = decodePacket(run!.bytes.subarray(at, at + 4), 4);
      assert.equal(packet.type, "puback");
      ids.push((packet as { packetId: number }).packetId);
    }
    assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("Effects writes an ack on its own when it has a reason code, is not urgent, or is invalid", () => {
    const fx = new Effects(5);
    fx.ack("puback", 1, 0);
    fx.ack("puback", 2, 0x10);
    fx.ack("pubrel", 3, 0, false);
    const actions = fx.drain() as { bytes: Uint8Array; urgent?: true }[];
    assert.deepEqual(actions.map((a) => [decodePacket(a.bytes, 5), a.urgent]), [
      [{ type: "puback", packetId: 1, reasonCode: 0 }, true],
      [{ type: "puback", packetId: 2, reasonCode: 0x10 }, true],
      [{ type: "pubrel", packetId: 3, reasonCode: 0 }, undefined],
    ]);
    assert.throws(() => fx.ack("puback", 0, 0), RangeError);
    assert.throws(() => fx.ack("puback", 1.5, 0), RangeError);
    assert.throws(() => fx.ack("puback", 0x10000, 0), RangeError);
  });
});
