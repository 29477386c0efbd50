import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PublishPacket, SubscribePacket } from "../../src/codec/types.ts";
import type { MqttError } from "../../src/errors.ts";
import { Harness, kinds, packets } from "./_harness.ts";

const reconnect = { minDelay: 10, maxDelay: 10 };

/** Drops the connection and completes the reconnect up to (not including) the CONNACK. */
function reconnectUntilConnack(h: Harness): void {
  h.session.transportClosed(h.now, new Error("network down"));
  h.drain();
  h.advance(10);
  h.session.transportOpened(h.now);
  assert.deepEqual(kinds(h.drain()), ["open", "write:connect"]);
}

const summary = (p: { type: string; packetId?: number; dup?: boolean; topic?: string }) =>
  p.type === "publish"
    ? `publish:${p.topic}:${p.packetId}${p.dup ? ":dup" : ""}`
    : `${p.type}:${p.packetId}`;

describe("Session resume", () => {
  it("Session resends pending PUBREL, then unacknowledged PUBLISH with DUP in their order, on session present", () => {
    const h = new Harness({ clean: false, reconnect, maxInflight: 3 });
    h.connected();
    const a = h.publish("a", 1);
    const b = h.publish("b", 2);
    const c = h.publish("c", 2);
    const d = h.publish("d", 1); // queued: beyond the window
    h.drain();
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 }); // b is past PUBREC
    h.drain();
    reconnectUntilConnack(h);
    h.connack(true);
    assert.deepEqual(h.written().map(summary), [
      "pubrel:2",
      "publish:a:1:dup",
      "publish:c:3:dup",
    ], "the queue waits: the window is full");
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["publish:d:4"]);
    for (const t of [b, c, d]) h.unsettled(t);
    h.resolved(a);
  });

  it("Session resends PUBRELs in the order their PUBRECs arrived, not the PUBLISH order [MQTT-4.6.0-3]", () => {
    const h = new Harness({ clean: false, reconnect });
    h.connected();
    for (const topic of ["a", "b", "c"]) h.publish(topic, 2);
    h.drain();
    for (const packetId of [3, 1, 2]) h.serverSends({ type: "pubrec", packetId, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["pubrel:3", "pubrel:1", "pubrel:2"]);
    h.serverSends({ type: "pubrec", packetId: 3, reasonCode: 0 }); // a duplicate keeps its place
    assert.deepEqual(h.written().map(summary), ["pubrel:3"]);
    reconnectUntilConnack(h);
    h.connack(true);
    assert.deepEqual(h.written().map(summary), ["pubrel:3", "pubrel:1", "pubrel:2"]);
  });

  it("Session resume sends at most the new Receive Maximum of PUBLISH, counting pending PUBRELs, and the rest in order as acks free the window, before new work", () => {
    const h = new Harness({ clean: false, reconnect, maxInflight: 10 });
    h.connected();
    const tokens = ["a", "b", "c", "d", "e"].map((t, i) => h.publish(t, i === 1 ? 2 : 1));
    h.drain();
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 }); // b awaits PUBCOMP
    h.drain();
    reconnectUntilConnack(h);
    h.connack(true, { receiveMaximum: 2 });
    assert.deepEqual(h.written().map(summary), ["pubrel:2", "publish:a:1:dup"]);
    const fresh = h.publish("f", 1);
    assert.deepEqual(h.written(), [], "new work waits behind the held resends");
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["publish:c:3:dup"]);
    h.serverSends({ type: "pubcomp", packetId: 2, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["publish:d:4:dup"]);
    h.serverSends({ type: "puback", packetId: 3, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["publish:e:5:dup"]);
    h.serverSends({ type: "puback", packetId: 4, reasonCode: 0 });
    assert.deepEqual(h.written().map(summary), ["publish:f:6"]);
    h.serverSends({ type: "puback", packetId: 5, reasonCode: 0 });
    h.serverSends({ type: "puback", packetId: 6, reasonCode: 0 });
    h.drain();
    for (const token of [...tokens, fresh]) h.resolved(token);
    h.assertAllSettled();
  });

  it("Session resume holds PUBLISH again on a second resume and finishes a held one the server acknowledges", () => {
    const h = new Harness({ clean: false, reconnect, maxInflight: 10 });
    h.connected();
    const [a, b, c] = ["a", "b", "c"].map((t) => h.publish(t, 1));
    h.drain();
    reconnectUntilConnack(h);
    h.connack(true, { receiveMaximum: 1 });
    assert.deepEqual(h.written().map(summary), ["publish:a:1:dup"]);
    reconnectUntilConnack(h);
    h.connack(true, { receiveMaximum: 2 });
    assert.deepEqual(h.written().map(summary), ["publish:a:1:dup", "publish:b:2:dup"]);
    h.serverSends({ type: "puback", packetId: 3, reasonCode: 0 }); // c, never resent here
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    h.serverSends({ type: "puback", packetId: 2, reasonCode: 0 });
    assert.deepEqual(h.written(), [], "c was acknowledged: nothing is left to resend");
    for (const token of [a!, b!, c!]) h.resolved(token);
    h.assertAllSettled();
  });

  it("Session resume rejects, and does not resend, in-flight PUBLISH that the new CONNACK's Maximum QoS or Retain Available forbid", () => {
    const h = new Harness({ clean: false, reconnect });
    h.connected();
    const owned = h.publish("owned", 2);
    const high = h.publish("high", 2);
    const kept = h.publish("kept", 1);
    const retained = h.publish("retained", 1, undefined, { retain: true });
    h.drain();
    h.serverSends({ type: "pubrec", packetId: 1, reasonCode: 0 }); // the server owns "owned"
    h.drain();
    reconnectUntilConnack(h);
    h.connack(true, { maximumQoS: 1, retainAvailable: false });
    assert.deepEqual(h.written().map(summary), ["pubrel:1", "publish:kept:3:dup"]);
    const codes = [high, retained].map((t) => (h.rejected(t) as MqttError).reasonCode);
    assert.deepEqual(codes, [0x9b, 0x9a]);
    h.serverSends({ type: "pubcomp", packetId: 1, reasonCode: 0 });
    h.serverSends({ type: "puback", packetId: 3, reasonCode: 0 });
    assert.deepEqual(h.written(), []);
    h.resolved(owned);
    h.resolved(kept);
    h.assertAllSettled();
  });

  it("Session keeps incoming QoS 2 identifiers on session present (no second delivery)", () => {
    const h = new Harness({ clean: false, reconnect });
    h.connected();
    const message: PublishPacket = {
      type: "publish",
      topic: "in",
      payload: new Uint8Array(),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 3,
    };
    h.serverSends(message);
    h.drain();
    reconnectUntilConnack(h);
    h.connack(true);
    h.drain();
    h.serverSends({ ...message, dup: true });
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"]);
  });

  it("Session without a server session republishes accepted messages as new and resolves those past PUBREC", () => {
    const h = new Harness({ clean: false, reconnect });
    h.connected();
    const a = h.publish("a", 1);
    const b = h.publish("b", 2);
    const c = h.publish("c", 2);
    const cancelled = h.publish("x", 1);
    h.drain();
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 });
    h.cancel(cancelled);
    h.drain();
    const queued = (() => {
      reconnectUntilConnack(h);
      return h.publish("q", 1); // accepted while reconnecting
    })();
    h.connack(false);
    const steps = h.drain();
    assert.deepEqual(packets(steps).map(summary), [
      "publish:a:5",
      "publish:c:6",
      "publish:q:7",
    ], "new identifiers, DUP 0, the queue after them, the cancelled one dropped");
    assert.deepEqual(h.resolved(b), { mid: 2, reasonCode: 0 }, "the server owned b since PUBREC");
    for (const t of [a, c, queued]) h.unsettled(t);
    h.serverSends({ type: "puback", packetId: 5, reasonCode: 0 });
    h.drain();
    h.resolved(a);
  });

  it("Session without a server session forgets incoming QoS 2 identifiers", () => {
    const h = new Harness({ clean: false, reconnect });
    h.connected();
    const message: PublishPacket = {
      type: "publish",
      topic: "in",
      payload: new Uint8Array(),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 3,
    };
    h.serverSends(message);
    h.drain();
    reconnectUntilConnack(h);
    h.connack(false);
    h.drain();
    h.serverSends(message);
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"], "a new message now");
  });

  it("Session resubscribes, before the queue, after a reconnect without a session", () => {
    const h = new Harness({ reconnect });
    h.connected();
    h.subscribe([{ topicFilter: "a/#", qos: 1 }, { topicFilter: "b", qos: 2, noLocal: true }]);
    h.subscribe("c", { subscriptionIdentifier: 7 });
    h.subscribe("gone");
    h.subscribe("refused");
    h.drain();
    h.serverSends({ type: "suback", packetId: 1, reasonCodes: [1, 2] });
    h.serverSends({ type: "suback", packetId: 2, reasonCodes: [1] });
    h.serverSends({ type: "suback", packetId: 3, reasonCodes: [1] });
    h.serverSends({ type: "suback", packetId: 4, reasonCodes: [0x87] });
    h.unsubscribe(["gone"]);
    h.serverSends({ type: "unsuback", packetId: 5, reasonCodes: [0] });
    h.drain();
    const queued = (() => {
      reconnectUntilConnack(h);
      return h.publish("q", 1);
    })();
    h.connack(false);
    const sent = h.written();
    assert.deepEqual(sent.map((p) => p.type), ["subscribe", "subscribe", "publish"]);
    const [first, second] = sent as SubscribePacket[];
    const v5 = { noLocal: false, retainAsPublished: false, retainHandling: 0 };
    assert.deepEqual(first?.subscriptions, [
      { ...v5, topicFilter: "a/#", qos: 1 },
      { ...v5, topicFilter: "b", qos: 2, noLocal: true },
    ]);
    assert.equal(first?.properties, undefined);
    assert.deepEqual(second?.subscriptions, [{ ...v5, topicFilter: "c", qos: 1 }]);
    assert.deepEqual(second?.properties, { subscriptionIdentifier: 7 });
    h.unsettled(queued);
  });

  it("Session.unsubscribe stops resubscribing a filter only when the UNSUBACK reports success for it", () => {
    const h = new Harness({ reconnect });
    h.connected();
    h.subscribe(["a", "b", "c", "d"].map((topicFilter) => ({ topicFilter, qos: 1 as const })));
    h.serverSends({ type: "suback", packetId: 1, reasonCodes: [1, 1, 1, 1] });
    h.unsubscribe(["a", "b", "d"]);
    h.serverSends({ type: "unsuback", packetId: 2, reasonCodes: [0, 0x80, 0x11] });
    const cancelled = h.unsubscribe(["c"]);
    h.cancel(cancelled);
    h.drain();
    reconnectUntilConnack(h);
    h.connack(false);
    const sent = h.written() as SubscribePacket[];
    assert.deepEqual(sent.flatMap((p) => p.subscriptions.map((s) => s.topicFilter)), ["b", "c"]);
  });

  it("Session.unsubscribe on MQTT 3.1.1 stops resubscribing every filter of the UNSUBACK", () => {
    const h = new Harness({ protocolVersion: 4, reconnect });
    h.connected();
    h.subscribe([{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 1 }]);
    h.serverSends({ type: "suback", packetId: 1, reasonCodes: [1, 1] });
    h.unsubscribe(["a"]);
    h.serverSends({ type: "unsuback", packetId: 2, reasonCodes: [] });
    h.drain();
    reconnectUntilConnack(h);
    h.connack(false);
    const sent = h.written() as SubscribePacket[];
    assert.deepEqual(sent.flatMap((p) => p.subscriptions.map((s) => s.topicFilter)), ["b"]);
  });

  it("Session does not resubscribe on session present, nor with resubscribe false", () => {
    for (const [sessionPresent, resubscribe] of [[true, true], [false, false]] as const) {
      const h = new Harness({ clean: false, reconnect, resubscribe });
      h.connected();
      h.subscribe("a");
      h.drain();
      h.serverSends({ type: "suback", packetId: 1, reasonCodes: [1] });
      reconnectUntilConnack(h);
      h.connack(sessionPresent);
      assert.deepEqual(h.written(), []);
    }
  });

  it("Session sends again a SUBSCRIBE whose SUBACK was lost with the connection", () => {
    const h = new Harness({ reconnect });
    h.connected();
    const token = h.subscribe("a");
    h.drain();
    reconnectUntilConnack(h);
    h.connack(false);
    const sent = h.written() as SubscribePacket[];
    assert.deepEqual(sent.map((p) => [p.type, p.subscriptions[0]?.topicFilter]), [[
      "subscribe",
      "a",
    ]]);
    h.serverSends({ type: "suback", packetId: sent[0]!.packetId, reasonCodes: [1] });
    h.drain();
    assert.deepEqual(h.resolved(token), { mid: 2, reasonCodes: [1] });
  });
});
