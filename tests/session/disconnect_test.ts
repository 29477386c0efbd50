import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PublishPacket } from "../../src/codec/types.ts";
import { ConnectionClosedError, ProtocolError } from "../../src/errors.ts";
import { bytes, find, Harness, kinds, packets } from "./_harness.ts";

describe("Session disconnect", () => {
  for (const protocolVersion of [3, 4] as const) {
    it(`Session treats a server DISCONNECT on MQTT ${protocolVersion === 3 ? "3.1" : "3.1.1"} as a protocol error, not a normal disconnect`, () => {
      const h = new Harness({ protocolVersion });
      h.connected();
      h.serverSends({ type: "disconnect", reasonCode: 0 });
      const steps = h.drain();
      assert.deepEqual(packets(steps), [], "no DISCONNECT is sent back before MQTT 5");
      assert.deepEqual(kinds(steps).filter((kind) => kind !== "log"), ["close", "disconnected"]);
      const lost = find(steps, "disconnected");
      assert.ok(lost.error instanceof ProtocolError);
      assert.equal(lost.error.reasonCode, 0x82);
      assert.match(lost.error.message, /only a client sends before MQTT 5/);
    });
  }

  it("Session.disconnect writes DISCONNECT with v5 reason code and properties, closes, resolves", () => {
    const h = new Harness();
    h.connected();
    const token = h.disconnect({ reasonCode: 0x04, properties: { sessionExpiryInterval: 0 } });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected", "resolve"]);
    assert.deepEqual(packets(steps), [{
      type: "disconnect",
      reasonCode: 0x04,
      properties: { sessionExpiryInterval: 0 },
    }]);
    assert.equal(find(steps, "disconnected").error, undefined);
    assert.equal(h.resolved(token), undefined);
    assert.equal(h.session.state, "closed");
  });

  it("Session.disconnect on MQTT 3.1.1 refuses a reason code or properties, then writes a plain DISCONNECT", () => {
    const h = new Harness({ protocolVersion: 4 });
    h.connected();
    assert.throws(() => h.disconnect({ reasonCode: 0x04 }), /reasonCode needs protocolVersion 5/);
    assert.throws(
      () => h.disconnect({ properties: { reasonString: "x" } }),
      /properties needs protocolVersion 5/,
    );
    assert.deepEqual(h.written(), [], "nothing sent");
    assert.equal(h.session.state, "connected");
    h.disconnect({ reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "disconnect", reasonCode: 0 }]);
  });

  it("Session.disconnect leaves out the reason string when DISCONNECT would exceed the server's maximum", () => {
    const h = new Harness({ properties: { sessionExpiryInterval: 60 } });
    h.connected(false, { maximumPacketSize: 40 });
    h.disconnect({
      reasonCode: 0,
      properties: { reasonString: "x".repeat(60), sessionExpiryInterval: 10 },
    });
    assert.deepEqual(h.written(), [{
      type: "disconnect",
      reasonCode: 0,
      properties: { sessionExpiryInterval: 10 },
    }]);
  });

  it("Session.disconnect throws RangeError, sends nothing and stays connected when a Session Expiry Interval follows a CONNECT without one [MQTT-3.14.2-2]", () => {
    for (const properties of [undefined, { sessionExpiryInterval: 0 }]) {
      const h = new Harness(properties === undefined ? {} : { properties });
      h.connected();
      const token = h.token("disconnect");
      assert.throws(
        () => h.session.disconnect(token, { properties: { sessionExpiryInterval: 10 } }, h.now),
        (error: unknown) => error instanceof RangeError && /MQTT-3\.14\.2-2/.test(error.message),
      );
      assert.deepEqual(h.drain(), []);
      assert.equal(h.session.state, "connected");
      h.disconnect({ properties: { sessionExpiryInterval: 0 } });
      assert.deepEqual(h.written(), [{
        type: "disconnect",
        reasonCode: 0,
        properties: { sessionExpiryInterval: 0 },
      }]);
    }
  });

  it("Session.disconnect settles every pending token with ConnectionClosedError", () => {
    const h = new Harness({ maxInflight: 1, maxQueued: 1, queueFull: "wait" });
    h.connected();
    const inflight = h.publish("inflight", 2);
    const queued = h.publish("queued", 1);
    const waiting = h.publish("waiting", 1);
    const sub = h.subscribe("s");
    const unsub = h.unsubscribe(["u"]);
    h.drain();
    const done = h.disconnect();
    h.drain();
    for (const token of [inflight, queued, waiting, sub, unsub]) {
      assert.ok(h.rejected(token) instanceof ConnectionClosedError);
    }
    h.resolved(done);
    h.assertAllSettled();
  });

  it("Session keeps in-flight QoS 1/2 after disconnect and resends them on a resumed session", () => {
    const h = new Harness({ clean: false, maxInflight: 1 });
    h.connected();
    h.publish("kept", 1, bytes(2));
    h.publish("dropped", 1); // queued: rejected and forgotten
    h.drain();
    h.disconnect();
    h.drain();
    h.connect();
    h.connack(true);
    const sent = h.written() as PublishPacket[];
    assert.deepEqual(sent.map((p) => [p.type, p.topic, p.packetId, p.dup]), [
      ["connect", undefined, undefined, undefined],
      ["publish", "kept", 1, true],
    ]);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(h.drain(), [], "its token was already rejected: completes silently");
    h.assertAllSettled();
  });

  it("Session drops rejected in-flight messages when the next connect finds no session", () => {
    const h = new Harness({ clean: false });
    h.connected();
    h.publish("a", 1);
    h.drain();
    h.disconnect();
    h.drain();
    h.connect();
    h.connack(false);
    assert.deepEqual(h.written().map((p) => p.type), ["connect"]);
  });

  it("Session.disconnect while connecting closes and rejects the connect token", () => {
    const h = new Harness();
    const connect = h.connect();
    h.drain();
    const token = h.disconnect();
    assert.deepEqual(kinds(h.drain()), ["close", "reject", "resolve"]);
    assert.ok(h.rejected(connect) instanceof ConnectionClosedError);
    h.resolved(token);
  });

  it("Session.disconnect when idle just resolves", () => {
    const h = new Harness();
    const token = h.disconnect();
    assert.deepEqual(kinds(h.drain()), ["resolve"]);
    h.resolved(token);
  });

  it("Session rejects pending operations when a first connect fails", () => {
    const h = new Harness();
    h.connect();
    const pub = h.publish("a", 1);
    h.drain();
    h.connack(false, undefined, 0x87);
    h.drain();
    const error = h.rejected(pub);
    assert.ok(error instanceof ConnectionClosedError);
    assert.match((error as Error).message, /Not authorized/);
    h.assertAllSettled();
  });

  it("Session rejects pending operations when a connection is lost without reconnect", () => {
    const h = new Harness({ reconnect: false, maxInflight: 1 });
    h.connected();
    const a = h.publish("a", 1);
    const b = h.publish("b", 1);
    h.drain();
    h.session.transportClosed(h.now, new Error("boom"));
    h.drain();
    assert.ok(h.rejected(a) instanceof ConnectionClosedError);
    assert.ok(h.rejected(b) instanceof ConnectionClosedError);
  });
});

describe("Session graceful disconnect", () => {
  const incoming: PublishPacket = {
    type: "publish",
    topic: "in",
    payload: bytes(1),
    qos: 2,
    retain: false,
    dup: false,
    packetId: 9,
  };

  /** Connected, with an incoming QoS 2 exchange waiting for the server's PUBREL. */
  function awaitingPubrel(overrides = {}): Harness {
    const h = new Harness({ reconnect: { minDelay: 100, maxDelay: 100 }, ...overrides });
    h.connected();
    h.serverSends(incoming);
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
    return h;
  }

  it("Session.disconnect answers the PUBREL of an exchange under way before DISCONNECT", () => {
    const h = awaitingPubrel();
    const pending = h.publish("out", 1);
    const token = h.disconnect();
    const first = h.drain();
    assert.deepEqual(kinds(first).filter((k) => k.startsWith("write")), ["write:publish"]);
    assert.ok(h.rejected(pending) instanceof ConnectionClosedError, "pending calls end at once");
    assert.equal(h.outcome(token).outcome, undefined, "not yet");
    assert.equal(h.session.state, "connected");
    h.serverSends({ type: "pubrel", packetId: 9, reasonCode: 0 });
    const steps = h.drain();
    assert.deepEqual(packets(steps), [
      { type: "pubcomp", packetId: 9, reasonCode: 0 },
      { type: "disconnect", reasonCode: 0 },
    ]);
    assert.deepEqual(kinds(steps).slice(-3), ["close", "disconnected", "resolve"]);
    assert.equal(h.session.state, "closed");
  });

  it("Session.disconnect sends DISCONNECT after disconnectTimeout when no PUBREL comes", () => {
    const h = awaitingPubrel({ disconnectTimeout: 500 });
    const token = h.disconnect();
    h.drain();
    assert.equal(h.session.nextDeadline(), h.now + 500);
    h.advance(499);
    assert.deepEqual(h.drain().filter((s) => s.type === "write"), []);
    h.advance(1);
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0 }]);
    assert.equal(h.resolved(token), undefined);
  });

  it("Session.disconnect with force, or a second disconnect with force, does not wait", () => {
    const h = awaitingPubrel();
    h.disconnect({ force: true });
    assert.deepEqual(packets(h.drain()), [{ type: "disconnect", reasonCode: 0 }]);
    const again = awaitingPubrel();
    const first = again.disconnect();
    again.drain();
    const second = again.disconnect({ force: true });
    assert.deepEqual(packets(again.drain()), [{ type: "disconnect", reasonCode: 0 }]);
    assert.equal(again.resolved(first), undefined);
    assert.equal(again.resolved(second), undefined);
  });

  it("Session ends for good when the connection is lost while a disconnect waits", () => {
    const h = awaitingPubrel();
    const token = h.disconnect();
    h.drain();
    h.session.transportClosed(h.now, new Error("reset"));
    const steps = h.drain();
    assert.equal(find(steps, "disconnected").reconnectAt, undefined, "no reconnect");
    assert.equal(h.resolved(token), undefined);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined);
  });
});
