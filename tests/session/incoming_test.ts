import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePacket, type Packet } from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { delivered, find, Harness, inbound, kinds, packets } from "./_harness.ts";

const reconnect = { minDelay: 100, maxDelay: 100 };

describe("Session incoming", () => {
  it("Session delivers QoS 0 without an answer", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(inbound("a", 0));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message"]);
    const { type: _type, ...fields } = inbound("a", 0);
    assert.deepEqual(find(steps, "message").message, {
      ...fields,
      mid: 0,
      timestamp: 0,
      receipt: 0,
    });
  });

  it("Session delivers QoS 1, then PUBACKs it", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(inbound("a", 1, 9));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message", "write:puback"]);
    assert.deepEqual(packets(steps), [{ type: "puback", packetId: 9, reasonCode: 0 }]);
  });

  it("Session delivers QoS 2 exactly once: a duplicate before PUBREL only gets PUBREC again", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(inbound("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    const again = h.drain();
    assert.deepEqual(kinds(again), ["write:pubrec"], "not delivered twice");
    assert.deepEqual(packets(again), [{ type: "pubrec", packetId: 5, reasonCode: 0 }]);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 5, reasonCode: 0 }]);
    h.serverSends(inbound("a", 2, 5)); // the identifier is free again: a new message
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
    h.serverSends(inbound("a", 2, 1));
    h.serverSends(inbound("a", 2, 2));
    assert.equal(packets(h.drain()).length, 2, "two PUBRECs");
    h.serverSends(inbound("a", 2, 1, { dup: true })); // a duplicate does not count
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 1, reasonCode: 0 }]);
    h.serverSends(inbound("a", 2, 3));
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
    h.serverSends(inbound("sensors/1", 0, undefined, { properties: { topicAlias: 4 } }));
    h.serverSends(inbound("", 0, undefined, { properties: { topicAlias: 4 } }));
    const topics = h.drain().flatMap((s) => (s.type === "message" ? [s.message.topic] : []));
    assert.deepEqual(topics, ["sensors/1", "sensors/1"]);
  });

  it("Session disconnects with 0x94 on an alias above our maximum or an unknown alias", () => {
    for (
      const packet of [
        inbound("x", 0, undefined, { properties: { topicAlias: 5 } }),
        inbound("", 0, undefined, { properties: { topicAlias: 2 } }),
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
    h.serverSends(inbound("x", 0, undefined, { properties: { topicAlias: 1 } }));
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0x94 }]);
  });

  it("Session disconnects with 0x95 when a packet exceeds our Maximum Packet Size", () => {
    const h = new Harness({ properties: { maximumPacketSize: 64 }, reconnect });
    h.connected();
    h.serverSends(inbound("big", 0, undefined, { payload: new Uint8Array(100) }));
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
    const a = encodePacket(inbound("a", 1, 1), 5);
    const b = encodePacket(inbound("b", 0), 5);
    const all = new Uint8Array([...a, ...b]);
    h.session.receive(all.subarray(0, 3), h.now);
    assert.deepEqual(h.drain(), []);
    h.session.receive(all.subarray(3), h.now);
    assert.deepEqual(kinds(h.drain()), ["message", "write:puback", "message"]);
  });

  it("Session stops handling a chunk's packets once one of them ended the connection", () => {
    const h = new Harness({ properties: { topicAliasMaximum: 1 } });
    h.connected();
    const bad = encodePacket(inbound("x", 0, undefined, { properties: { topicAlias: 2 } }), 5);
    const good = encodePacket(inbound("y", 0), 5);
    h.session.receive(new Uint8Array([...bad, ...good]), h.now);
    assert.deepEqual(kinds(h.drain()), ["write:disconnect", "close", "disconnected"]);
  });

  it("Session treats a second CONNACK as a protocol error", () => {
    const h = new Harness();
    h.connected();
    h.connack();
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0x82 }]);
  });

  it("Session treats a packet only a server receives as a protocol error, after the ones before it", () => {
    const serverOnly: Packet[] = [
      { type: "connect", protocolVersion: 5, clientId: "c", clean: true, keepalive: 0 },
      { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0 }] },
      { type: "unsubscribe", packetId: 1, topicFilters: ["a"] },
      { type: "pingreq" },
    ];
    for (const packet of serverOnly) {
      const h = new Harness({ trace: true });
      h.connected();
      const bytes = [...encodePacket(inbound("a", 0), 5), ...encodePacket(packet, 5)];
      h.session.receive(new Uint8Array(bytes), h.now);
      const steps = h.drain();
      const name = packet.type.toUpperCase();
      assert.ok(
        steps.some((s) => s.type === "log" && s.message.startsWith(`Received ${name}`)),
        name,
      );
      assert.deepEqual(kinds(steps).filter((k) => k !== "log"), [
        "message",
        "write:disconnect",
        "close",
        "disconnected",
      ]);
      assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x82 }]);
      const lost = find(steps, "disconnected");
      assert.ok(lost.error instanceof ProtocolError, name);
      assert.equal(lost.error.message, `Unexpected ${name} from the server`);
    }
  });

  it("Session fails the connect when a packet only a server receives comes before CONNACK", () => {
    const h = new Harness();
    const token = h.connect();
    h.drain();
    h.serverSends({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "a", qos: 0 }],
    });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "connectFailed", "reject"]);
    const error = h.rejected(token);
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.reasonCode, 0x82);
    assert.equal(error.message, "Expected CONNACK, received SUBSCRIBE [MQTT-3.2.0-1]");
  });
});

describe("Session incoming acknowledgement", () => {
  function manual(overrides = {}): Harness {
    const h = new Harness({ reconnect, ...overrides });
    h.autoAck = false;
    h.connected();
    return h;
  }

  function receipt(h: Harness): number {
    return find(h.drain(), "message").message.receipt;
  }

  it("Session answers QoS 1 only when the message is acknowledged, with the code given", () => {
    const h = manual();
    h.serverSends(inbound("a", 1, 5));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message"], "no PUBACK before ack()");
    const message = find(steps, "message").message;
    assert.deepEqual(
      delivered(message),
      {
        topic: "a",
        payload: new Uint8Array([7]),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 5,
      },
    );
    assert.equal(message.mid, 5);
    assert.equal(h.session.ack(message.receipt, 0x83, h.now), true);
    assert.deepEqual(h.written(), [{ type: "puback", packetId: 5, reasonCode: 0x83 }]);
  });

  it("Session.ack is a no-op for a second ack and after the connection ended", () => {
    const h = manual({ clean: false });
    h.serverSends(inbound("a", 1, 5));
    const first = receipt(h);
    assert.equal(h.session.ack(first, 0, h.now), true);
    h.drain();
    assert.equal(h.session.ack(first, 0, h.now), false, "twice");
    h.serverSends(inbound("b", 1, 6));
    const second = receipt(h);
    h.session.transportClosed(h.now, new Error("reset"));
    h.drain();
    assert.equal(h.session.ack(second, 0, h.now), false, "its connection ended");
    h.advance(100);
    h.session.transportOpened(h.now);
    h.connack(true);
    h.drain();
    assert.equal(h.session.ack(second, 0, h.now), false, "not on the next connection either");
    assert.deepEqual(packets(h.drain()), []);
  });

  it("Session.ack throws RangeError for a code a PUBACK cannot carry (MQTT 5)", () => {
    const h = manual();
    h.serverSends(inbound("a", 1, 5));
    const r = receipt(h);
    assert.throws(() => h.session.ack(r, 0x8e, h.now), /reasonCode must be a PUBACK/);
    assert.equal(h.session.ack(r, 0, h.now), true, "the receipt is still good");
  });

  it("Session counts unacknowledged QoS 1 messages against our Receive Maximum (0x93)", () => {
    const h = manual({ properties: { receiveMaximum: 2 } });
    h.serverSends(inbound("a", 1, 1));
    h.serverSends(inbound("a", 1, 2));
    const receipts = h.drain().flatMap((s) => s.type === "message" ? [s.message.receipt] : []);
    assert.equal(receipts.length, 2);
    h.session.ack(receipts[0]!, 0, h.now);
    h.drain();
    h.serverSends(inbound("a", 1, 3)); // within the maximum again
    assert.deepEqual(kinds(h.drain()), ["message"]);
    h.serverSends(inbound("a", 1, 4));
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0x93 }]);
  });

  it("Session answers QoS 2 with PUBREC on ack, delivers a re-sent PUBLISH never twice", () => {
    const h = manual();
    h.serverSends(inbound("a", 2, 8));
    const r = receipt(h);
    h.serverSends(inbound("a", 2, 8, { dup: true }));
    assert.deepEqual(h.drain(), [], "not delivered again, no PUBREC before ack()");
    h.session.ack(r, 0, h.now);
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 8, reasonCode: 0 }]);
    h.serverSends({ type: "pubrel", packetId: 8, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 8, reasonCode: 0 }]);
  });

  it("Session ends a QoS 2 exchange acknowledged with a failure code (PUBREC ≥ 0x80)", () => {
    const h = manual();
    h.serverSends(inbound("a", 2, 8));
    h.session.ack(receipt(h), 0x87, h.now);
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 8, reasonCode: 0x87 }]);
    h.serverSends(inbound("a", 2, 8)); // the identifier is free: a new message
    assert.deepEqual(kinds(h.drain()), ["message"]);
  });

  it('Session with qos2Delivery "pubrel" answers PUBREC at once, delivers on PUBREL and PUBCOMPs on ack', () => {
    const h = manual({ qos2Delivery: "pubrel" });
    h.serverSends(inbound("a", 2, 8));
    assert.deepEqual(packets(h.drain()), [{ type: "pubrec", packetId: 8, reasonCode: 0 }]);
    h.serverSends(inbound("a", 2, 8, { dup: true }));
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 8, reasonCode: 0 }]);
    h.serverSends({ type: "pubrel", packetId: 8, reasonCode: 0 });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message"], "delivered on PUBREL, no PUBCOMP yet");
    h.serverSends({ type: "pubrel", packetId: 8, reasonCode: 0 });
    assert.deepEqual(h.drain(), [], "a repeated PUBREL waits for the ack too");
    h.session.ack(find(steps, "message").message.receipt, 0, h.now);
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 8, reasonCode: 0 }]);
  });

  it('Session with qos2Delivery "pubrel" keeps a delivery across a resumed session: a re-sent PUBREL is not delivered again', () => {
    const h = manual({ qos2Delivery: "pubrel", clean: false });
    h.serverSends(inbound("a", 2, 8));
    h.serverSends({ type: "pubrel", packetId: 8, reasonCode: 0 });
    const first = h.drain();
    assert.deepEqual(kinds(first), ["write:pubrec", "message"]);
    h.session.transportClosed(h.now, new Error("reset"));
    h.advance(100);
    h.session.transportOpened(h.now);
    h.connack(true);
    h.drain();
    h.serverSends({ type: "pubrel", packetId: 8, reasonCode: 0 });
    assert.deepEqual(h.drain(), [], "not delivered again; PUBCOMP waits for the acknowledgement");
    assert.equal(h.session.ack(find(first, "message").message.receipt, 0, h.now), true);
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 8, reasonCode: 0 }]);
  });

  it("Session delivers a message without the topicAlias property, with its arrival time", () => {
    const h = new Harness({ properties: { topicAliasMaximum: 2 } });
    h.connected();
    h.now = 1234;
    h.serverSends(
      inbound("s/1", 0, undefined, { properties: { topicAlias: 2, contentType: "text/plain" } }),
    );
    h.serverSends(inbound("", 0, undefined, { properties: { topicAlias: 2 } }));
    const messages = h.drain().flatMap((s) => s.type === "message" ? [s.message] : []);
    assert.deepEqual(messages.map((m) => [m.topic, m.properties, m.timestamp]), [
      ["s/1", { contentType: "text/plain" }, 1234],
      ["s/1", undefined, 1234],
    ]);
  });
});

describe("Session trace", () => {
  it("Session with trace logs each packet in paho's wording, without password or payload", () => {
    const h = new Harness({
      trace: true,
      username: "u",
      password: new TextEncoder().encode("S3cret"),
    });
    h.connected();
    h.publish("a/b", 1, new TextEncoder().encode("hello"));
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    h.serverSends(inbound("c/d", 0));
    const lines = h.drain().flatMap((s) =>
      s.type === "log" && s.level === "debug" ? [s.message] : []
    );
    const trace = lines.filter((l) => /^(Sending|Received) /.test(l));
    assert.deepEqual(trace, [
      "Sending PUBLISH (d0, q1, r0, m1), 'a/b', ... (5 bytes)",
      "Received PUBACK (Mid: 1)",
      "Received PUBLISH (d0, q0, r0, m0), 'c/d', ...  (1 bytes)",
    ]);
    assert.ok(!lines.join("\n").includes("S3cret"));
  });

  it("Session with trace logs CONNECT with its flags only", () => {
    const h = new Harness({
      trace: true,
      username: "u",
      password: new TextEncoder().encode("S3cret"),
      keepalive: 30,
    });
    h.connect();
    h.session.transportOpened(h.now);
    const lines = h.drain().flatMap((s) => s.type === "log" ? [s.message] : []);
    assert.ok(
      lines.includes("Sending CONNECT (u1, p1, wr0, wq0, wf0, c1, k30) client_id=test-client"),
      lines.join("\n"),
    );
    assert.ok(!lines.join("\n").includes("S3cret"));
  });
});
