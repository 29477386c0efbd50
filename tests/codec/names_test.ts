/** The named constants (paho's names) are the numbers the codec writes and reads. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodePacket,
  encodePacket,
  MQTTv31,
  MQTTv311,
  MQTTv5,
  type ProtocolVersion,
  RetainHandling,
  type Subscription,
} from "../../src/codec/mod.ts";

describe("MQTTv31, MQTTv311 and MQTTv5", () => {
  it("MQTTv31, MQTTv311 and MQTTv5 are the protocol levels 3, 4 and 5", () => {
    assert.deepEqual([MQTTv31, MQTTv311, MQTTv5], [3, 4, 5]);
  });

  it("MQTTv31, MQTTv311 and MQTTv5 are the protocol level a CONNECT carries", () => {
    for (const version of [MQTTv31, MQTTv311, MQTTv5] satisfies ProtocolVersion[]) {
      const bytes = encodePacket(
        { type: "connect", protocolVersion: version, clientId: "c", clean: true, keepalive: 0 },
        version,
      );
      const level = version === MQTTv31 ? bytes[10] : bytes[8]; // after "MQIsdp" / "MQTT"
      assert.equal(level, version);
      const packet = decodePacket(bytes, version);
      assert.equal(packet.type === "connect" && packet.protocolVersion, version);
    }
  });
});

describe("RetainHandling", () => {
  it("RetainHandling names 0, 1 and 2 as paho's RETAIN_* constants", () => {
    assert.deepEqual(RetainHandling, {
      SendOnSubscribe: 0,
      SendIfNewSubscription: 1,
      DoNotSend: 2,
    });
  });

  it("RetainHandling values are bits 4-5 of the SUBSCRIBE options byte, both ways", () => {
    for (const retainHandling of Object.values(RetainHandling)) {
      const subscription: Subscription = {
        topicFilter: "t",
        qos: 0,
        noLocal: false,
        retainAsPublished: false,
        retainHandling,
      };
      const bytes = encodePacket(
        { type: "subscribe", packetId: 1, subscriptions: [subscription] },
        5,
      );
      assert.equal(bytes.at(-1), retainHandling << 4);
      const packet = decodePacket(bytes, 5);
      assert.equal(
        packet.type === "subscribe" && packet.subscriptions[0]?.retainHandling,
        retainHandling,
      );
    }
  });
});
