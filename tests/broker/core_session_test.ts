import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Will } from "../../src/codec/types.ts";
import { Harness } from "./_core_harness.ts";

const will = (topic: string, willDelayInterval?: number): Will => ({
  topic,
  payload: new TextEncoder().encode("gone"),
  qos: 1,
  retain: false,
  ...(willDelayInterval !== undefined && { properties: { willDelayInterval } }),
});

describe("BrokerCore sessions", () => {
  it("BrokerCore resumes a persistent session: sessionPresent, subscriptions and queued messages", () => {
    const h = new Harness();
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    sub.subscribe("t", 1);
    sub.disconnect();
    const pub = h.connect("pub");
    pub.publish("t", "one", { qos: 1 });
    pub.publish("t", "zero", { qos: 0 }); // QoS 0 is not queued for an offline client
    pub.publish("t", "two", { qos: 2 });
    const again = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    assert.equal(again.connack.sessionPresent, true);
    const messages = again.takePublishes();
    assert.deepEqual(messages.map((m) => [m.qos, new TextDecoder().decode(m.payload)]), [
      [1, "one"],
      [1, "two"], // the subscription's QoS 1
    ]);
  });

  it("BrokerCore re-sends unacknowledged messages with DUP and PUBREL after a resume", () => {
    const h = new Harness();
    const options = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const sub = h.connect("sub", options);
    sub.subscribe("t", 2);
    const pub = h.connect("pub");
    pub.publish("t", "a", { qos: 2 });
    pub.publish("t", "b", { qos: 2 });
    const [a, b] = sub.takePublishes();
    sub.send({ type: "pubrec", packetId: a!.packetId!, reasonCode: 0 });
    sub.expect("pubrel");
    sub.drop();
    const again = h.connect("sub", options);
    assert.deepEqual(again.take(), [
      { type: "pubrel", packetId: a!.packetId!, reasonCode: 0 },
      { ...b!, dup: true },
    ]);
  });

  it("BrokerCore starts a clean session when asked, discarding the stored one", () => {
    const h = new Harness();
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    sub.subscribe("t", 1);
    sub.disconnect();
    const again = h.connect("sub", { clean: true });
    assert.equal(again.connack.sessionPresent, false);
    h.connect("pub").publish("t", "x", { qos: 1 });
    again.expectNothing();
  });

  it("BrokerCore keeps an MQTT 3.1.1 clean=false session with no expiry", () => {
    const h = new Harness();
    const sub = h.connect("sub", { protocolVersion: 4, clean: false });
    sub.subscribe("t", 1);
    sub.drop();
    h.advance(365 * 24 * 3600 * 1000);
    h.connect("pub", { protocolVersion: 4 }).publish("t", "later", { qos: 1 });
    const again = h.connect("sub", { protocolVersion: 4, clean: false });
    assert.equal(again.connack.sessionPresent, true);
    assert.deepEqual(again.messages(), ["t later"]);
  });

  it("BrokerCore ends a session after its Session Expiry Interval", () => {
    const h = new Harness();
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 10 } });
    sub.subscribe("t", 1);
    sub.drop();
    h.advance(9_999);
    assert.equal(h.core.sessionCount, 1);
    h.advance(1);
    assert.equal(h.core.sessionCount, 0);
    const again = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 10 } });
    assert.equal(again.connack.sessionPresent, false);
  });

  it("BrokerCore takes the session expiry a DISCONNECT sets", () => {
    const h = new Harness();
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 10 } });
    sub.disconnect(0, { sessionExpiryInterval: 0 });
    assert.equal(h.core.sessionCount, 0);
  });

  it("BrokerCore sends DISCONNECT 0x8E to the older connection on session takeover", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("wills", 1);
    const first = h.connect("dup", { will: will("wills") });
    const second = h.connect("dup");
    first.expectDisconnect(0x8e);
    assert.equal(second.closed, false);
    assert.deepEqual(watcher.messages(), ["wills gone"]); // the old connection's will
    assert.equal(h.core.connectionCount, 2);
  });

  it("BrokerCore closes the older MQTT 3.1.1 connection on takeover without a DISCONNECT", () => {
    const h = new Harness();
    const first = h.connect("dup", { protocolVersion: 4 });
    h.connect("dup", { protocolVersion: 4 });
    assert.equal(first.closed, true);
    first.expectNothing();
  });
});

describe("BrokerCore wills", () => {
  it("BrokerCore publishes the will when a connection breaks, not after a normal DISCONNECT", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("wills/#", 1);
    h.connect("a", { will: will("wills/a") }).drop();
    h.connect("b", { will: will("wills/b") }).disconnect();
    h.connect("c", { will: will("wills/c") }).disconnect(0x04); // with will message
    assert.deepEqual(watcher.messages(), ["wills/a gone", "wills/c gone"]);
  });

  it("BrokerCore delays the will by its Will Delay Interval", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("wills", 1);
    h.connect("a", { will: will("wills", 5), properties: { sessionExpiryInterval: 60 } }).drop();
    h.advance(4_999);
    watcher.expectNothing();
    h.advance(1);
    assert.deepEqual(watcher.messages(), ["wills gone"]);
  });

  it("BrokerCore does not publish a delayed will when the client comes back in time", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("wills", 1);
    const options = { clean: false, properties: { sessionExpiryInterval: 60 } };
    h.connect("a", { ...options, will: will("wills", 5) }).drop();
    h.advance(2_000);
    h.connect("a", options);
    h.advance(10_000);
    watcher.expectNothing();
  });

  it("BrokerCore publishes a delayed will when its session ends first", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("wills", 1);
    h.connect("a", { will: will("wills", 30), properties: { sessionExpiryInterval: 2 } }).drop();
    h.advance(2_000);
    assert.deepEqual(watcher.messages(), ["wills gone"]);
  });

  it("BrokerCore publishes a will on a keepalive timeout and stores a retained one", () => {
    const h = new Harness();
    h.connect("a", { keepalive: 1, will: { ...will("wills"), retain: true } });
    h.advance(1_500);
    const late = h.connect("late");
    late.subscribe("wills", 1);
    const [message] = late.takePublishes();
    assert.equal(message?.retain, true);
  });
});

describe("BrokerCore flow control", () => {
  it("BrokerCore keeps at most the client's Receive Maximum QoS 1 messages in flight", () => {
    const h = new Harness();
    const sub = h.connect("sub", { properties: { receiveMaximum: 2 } });
    sub.subscribe("t", 1);
    const pub = h.connect("pub");
    for (const n of [1, 2, 3, 4, 5]) pub.publish("t", `${n}`, { qos: 1 });
    let batch = sub.takePublishes();
    assert.deepEqual(batch.map((m) => new TextDecoder().decode(m.payload)), ["1", "2"]);
    sub.ack(batch[0]!);
    batch = sub.takePublishes();
    assert.deepEqual(batch.map((m) => new TextDecoder().decode(m.payload)), ["3"]);
    assert.deepEqual(h.core.session("sub")?.pending, { inflight: 2, queued: 2 });
  });

  it("BrokerCore counts a QoS 2 message in flight until PUBCOMP", () => {
    const h = new Harness();
    const sub = h.connect("sub", { properties: { receiveMaximum: 1 } });
    sub.subscribe("t", 2);
    const pub = h.connect("pub");
    pub.publish("t", "1", { qos: 2 });
    pub.publish("t", "2", { qos: 2 });
    const [first] = sub.takePublishes();
    sub.send({ type: "pubrec", packetId: first!.packetId!, reasonCode: 0 });
    sub.expect("pubrel");
    sub.expectNothing();
    sub.send({ type: "pubcomp", packetId: first!.packetId!, reasonCode: 0 });
    assert.deepEqual(sub.messages(), ["t 2"]);
  });

  it("BrokerCore drops messages beyond maxQueuedMessages and logs it", () => {
    const h = new Harness({ maxQueuedMessages: 2 });
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    sub.subscribe("t", 1);
    sub.drop();
    const pub = h.connect("pub");
    for (const n of [1, 2, 3]) pub.publish("t", `${n}`, { qos: 1 });
    assert.ok(h.log.some((line) => line.includes("queue is full")));
    const again = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    assert.deepEqual(again.messages(), ["t 1", "t 2"]);
  });

  it("BrokerCore does not send a message larger than the client's Maximum Packet Size", () => {
    const h = new Harness();
    const sub = h.connect("sub", { properties: { maximumPacketSize: 64 } });
    sub.subscribe("t", 1);
    const pub = h.connect("pub");
    pub.publish("t", "x".repeat(100), { qos: 1 });
    pub.publish("t", "small", { qos: 1 });
    assert.deepEqual(sub.messages(), ["t small"]);
  });

  it("BrokerCore acknowledges a re-sent QoS 2 PUBLISH without delivering it twice", () => {
    const h = new Harness();
    const sub = h.connect("sub");
    sub.subscribe("t", 2);
    const pub = h.connect("pub");
    const publish = {
      type: "publish" as const,
      topic: "t",
      payload: new Uint8Array([7]),
      qos: 2 as const,
      retain: false,
      dup: false,
      packetId: 9,
    };
    pub.send(publish);
    pub.expect("pubrec");
    pub.send({ ...publish, dup: true });
    pub.expect("pubrec");
    pub.send({ type: "pubrel", packetId: 9, reasonCode: 0 });
    assert.equal(pub.expect("pubcomp").reasonCode, 0);
    pub.send({ type: "pubrel", packetId: 9, reasonCode: 0 });
    assert.equal(pub.expect("pubcomp").reasonCode, 0x92);
    assert.equal(sub.takePublishes().length, 1);
  });
});
