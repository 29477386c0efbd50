import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import type { SessionOptions } from "../../src/session/mod.ts";
import { find, Harness, inbound, kinds, packets, type Step } from "./_harness.ts";

const reconnect = { minDelay: 100, maxDelay: 100 };

/** A connected MQTT 5 session with our Receive Maximum `max`, acknowledging by hand. */
function held(max: number, overrides: Partial<SessionOptions> = {}): Harness {
  const h = new Harness({ properties: { receiveMaximum: max }, reconnect, ...overrides });
  h.autoAck = false;
  h.connected();
  return h;
}

/** The receipts of the messages delivered in `steps`. */
function receipts(steps: Step[]): number[] {
  return steps.flatMap((s) => s.type === "message" ? [s.message.receipt] : []);
}

/** Asserts that `steps` end the connection with DISCONNECT 0x93 and a ProtocolError. */
function exceeded(h: Harness, steps: Step[]): void {
  assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected"]);
  assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x93 }]);
  const lost = find(steps, "disconnected");
  assert.ok(lost.error instanceof ProtocolError);
  assert.equal(lost.error.reasonCode, 0x93);
  assert.equal(lost.reconnectAt, h.now + 100);
}

describe("Session Receive Maximum (incoming QoS 1 and 2)", () => {
  it("Session accepts exactly Receive Maximum unacknowledged QoS 1 messages", () => {
    const h = held(3);
    for (const id of [1, 2, 3]) h.serverSends(inbound("a", 1, id));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message", "message", "message"], "no PUBACK, no DISCONNECT");
  });

  it("Session disconnects with 0x93 on one unacknowledged QoS 1 message too many", () => {
    const h = held(2);
    h.serverSends(inbound("a", 1, 1));
    h.serverSends(inbound("a", 1, 2));
    assert.equal(receipts(h.drain()).length, 2);
    h.serverSends(inbound("a", 1, 3));
    exceeded(h, h.drain());
  });

  it("Session counts a QoS 1 message taken but not drained yet (PUBACK not written)", () => {
    const h = new Harness({ properties: { receiveMaximum: 2 }, reconnect });
    h.connected();
    for (const id of [1, 2, 3]) h.serverSends(inbound("a", 1, id)); // no drain: none acknowledged
    const steps = h.drain();
    assert.deepEqual(kinds(steps).slice(-3), ["write:disconnect", "close", "disconnected"]);
    assert.deepEqual(packets(steps).at(-1), { type: "disconnect", reasonCode: 0x93 });
  });

  it("Session frees a slot for each PUBACK written", () => {
    const h = new Harness({ properties: { receiveMaximum: 1 }, reconnect });
    h.connected();
    for (const id of [1, 2, 3, 4]) {
      h.serverSends(inbound("a", 1, id));
      const steps = h.drain();
      assert.deepEqual(kinds(steps), ["message", "write:puback"], `message ${id}`);
    }
  });

  it("Session with manual acknowledgement holds the slot until the message is acknowledged", () => {
    const h = held(1);
    h.serverSends(inbound("a", 1, 1));
    const [first] = receipts(h.drain());
    h.advance(60_000); // time does not free it
    h.serverSends({ type: "pingresp" });
    h.drain();
    assert.equal(h.session.ack(first!, 0, h.now), true);
    assert.deepEqual(h.written(), [{ type: "puback", packetId: 1, reasonCode: 0 }]);
    h.serverSends(inbound("a", 1, 2));
    const [second] = receipts(h.drain());
    assert.ok(second !== undefined, "the freed slot takes the next message");
    h.serverSends(inbound("a", 1, 3));
    exceeded(h, h.drain());
  });

  it("Session frees a slot for a QoS 1 acknowledged with a failure code too", () => {
    const h = held(1);
    h.serverSends(inbound("a", 1, 1));
    const [first] = receipts(h.drain());
    h.session.ack(first!, 0x80, h.now);
    assert.deepEqual(h.written(), [{ type: "puback", packetId: 1, reasonCode: 0x80 }]);
    h.serverSends(inbound("a", 1, 2));
    assert.deepEqual(kinds(h.drain()), ["message"]);
  });

  it("Session counts QoS 1 and QoS 2 messages against one Receive Maximum", () => {
    const h = held(3);
    h.serverSends(inbound("a", 1, 1)); // held by the application
    h.serverSends(inbound("a", 2, 2)); // held by the application (no PUBREC yet)
    h.serverSends(inbound("a", 2, 3));
    const [, , third] = receipts(h.drain());
    h.session.ack(third!, 0, h.now); // PUBREC written: still counts until PUBCOMP
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 3, reasonCode: 0 }]);
    h.serverSends(inbound("a", 1, 4));
    exceeded(h, h.drain());
  });

  it("Session frees a QoS 2 slot on PUBCOMP and lets a QoS 1 message take it", () => {
    const h = held(2);
    h.serverSends(inbound("a", 1, 1));
    h.serverSends(inbound("a", 2, 2));
    const [, qos2] = receipts(h.drain());
    h.session.ack(qos2!, 0, h.now);
    h.drain();
    h.serverSends({ type: "pubrel", packetId: 2, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 2, reasonCode: 0 }]);
    h.serverSends(inbound("a", 1, 3));
    assert.deepEqual(kinds(h.drain()), ["message"]);
    h.serverSends(inbound("a", 2, 4));
    exceeded(h, h.drain());
  });

  it("Session counts a re-sent QoS 1 PUBLISH (DUP) of a held message once, and delivers it once", () => {
    const h = held(2);
    h.serverSends(inbound("a", 1, 1));
    const [first] = receipts(h.drain());
    h.serverSends(inbound("a", 1, 1, { dup: true }));
    assert.deepEqual(h.drain(), [], "neither delivered again nor answered before ack()");
    h.serverSends(inbound("a", 1, 2)); // the second slot
    const [second] = receipts(h.drain());
    assert.ok(second !== undefined);
    h.session.ack(first!, 0, h.now);
    assert.deepEqual(h.written(), [{ type: "puback", packetId: 1, reasonCode: 0 }], "one PUBACK");
    h.serverSends(inbound("a", 1, 1)); // the identifier is free again: a new message
    assert.equal(receipts(h.drain()).length, 1);
    h.serverSends(inbound("a", 1, 3));
    exceeded(h, h.drain());
  });

  it("Session never counts QoS 0 messages", () => {
    const h = held(1);
    h.serverSends(inbound("a", 1, 1));
    for (let i = 0; i < 5; i++) h.serverSends(inbound("a", 0));
    assert.deepEqual(kinds(h.drain()), ["message", ...Array(5).fill("message")]);
  });

  it("Session starts the count afresh on a new connection; held QoS 1 receipts end with theirs", () => {
    const h = held(1, { clean: false });
    h.serverSends(inbound("a", 1, 1));
    const [old] = receipts(h.drain());
    h.session.transportClosed(h.now, new Error("reset"));
    h.drain();
    h.advance(100);
    h.session.transportOpened(h.now);
    h.connack(true);
    h.drain();
    h.serverSends(inbound("a", 1, 1, { dup: true })); // the server sends it again
    const [again] = receipts(h.drain());
    assert.ok(again !== undefined, "delivered on the new connection, within the maximum");
    assert.equal(h.session.ack(old!, 0, h.now), false, "the old receipt cannot answer it");
    assert.equal(h.session.ack(again!, 0, h.now), true);
    assert.deepEqual(h.written(), [{ type: "puback", packetId: 1, reasonCode: 0 }]);
  });

  it("Session does not enforce a Receive Maximum on MQTT 3.1.1", () => {
    const h = new Harness({ protocolVersion: 4, reconnect });
    h.autoAck = false;
    h.connected();
    for (let id = 1; id <= 100; id++) h.serverSends(inbound("a", 1, id));
    assert.equal(receipts(h.drain()).length, 100);
  });
});
