import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePacket } from "../../src/codec/mod.ts";
import type { PublishPacket } from "../../src/codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { find, Harness, kinds, packets } from "./_harness.ts";

function publish(
  topic: string,
  qos: 0 | 1 | 2,
  packetId?: number,
  extra: Partial<PublishPacket> = {},
): PublishPacket {
  const p: PublishPacket = {
    type: "publish",
    topic,
    payload: new Uint8Array([7]),
    qos,
    retain: false,
    dup: false,
    ...extra,
  };
  if (packetId !== undefined) p.packetId = packetId;
  return p;
}

const reconnect = { minDelay: 100, maxDelay: 100 };

describe("Session incoming", () => {
  it("Session delivers QoS 0 without an answer", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(publish("a", 0));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message"]);
    assert.deepEqual(find(steps, "message").message, publish("a", 0));
  });

  it("Session delivers QoS 1, then PUBACKs it", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(publish("a", 1, 9));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message", "write:puback"]);
    assert.deepEqual(packets(steps), [{ type: "puback", packetId: 9, reasonCode: 0 }]);
  });

  it("Session delivers QoS 2 exactly once: a duplicate before PUBREL only gets PUBREC again", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(publish("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
    h.serverSends(publish("a", 2, 5, { dup: true }));
    const again = h.drain();
    assert.deepEqual(kinds(again), ["write:pubrec"], "not delivered twice");
    assert.deepEqual(packets(again), [{ type: "pubrec", packetId: 5, reasonCode: 0 }]);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 5, reasonCode: 0 }]);
    h.serverSends(publish("a", 2, 5)); // the identifier is free again: a new message
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
  });

  it("Session answers PUBREL for an unknown identifier with PUBCOMP 0x92 on MQTT 5", () => {
    const h = new Harness();
    h.connected();
    h.serverSends({ type: "pubrel", packetId: 42, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 42, reasonCode: 0x92 }]);
  });

  it("Session answers PUBREL for an unknown identifier with a plain PUBCOMP on MQTT 3.1.1", () => {
    const h = new Harness({ protocolVersion: 4 });
    h.connected();
    h.serverSends({ type: "pubrel", packetId: 42, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 42, reasonCode: 0 }]);
  });

  it("Session disconnects with 0x93 when the server exceeds our Receive Maximum", () => {
    const h = new Harness({ properties: { receiveMaximum: 2 }, reconnect });
    h.connected();
    h.serverSends(publish("a", 2, 1));
    h.serverSends(publish("a", 2, 2));
    h.serverSends(publish("a", 2, 1, { dup: true })); // a duplicate does not count
    assert.equal(packets(h.drain()).length, 3);
    h.serverSends(publish("a", 2, 3));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected"]);
    assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x93 }]);
    const lost = find(steps, "disconnected");
    assert.ok(lost.error instanceof ProtocolError);
    assert.equal(lost.reconnectAt, h.now + 100);
  });

  it("Session resolves incoming topic aliases within our Topic Alias Maximum", () => {
    const h = new Harness({ properties: { topicAliasMaximum: 4 } });
    h.connected();
    h.serverSends(publish("sensors/1", 0, undefined, { properties: { topicAlias: 4 } }));
    h.serverSends(publish("", 0, undefined, { properties: { topicAlias: 4 } }));
    const topics = h.drain().flatMap((s) => (s.type === "message" ? [s.message.topic] : []));
    assert.deepEqual(topics, ["sensors/1", "sensors/1"]);
  });

  it("Session disconnects with 0x94 on an alias above our maximum or an unknown alias", () => {
    for (
      const packet of [
        publish("x", 0, undefined, { properties: { topicAlias: 5 } }),
        publish("", 0, undefined, { properties: { topicAlias: 2 } }),
      ]
    ) {
      const h = new Harness({ properties: { topicAliasMaximum: 4 } });
      h.connected();
      h.serverSends(packet);
      const steps = h.drain();
      assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected"]);
      assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x94 }]);
      assert.equal(h.session.state, "closed");
    }
  });

  it("Session disconnects with 0x94 on any alias when it allowed none", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(publish("x", 0, undefined, { properties: { topicAlias: 1 } }));
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0x94 }]);
  });

  it("Session disconnects with 0x95 when a packet exceeds our Maximum Packet Size", () => {
    const h = new Harness({ properties: { maximumPacketSize: 64 }, reconnect });
    h.connected();
    h.serverSends(publish("big", 0, undefined, { payload: new Uint8Array(100) }));
    const steps = h.drain();
    assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x95 }]);
    assert.equal(find(steps, "disconnected").error?.reasonCode, 0x95);
    assert.equal(h.session.state, "reconnecting");
  });

  it("Session disconnects with the decoder's reason code on malformed bytes (MQTT 5)", () => {
    const h = new Harness({ reconnect });
    h.connected();
    h.session.receive(new Uint8Array([0x00, 0x00]), h.now); // packet type 0 is reserved
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected"]);
    const lost = find(steps, "disconnected");
    assert.ok(lost.error instanceof MalformedPacketError);
    assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: lost.error.reasonCode }]);
    assert.equal(lost.reconnectAt, h.now + 100);
  });

  it("Session just closes on malformed bytes on MQTT 3.1.1 (no DISCONNECT reason codes)", () => {
    const h = new Harness({ protocolVersion: 4 });
    h.connected();
    h.session.receive(new Uint8Array([0x00, 0x00]), h.now);
    assert.deepEqual(kinds(h.drain()), ["close", "disconnected"]);
  });

  it("Session handles packets split across chunks and several packets in one chunk", () => {
    const h = new Harness();
    h.connected();
    const a = encodePacket(publish("a", 1, 1), 5);
    const b = encodePacket(publish("b", 0), 5);
    const all = new Uint8Array([...a, ...b]);
    h.session.receive(all.subarray(0, 3), h.now);
    assert.deepEqual(h.drain(), []);
    h.session.receive(all.subarray(3), h.now);
    assert.deepEqual(kinds(h.drain()), ["message", "write:puback", "message"]);
  });

  it("Session stops handling a chunk's packets once one of them ended the connection", () => {
    const h = new Harness({ properties: { topicAliasMaximum: 1 } });
    h.connected();
    const bad = encodePacket(publish("x", 0, undefined, { properties: { topicAlias: 2 } }), 5);
    const good = encodePacket(publish("y", 0), 5);
    h.session.receive(new Uint8Array([...bad, ...good]), h.now);
    assert.deepEqual(kinds(h.drain()), ["write:disconnect", "close", "disconnected"]);
  });

  it("Session treats a second CONNACK as a protocol error", () => {
    const h = new Harness();
    h.connected();
    h.connack();
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0x82 }]);
  });
});
