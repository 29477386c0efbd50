import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PublishPacket } from "../../src/codec/types.ts";
import {
  ConnectionClosedError,
  MqttError,
  QueueFullError,
  TimeoutError,
} from "../../src/errors.ts";
import { bytes, find, Harness, kinds, packets } from "./_harness.ts";

const ids = (written: { type: string; packetId?: number }[]) =>
  written.map((p) => `${p.type}:${p.packetId ?? "-"}`);

describe("Session publish", () => {
  it("Session writes QoS 0 at once and resolves it right after the write", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("a/b", 0, bytes(3), { retain: true });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:publish", "resolve"]);
    assert.deepEqual(packets(steps)[0], {
      type: "publish",
      topic: "a/b",
      payload: bytes(3),
      qos: 0,
      retain: true,
      dup: false,
    });
    assert.deepEqual(h.resolved(token), { mid: 0, reasonCode: 0 });
    assert.equal(find(steps, "resolve").onWrite, true, "a success only if the bytes get written");
  });

  it("Session resolves QoS 1 on PUBACK with its reason code and properties", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("a", 1);
    assert.deepEqual(ids(h.written()), ["publish:1"]);
    h.unsettled(token);
    h.serverSends({
      type: "puback",
      packetId: 1,
      reasonCode: 0x10,
      properties: { reasonString: "nobody listens" },
    });
    h.drain();
    assert.deepEqual(h.resolved(token), {
      mid: 1,
      reasonCode: 0x10,
      properties: { reasonString: "nobody listens" },
    });
  });

  it("Session rejects QoS 1 when PUBACK carries a failure reason code", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("secret", 1);
    h.drain();
    h.serverSends({
      type: "puback",
      packetId: 1,
      reasonCode: 0x87,
      properties: { reasonString: "acl" },
    });
    h.drain();
    const error = h.rejected(token);
    assert.ok(error instanceof MqttError);
    assert.equal(error.reasonCode, 0x87);
    assert.match(error.message, /"secret".*Not authorized \(0x87\): acl/);
  });

  it("Session runs QoS 2 as PUBLISH, PUBREC, PUBREL, PUBCOMP and resolves on PUBCOMP", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("q2", 2);
    assert.deepEqual(ids(h.written()), ["publish:1"]);
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubrel", packetId: 1, reasonCode: 0 }]);
    h.unsettled(token);
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0 }); // duplicate PUBREC
    assert.deepEqual(ids(h.written()), ["pubrel:1"], "PUBREL is sent again");
    h.serverSends({ type: "pubcomp", packetId: 1, reasonCode: 0 });
    h.drain();
    assert.deepEqual(h.resolved(token), { mid: 1, reasonCode: 0 });
  });

  it("Session ends a QoS 2 flow on a failing PUBREC: reject, no PUBREL, identifier free", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("q2", 2);
    h.drain();
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0x97 });
    assert.deepEqual(h.written(), []);
    const error = h.rejected(token);
    assert.ok(error instanceof MqttError);
    assert.equal(error.reasonCode, 0x97);
    h.publish("next", 1);
    assert.deepEqual(ids(h.written()), ["publish:2"]);
    h.serverSends({ type: "pubcomp", packetId: 1, reasonCode: 0 }); // stray: ignored
    assert.deepEqual(h.written(), []);
  });

  it("Session answers a PUBREC for an unknown identifier with PUBREL 0x92 (MQTT 5)", () => {
    const h = new Harness();
    h.connected();
    h.serverSends({ type: "pubrec", packetId: 77, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubrel", packetId: 77, reasonCode: 0x92 }]);
  });

  it("Session answers a PUBREC for an unknown identifier with a plain PUBREL on MQTT 3.1.1", () => {
    const h = new Harness({ protocolVersion: 4 });
    h.connected();
    h.serverSends({ type: "pubrec", packetId: 77, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubrel", packetId: 77, reasonCode: 0 }]);
  });

  it("Session never reuses an identifier in flight: SUBSCRIBE shares the space", () => {
    const h = new Harness();
    h.connected();
    h.publish("a", 1);
    h.subscribe("s");
    h.publish("b", 2);
    assert.deepEqual(ids(h.written()), ["publish:1", "subscribe:2", "publish:3"]);
  });

  it("Session limits the window to min(maxInflight, server Receive Maximum)", () => {
    for (const [maxInflight, receiveMaximum, window] of [[5, 3, 3], [2, 10, 2]] as const) {
      const h = new Harness({ maxInflight });
      h.connected(false, { receiveMaximum });
      for (let i = 0; i < 6; i++) h.publish(`t${i}`, 1);
      assert.equal(h.written().length, window, `maxInflight ${maxInflight}, RM ${receiveMaximum}`);
      h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
      const next = h.written() as PublishPacket[];
      assert.deepEqual(next.map((p) => p.topic), [`t${window}`], "one ack, one more in flight");
    }
  });

  it("Session counts a QoS 2 message in the window until its PUBCOMP", () => {
    const h = new Harness({ maxInflight: 1 });
    h.connected();
    h.publish("first", 2);
    h.publish("second", 2);
    assert.equal(h.written().length, 1);
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0 });
    assert.deepEqual(ids(h.written()), ["pubrel:1"]);
    h.serverSends({ type: "pubcomp", packetId: 1, reasonCode: 0 });
    assert.deepEqual(ids(h.written()), ["publish:2"]);
  });

  it("Session rejects with QueueFullError naming maxQueued when the queue is full", () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 2, queueFull: "reject" });
    h.connected();
    h.publish("inflight", 1);
    const q1 = h.publish("q1", 1);
    const q2 = h.publish("q2", 1);
    const over = h.publish("over", 1);
    h.drain();
    const error = h.rejected(over);
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.reasonCode, 0x97);
    assert.match(error.message, /maxQueued \(2 messages\)/);
    h.unsettled(q1);
    h.unsettled(q2);
  });

  it("Session rejects with QueueFullError naming maxQueuedBytes when payload bytes run out", () => {
    const h = new Harness({ maxInflight: 1, maxQueuedBytes: 10 });
    h.connected();
    h.publish("inflight", 1, bytes(100));
    h.publish("fits", 1, bytes(6));
    const over = h.publish("over", 1, bytes(5));
    h.drain();
    assert.match(
      (h.rejected(over) as Error).message,
      /maxQueuedBytes \(10 bytes; 6 queued, 5 more\)/,
    );
  });

  it('Session with queueFull "wait" admits waiting publishes in FIFO order as room appears', () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 2, queueFull: "wait" });
    h.connected();
    const t = ["m0", "m1", "m2", "m3", "m4"].map((topic) => h.publish(topic, 1));
    const topics = () => (h.written() as PublishPacket[]).map((p) => p.topic);
    assert.deepEqual(topics(), ["m0"]); // m1, m2 queued; m3, m4 wait
    for (const token of t) h.unsettled(token);
    for (let id = 1; id <= 4; id++) {
      h.serverSends({ type: "puback", packetId: id, reasonCode: 0 });
      assert.deepEqual(topics(), [`m${id}`]);
    }
    h.serverSends({ type: "puback", packetId: 5, reasonCode: 0 });
    h.drain();
    for (const token of t) h.resolved(token);
  });

  it('Session with queueFull "wait" lets at most maxQueued publishes wait, and rejects the next', () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 2, queueFull: "wait" });
    h.connected();
    const t = ["m0", "m1", "m2", "m3", "m4"].map((topic) => h.publish(topic, 1));
    const over = h.publish("m5", 1); // m0 in flight, m1 m2 queued, m3 m4 wait: m5 is one too many
    h.drain();
    const error = h.rejected(over);
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.reasonCode, 0x97);
    assert.match(error.message, /maxQueued \(2 messages queued and 2 waiting/);
    for (const token of t) h.unsettled(token);
    // As the window frees, a waiter moves up and the waiters have room again.
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    const next = h.publish("m6", 1);
    h.drain();
    h.unsettled(next);
    const topics = () => (h.written() as PublishPacket[]).map((p) => p.topic);
    for (const [i, id] of [2, 3, 4, 5, 6].entries()) {
      h.serverSends({ type: "puback", packetId: id, reasonCode: 0 });
      assert.deepEqual(topics(), [["m2", "m3", "m4", "m6"][i] ?? []].flat());
    }
    for (const token of [...t, next]) h.resolved(token);
  });

  it('Session with queueFull "wait" bounds the waiting payload bytes by maxQueuedBytes', () => {
    const h = new Harness({ maxInflight: 1, maxQueuedBytes: 10, queueFull: "wait" });
    h.connected();
    h.publish("inflight", 1, bytes(1));
    const queued = h.publish("queued", 1, bytes(8));
    const waits = h.publish("waits", 1, bytes(8)); // the queue has 2 bytes left: it waits
    const over = h.publish("over", 1, bytes(3)); // 8 + 3 > 10 waiting bytes
    h.drain();
    h.unsettled(queued);
    h.unsettled(waits);
    assert.match(
      (h.rejected(over) as Error).message,
      /maxQueuedBytes \(10 bytes queued and 10 waiting; 8 waiting, 3 more/,
    );
  });

  it('Session with queueFull "wait" forgets cancelled waiters in its bound', () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 1, queueFull: "wait" });
    h.connected();
    h.publish("m0", 1);
    h.publish("m1", 1);
    const w = h.publish("m2", 1);
    h.drain();
    h.cancel(w);
    const again = h.publish("m3", 1); // the cancelled waiter no longer counts
    h.drain();
    h.rejected(w);
    h.unsettled(again);
  });

  it("Session.hasRoom is true while a publish would be sent or queued, false once it would wait", () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 2, maxQueuedBytes: 100, queueFull: "wait" });
    assert.equal(h.session.hasRoom, true, "before connect(): QoS 1/2 messages are queued");
    h.connected();
    h.publish("m0", 1);
    assert.equal(h.session.hasRoom, true, "the queue is empty");
    h.publish("m1", 1);
    assert.equal(h.session.hasRoom, true, "one message queued of 2");
    h.publish("m2", 1);
    assert.equal(h.session.hasRoom, false, "maxQueued reached");
    h.publish("m3", 1); // waits
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 }); // m1 sent, m3 queued
    assert.equal(h.session.hasRoom, false, "m2 and m3 queued");
    h.serverSends({ type: "puback", packetId: 2, reasonCode: 0 });
    assert.equal(h.session.hasRoom, true, "m3 alone queued");
    h.publish("big", 1, bytes(100));
    assert.equal(h.session.hasRoom, false, "maxQueuedBytes reached");
  });

  it("Session.outgoing counts the publishes in flight, queued and waiting until acknowledged", () => {
    const h = new Harness({ maxInflight: 2, maxQueued: 1, queueFull: "wait" });
    h.connected();
    assert.equal(h.session.outgoing, 0);
    for (const topic of ["a", "b", "c", "d"]) h.publish(topic, 1); // 2 in flight, 1 queued, 1 waiting
    h.publish("qos0", 0); // written at once: not counted
    assert.equal(h.session.outgoing, 4);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.equal(h.session.outgoing, 3);
    h.serverSends({ type: "puback", packetId: 2, reasonCode: 0 });
    h.serverSends({ type: "puback", packetId: 3, reasonCode: 0 });
    h.serverSends({ type: "puback", packetId: 4, reasonCode: 0 });
    assert.equal(h.session.outgoing, 0);
  });

  it("Session.windowFull is true while no QoS 1/2 PUBLISH can be sent until an acknowledgement", () => {
    const h = new Harness({ maxInflight: 2 });
    h.connected();
    assert.equal(h.session.windowFull, false);
    h.publish("a", 1);
    h.publish("b", 0); // QoS 0 takes no room in the window
    assert.equal(h.session.windowFull, false, "one of 2 in flight");
    h.publish("c", 2);
    assert.equal(h.session.windowFull, true, "2 of 2 in flight");
    h.publish("d", 1); // queued behind the window
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 }); // d takes a's place
    assert.equal(h.session.windowFull, true, "c and d in flight");
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 });
    assert.equal(h.session.windowFull, true, "c in flight until PUBCOMP");
    h.serverSends({ type: "pubcomp", packetId: 2, reasonCode: 0 });
    assert.equal(h.session.windowFull, false, "d alone in flight");
  });

  it("Session.hasRoom with maxQueued 0 follows the in-flight window", () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 0 });
    h.connected();
    assert.equal(h.session.hasRoom, true);
    h.publish("m0", 1);
    assert.equal(h.session.hasRoom, false);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.equal(h.session.hasRoom, true);
  });

  it("Session lets a cancelled waiter go without blocking the ones behind it", () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 2, queueFull: "wait" });
    h.connected();
    h.publish("m0", 1);
    h.publish("m1", 1);
    h.publish("m2", 1);
    const w3 = h.publish("m3", 1);
    const w4 = h.publish("m4", 1);
    h.drain();
    h.cancel(w3);
    h.drain();
    h.rejected(w3);
    for (const id of [1, 2, 3]) h.serverSends({ type: "puback", packetId: id, reasonCode: 0 });
    const topics = (h.written() as PublishPacket[]).map((p) => p.topic);
    assert.deepEqual(topics, ["m1", "m2", "m4"]);
    h.unsettled(w4);
  });

  it("Session.cancel of a queued publish rejects it and never sends it", () => {
    const h = new Harness({ maxInflight: 1 });
    h.connected();
    h.publish("inflight", 1);
    const queued = h.publish("queued", 1);
    h.drain();
    const reason = new Error("user gave up");
    h.cancel(queued, reason);
    h.drain();
    assert.equal(h.rejected(queued), reason);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.written(), [], "the cancelled message is not sent");
  });

  it("Session.cancel of an in-flight QoS 2 publish rejects it and completes the flow silently", () => {
    const h = new Harness();
    h.connected();
    const token = h.publish("q2", 2);
    h.drain();
    h.cancel(token);
    h.drain();
    h.rejected(token);
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0 });
    assert.deepEqual(ids(h.written()), ["pubrel:1"], "the protocol flow goes on");
    h.serverSends({ type: "pubcomp", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.drain(), [], "and ends without settling anything again");
  });

  it("Session rejects operations with TimeoutError after operationTimeout", () => {
    const h = new Harness({ operationTimeout: 1000, maxInflight: 1 });
    h.connected();
    const a = h.publish("a", 1);
    h.advance(400);
    const b = h.publish("b", 1); // queued behind a
    const s = h.subscribe("x/#");
    h.drain();
    assert.equal(h.session.nextDeadline(), 1000, "a's deadline");
    h.advance(600);
    h.drain();
    assert.ok(h.rejected(a) instanceof TimeoutError);
    h.unsettled(b);
    h.advance(400);
    h.drain();
    const error = h.rejected(b);
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /PUBLISH to "b" timed out after 1000 ms/);
    assert.ok(h.rejected(s) instanceof TimeoutError);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 }); // a's late ack: silent
    assert.deepEqual(kinds(h.drain()), [], "b was dropped: nothing else is sent");
  });

  it("Session queues QoS 1/2 while reconnecting and sends them after CONNACK", () => {
    const h = new Harness({ clean: false, reconnect: { minDelay: 10, maxDelay: 10 } });
    h.connected();
    h.session.transportClosed(h.now);
    h.drain();
    const token = h.publish("later", 1);
    assert.deepEqual(h.written(), []);
    h.advance(10);
    h.session.transportOpened(h.now);
    h.connack(true);
    assert.deepEqual(ids(h.written()), ["connect:-", "publish:1"]);
    h.unsettled(token);
  });

  it("Session rejects QoS 0 while disconnected unless queueQoS0Offline", () => {
    for (const queueQoS0Offline of [false, true]) {
      const h = new Harness({ queueQoS0Offline });
      h.token();
      h.session.connect(1, 0);
      h.drain();
      const token = h.publish("q0", 0);
      h.drain();
      if (!queueQoS0Offline) {
        assert.ok(h.rejected(token) instanceof ConnectionClosedError);
        continue;
      }
      h.unsettled(token);
      h.session.transportOpened(0);
      h.connack();
      assert.deepEqual(kinds(h.drain()), [
        "write:connect",
        "connected",
        "resolve",
        "write:publish",
        "resolve",
      ]);
      h.resolved(token);
    }
  });

  it("Session queues QoS 1/2 published before connect() and sends them after CONNACK (as paho)", () => {
    const h = new Harness();
    const early = h.publish("a", 1);
    const early0 = h.publish("b", 0);
    assert.deepEqual(kinds(h.drain()), ["reject"], "QoS 0 is not queued (queueQoS0Offline)");
    assert.match((h.rejected(early0) as Error).message, /call connect\(\) first/);
    assert.deepEqual(packets(h.connected()).slice(1), [{
      type: "publish",
      topic: "a",
      payload: new Uint8Array([1]),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
    }]);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    h.drain();
    assert.deepEqual(h.resolved(early), { mid: 1, reasonCode: 0 });
  });

  it("Session rejects publishes with ConnectionClosedError after close", () => {
    const h = new Harness();
    h.connected();
    h.disconnect();
    const late = h.publish("a", 1);
    h.drain();
    assert.ok(h.rejected(late) instanceof ConnectionClosedError);
  });

  it("Session.publish throws RangeError above the server's Maximum QoS or without Retain Available", () => {
    const h = new Harness();
    h.connected(false, { maximumQoS: 1, retainAvailable: false });
    assert.throws(() => h.publish("a", 2), RangeError);
    assert.throws(() => h.publish("a", 0, bytes(1), { retain: true }), /Retain Available/);
    assert.deepEqual(h.drain(), [], "nothing queued");
    h.publish("a", 1);
    assert.equal(h.written().length, 1);
  });

  it("Session.publish throws RangeError for a PUBLISH above the server's Maximum Packet Size", () => {
    const h = new Harness();
    h.connected(false, { maximumPacketSize: 100 });
    assert.throws(
      () => h.publish("a", 1, bytes(200)),
      /must be at most 100 bytes, the server.s Maximum Packet Size/,
    );
    assert.throws(
      () =>
        h.publish("a", 0, bytes(10), { properties: { userProperties: [["k", "v".repeat(200)]] } }),
      RangeError,
    );
    h.publish("a", 1, bytes(80));
    assert.equal(h.written().length, 1);
  });

  it("Session.publish throws RangeError for a PUBLISH over the protocol's 268,435,455-byte remaining length, connected or not", () => {
    const h = new Harness({ protocolVersion: 4, reconnect: { minDelay: 100, maxDelay: 100 } });
    h.connected();
    // Topic "a" (3 bytes) + packet id (2 bytes) + this payload = 268,435,456: one byte too many.
    const huge = new Uint8Array(268_435_451);
    assert.throws(() => h.publish("a", 1, huge), /268435455/);
    h.session.transportClosed(h.now); // offline: it would otherwise be queued
    h.drain();
    assert.throws(() => h.publish("a", 1, huge), RangeError);
    assert.deepEqual(h.drain(), [], "nothing queued");
    h.advance(100);
    h.session.transportOpened(h.now);
    h.connack();
    assert.deepEqual(h.written().map((p) => p.type), ["connect"], "nothing sent after CONNACK");
    h.publish("a", 0, huge); // QoS 0 has no packet id: 268,435,454 bytes fit
    assert.equal(h.written().length, 1);
  });

  it("Session.publish throws for a QoS outside 0..2 at once, before taking a packet identifier", () => {
    const h = new Harness();
    h.connected();
    assert.throws(() => h.publish("a", 3 as never), /qos must be 0, 1 or 2, got 3/);
    assert.throws(() => h.publish("a", -1 as never), RangeError);
    assert.throws(() => h.publish("a", 1.5 as never), RangeError);
    assert.throws(() => h.publish("a", "1" as never), TypeError);
    assert.deepEqual(h.drain(), [], "nothing sent or settled");
  });

  it("Session assigns outgoing topic aliases within the server's Topic Alias Maximum and reuses them", () => {
    const h = new Harness({ topicAliases: true });
    h.connected(false, { topicAliasMaximum: 2 });
    for (const topic of ["a/1", "a/2", "a/3", "a/1", "a/2", "a/3"]) h.publish(topic, 0);
    const sent = (h.written() as PublishPacket[]).map((p) => [p.topic, p.properties?.topicAlias]);
    assert.deepEqual(sent, [
      ["a/1", 1],
      ["a/2", 2],
      ["a/3", undefined],
      ["", 1],
      ["", 2],
      ["a/3", undefined],
    ]);
  });

  it("Session sends no aliases without the option or when the server allows none", () => {
    for (const [topicAliases, topicAliasMaximum] of [[false, 10], [true, 0]] as const) {
      const h = new Harness({ topicAliases });
      h.connected(false, { topicAliasMaximum });
      h.publish("a", 0);
      h.publish("a", 0);
      const sent = h.written() as PublishPacket[];
      assert.deepEqual(sent.map((p) => p.topic), ["a", "a"]);
      assert.ok(sent.every((p) => p.properties === undefined));
    }
  });

  it("Session sends a queued or resent PUBLISH with a user-set alias and an empty topic in full on a connection that lacks the mapping [MQTT-3.3.2-7]", () => {
    const h = new Harness({ clean: false, reconnect: { minDelay: 1, maxDelay: 1 } });
    const limits = { topicAliasMaximum: 5 };
    h.connected(false, limits);
    const alias = { properties: { topicAlias: 1 } };
    h.publish("t", 1, undefined, alias);
    h.publish("", 1, undefined, alias);
    const wire = () =>
      (h.written() as PublishPacket[]).map((p) => [p.topic, p.properties?.topicAlias]);
    assert.deepEqual(wire(), [["t", 1], ["", 1]]);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    h.session.transportClosed(h.now);
    h.publish("", 1, undefined, alias); // queued while offline
    h.advance(1);
    h.session.transportOpened(h.now);
    h.drain();
    h.connack(true, limits);
    assert.deepEqual(wire(), [["t", 1], ["", 1]], "the resend sets the mapping again");
    h.publish("u", 0, undefined, alias); // re-maps alias 1
    h.publish("", 0, undefined, alias);
    assert.deepEqual(wire(), [["u", 1], ["", 1]]);
  });

  it("Session.publish throws RangeError for an empty topic with a user-set alias never given a topic [MQTT-3.3.2-7]", () => {
    const h = new Harness();
    h.connected(false, { topicAliasMaximum: 5 });
    assert.throws(
      () => h.publish("", 0, undefined, { properties: { topicAlias: 2 } }),
      (error: unknown) => error instanceof RangeError && /MQTT-3\.3\.2-7/.test(error.message),
    );
    assert.deepEqual(h.written(), []);
  });

  it("Session starts topic aliases afresh on every connection", () => {
    const h = new Harness({ topicAliases: true, reconnect: { minDelay: 1, maxDelay: 1 } });
    h.connected(false, { topicAliasMaximum: 5 });
    h.publish("a", 0);
    h.drain();
    h.session.transportClosed(h.now);
    h.advance(1);
    h.session.transportOpened(h.now);
    h.connack(false, { topicAliasMaximum: 5 });
    h.drain();
    h.publish("a", 0);
    const [p] = h.written() as PublishPacket[];
    assert.deepEqual([p?.topic, p?.properties?.topicAlias], ["a", 1]);
  });

  describe("Session.sendQoS0 (untracked QoS 0)", () => {
    const message = (topic: string, extra: { retain?: boolean } = {}) => ({
      topic,
      payload: bytes(7),
      qos: 0 as const,
      retain: extra.retain ?? false,
    });

    it("Session.sendQoS0 writes a PUBLISH while connected and settles nothing", () => {
      const h = new Harness();
      h.connected();
      assert.equal(h.session.sendQoS0(message("a/b", { retain: true }), h.now), true);
      const steps = h.drain();
      assert.deepEqual(kinds(steps), ["write:publish"]);
      assert.deepEqual(packets(steps)[0], {
        type: "publish",
        topic: "a/b",
        payload: bytes(7),
        qos: 0,
        retain: true,
        dup: false,
      });
    });

    it("Session.sendQoS0 declines before connect, while reconnecting and after disconnect, emitting nothing", () => {
      const h = new Harness({ reconnect: { minDelay: 10, maxDelay: 10 }, queueQoS0Offline: true });
      assert.equal(h.session.sendQoS0(message("a"), h.now), false, "idle");
      h.connect();
      h.drain();
      assert.equal(h.session.sendQoS0(message("a"), h.now), false, "before CONNACK");
      assert.deepEqual(h.drain(), []);
      h.connack();
      h.drain();
      h.session.transportClosed(h.now);
      h.drain();
      assert.equal(h.session.sendQoS0(message("a"), h.now), false, "reconnecting");
      assert.deepEqual(h.drain(), []);
      const queued = h.publish("a", 0); // the tracked path queues it (queueQoS0Offline)
      h.advance(10);
      h.session.transportOpened(h.now);
      h.drain();
      h.connack();
      assert.deepEqual(h.written().map((p) => p.type), ["publish"]);
      assert.deepEqual(h.resolved(queued), { mid: 0, reasonCode: 0 });
      h.disconnect();
      h.drain();
      assert.equal(h.session.sendQoS0(message("a"), h.now), false, "closed");
      assert.deepEqual(h.drain(), []);
    });

    it("Session.sendQoS0 throws like publish, before anything is written", () => {
      const h = new Harness();
      h.connected(false, { retainAvailable: false, maximumPacketSize: 50 });
      const cases: [unknown, RegExp][] = [
        [{ ...message("a"), qos: 1 }, /QoS 0 messages only/],
        [message("a", { retain: true }), /Retain Available/],
        [
          { ...message("a"), payload: bytes(60) },
          /must be at most 50 bytes, the server.s Maximum Packet Size/,
        ],
      ];
      for (const [bad, pattern] of cases) {
        assert.throws(() => h.session.sendQoS0(bad as never, h.now), pattern);
      }
      assert.deepEqual(h.drain(), []);
    });

    it("Session.sendQoS0 assigns and reuses topic aliases like publish", () => {
      const h = new Harness({ topicAliases: true });
      h.connected(false, { topicAliasMaximum: 1 });
      for (const topic of ["a/1", "a/2", "a/1"]) h.session.sendQoS0(message(topic), h.now);
      const sent = (h.written() as PublishPacket[]).map((p) => [p.topic, p.properties?.topicAlias]);
      assert.deepEqual(sent, [["a/1", 1], ["a/2", undefined], ["", 1]]);
    });
  });
});
