import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fingerprint } from "../../src/session/fingerprint.ts";
import { pendingPacketId, pendingQos, Receipts } from "../../src/session/receipts.ts";
import type { InboundMessage, SessionOptions } from "../../src/session/types.ts";
import { find, Harness, inbound, kinds, packets, type Step } from "./_harness.ts";

const reconnect = { minDelay: 100, maxDelay: 100 };

function logs(steps: Step[], level: string): string[] {
  return steps.flatMap((s) => (s.type === "log" && s.level === level ? [s.message] : []));
}

/** Completes a QoS 2 exchange of `packetId` (payload `[7]` on `topic`). */
function complete(h: Harness, packetId: number, topic = "a"): void {
  h.serverSends(inbound(topic, 2, packetId));
  assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
  h.serverSends({ type: "pubrel", packetId, reasonCode: 0 });
  assert.deepEqual(h.written(), [{ type: "pubcomp", packetId, reasonCode: 0 }]);
}

function resume(h: Harness, sessionPresent: boolean): void {
  h.session.transportClosed(h.now, new Error("reset"));
  h.drain();
  h.advance(100);
  h.session.transportOpened(h.now);
  h.connack(sessionPresent);
  h.drain();
}

function connected(overrides: Partial<SessionOptions> = {}): Harness {
  const h = new Harness({ clean: false, reconnect, ...overrides });
  h.connected();
  return h;
}

describe("Session incoming QoS 2: reused identifiers and completed re-sends", () => {
  it("fingerprint hashes the topic's UTF-8 bytes, a separator and the payload (FNV-1a, 32 bits)", () => {
    const reference = (bytes: number[]) => {
      let h = 0x811c9dc5;
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    };
    const topic = "a/é/€/😀";
    const payload = new Uint8Array([0, 1, 255]);
    const expected = reference([...new TextEncoder().encode(topic), 0xff, ...payload]);
    assert.equal(fingerprint(topic, payload), expected);
    assert.notEqual(fingerprint("a", new Uint8Array([1])), fingerprint("a", new Uint8Array([2])));
    assert.notEqual(fingerprint("ab", new Uint8Array()), fingerprint("a", new Uint8Array([0x62])));
    assert.notEqual(fingerprint("a", new Uint8Array()), fingerprint("b", new Uint8Array()));
  });

  it("a re-send on a held identifier (same topic and payload) is not delivered again", () => {
    const h = connected();
    h.serverSends(inbound("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:pubrec"]);
    assert.deepEqual(logs(steps, "warn"), []);
  });

  it("a different message on a held identifier (PUBREC sent) is delivered, with a warning", () => {
    const h = connected();
    h.serverSends(inbound("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
    h.serverSends(inbound("a", 2, 5, { payload: new Uint8Array([8]) }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message", "write:pubrec"], "a new message, delivered");
    assert.deepEqual([...find(steps, "message").message.payload], [8]);
    const [warning] = logs(steps, "warn");
    assert.match(warning!, /m5.*reused/);
    h.serverSends(inbound("a", 2, 5, { payload: new Uint8Array([8]), dup: true }));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"], "its own re-send is not delivered");
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 5, reasonCode: 0 }]);
  });

  it("a different topic on a held identifier is a new message too", () => {
    const h = connected();
    h.serverSends(inbound("a", 2, 5));
    h.drain();
    h.serverSends(inbound("b", 2, 5, { dup: true }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message", "write:pubrec"]);
    assert.equal(find(steps, "message").message.topic, "b");
    assert.equal(logs(steps, "warn").length, 1);
  });

  it("a new message on an identifier whose delivery is unacknowledged: the old receipt answers nothing", () => {
    const h = connected();
    h.autoAck = false;
    h.serverSends(inbound("a", 2, 5));
    const old = find(h.drain(), "message").message.receipt;
    h.serverSends(inbound("a", 2, 5, { payload: new Uint8Array([8]) }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["message"]);
    const fresh = find(steps, "message").message.receipt;
    assert.equal(h.session.ack(old, 0, h.now), true);
    assert.deepEqual(h.written(), [], "the old delivery's PUBREC would answer the new message");
    assert.equal(h.session.ack(fresh, 0, h.now), true);
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 5, reasonCode: 0 }]);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 5, reasonCode: 0 }]);
  });

  it('with qos2Delivery "pubrel", a different message on a stored identifier replaces it', () => {
    const h = connected({ qos2Delivery: "pubrel" });
    h.serverSends(inbound("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"]);
    h.serverSends(inbound("a", 2, 5, { payload: new Uint8Array([8]) }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:pubrec"]);
    assert.equal(logs(steps, "warn").length, 1);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    const released = h.drain();
    assert.deepEqual(kinds(released), ["message", "write:pubcomp"]);
    assert.deepEqual([...find(released, "message").message.payload], [8]);
  });

  it("a DUP=1 re-send of a completed exchange gets PUBREC, then PUBCOMP, and is not delivered", () => {
    const h = connected();
    complete(h, 5);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:pubrec"]);
    assert.deepEqual(packets(steps), [{ type: "pubrec", packetId: 5, reasonCode: 0 }]);
    assert.equal(logs(steps, "debug").filter((m) => /completed/.test(m)).length, 1);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(h.written(), [{ type: "pubcomp", packetId: 5, reasonCode: 0 }]);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"], "still remembered after that PUBCOMP");
  });

  it('with qos2Delivery "pubrel", a DUP=1 re-send of a completed exchange is not delivered on PUBREL', () => {
    const h = connected({ qos2Delivery: "pubrel" });
    h.serverSends(inbound("a", 2, 5));
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(kinds(h.drain()), ["write:pubrec", "message", "write:pubcomp"]);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"]);
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(kinds(h.drain()), ["write:pubcomp"]);
  });

  it("DUP=0 on a completed identifier, or DUP=1 with another fingerprint, is a new message", () => {
    const h = connected();
    complete(h, 5);
    h.serverSends(inbound("a", 2, 5));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"], "DUP=0: new");
    h.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    h.drain();
    h.serverSends(inbound("a", 2, 5, { dup: true, payload: new Uint8Array([9]) }));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"], "another message: new");
  });

  it("remembers the last completed exchange of every identifier, however many came after", () => {
    const h = connected();
    // 5,000 completed exchanges (more than any earlier window); a broker restarted from an old
    // state re-sends the first one with DUP=1.
    for (let id = 1; id <= 5000; id++) complete(h, id);
    h.serverSends(inbound("a", 2, 1, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"], "not delivered again");
    h.serverSends({ type: "pubrel", packetId: 1, reasonCode: 0 });
    h.drain();
    // A different message on a completed identifier, DUP=1: delivered.
    h.serverSends(inbound("b", 2, 2, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"]);
  });

  it("Receipts keeps one fingerprint per identifier, the latest exchange's", () => {
    const r = new Receipts();
    for (let id = 1; id <= 65_535; id++) r.completeQos2(id, id);
    assert.equal(r.completedCount, 65_535);
    assert.equal(r.completedQos2(10, 10), true);
    r.completeQos2(11, 99); // a later exchange on the same identifier replaces it
    assert.equal(r.completedCount, 65_535);
    assert.equal(r.completedQos2(11, 11), false);
    assert.equal(r.completedQos2(11, 99), true);
    r.completeQos2(12, 0); // a fingerprint of 0 is remembered too
    assert.equal(r.completedQos2(12, 0), true);
    r.newConnection(false); // no session: all forgotten
    assert.equal(r.completedCount, 0);
    assert.equal(r.completedQos2(10, 10), false);
  });

  it("Receipts tracks identifiers that wrap from 65,535 to 1, and acknowledgements in any order", () => {
    const r = new Receipts();
    const ids = [65_533, 65_534, 65_535, 1, 2, 3];
    const receipts = ids.map((id) => r.expectAck(id, id % 2 === 0 ? 1 : 2));
    for (const id of ids) if (id % 2 !== 0) r.setQos2(id, "delivered", id);
    assert.equal(r.inFlight, 6);
    assert.equal(r.holdsQos1(65_534), true);
    assert.equal(r.holdsQos1(65_533), false, "a QoS 2 delivery is not a held QoS 1 one");
    // Taken out of order: each receipt once, with its own identifier and QoS.
    for (const i of [4, 0, 5, 2, 1, 3]) {
      const taken = r.takeAck(receipts[i]!)!;
      assert.deepEqual([pendingPacketId(taken), pendingQos(taken)], [
        ids[i],
        ids[i]! % 2 === 0 ? 1 : 2,
      ]);
      assert.equal(r.takeAck(receipts[i]!), undefined);
    }
    assert.equal(r.holdsQos1(65_534), false);
    assert.equal(r.holdsQos1(2), false);
    assert.equal(r.inFlight, 4, "the QoS 2 identifiers stay until their exchanges complete");
    for (const id of [65_533, 65_535, 1, 3]) if (r.qos2(id) !== undefined) r.completeQos2(id, id);
    assert.equal(r.inFlight, 0);
    assert.equal(r.qos2(65_535), undefined);
  });

  it("Receipts moves one QoS 2 entry through its states and counts those awaiting PUBREL", () => {
    const r = new Receipts();
    const message: InboundMessage = {
      topic: "t",
      payload: new Uint8Array(1),
      qos: 2,
      retain: false,
      dup: false,
      mid: 4,
      timestamp: 0,
      receipt: 0,
    };
    r.setQos2(4, "stored", 40, 0, message);
    const entry = r.qos2(4)!;
    assert.equal(r.awaitingRelease, 1);
    const receipt = r.expectAck(4, 2);
    r.advanceQos2(entry, "released", receipt);
    assert.equal(r.qos2(4), entry, "the same entry, moved on");
    assert.deepEqual({ ...entry }, {
      state: "released",
      fingerprint: 40,
      receipt,
      message: undefined,
    });
    assert.equal(r.awaitingRelease, 0, "released: delivered, no PUBREL awaited");
    r.setQos2(5, "delivered", 50, r.expectAck(5, 2));
    r.advanceQos2(r.qos2(5)!, "received");
    assert.deepEqual({ ...r.qos2(5)! }, {
      state: "received",
      fingerprint: 50,
      receipt: 0,
      message: undefined,
    });
    assert.equal(r.awaitingRelease, 1);
    r.setQos2(5, "delivered", 51, 9); // a reused identifier replaces the entry
    assert.equal(r.awaitingRelease, 0);
    r.deleteQos2(5);
    r.deleteQos2(5); // forgetting twice changes nothing
    assert.equal(r.awaitingRelease, 0);
    assert.equal(r.inFlight, 1);
  });

  it("Receipts: a resumed connection drops the QoS 1 deliveries' receipts and keeps the QoS 2 ones", () => {
    const r = new Receipts();
    const q1 = r.expectAck(7, 1);
    const q2 = r.expectAck(8, 2);
    r.setQos2(8, "delivered", 1, q2);
    const q1b = r.expectAck(9, 1);
    r.newConnection(true);
    assert.equal(r.takeAck(q1), undefined);
    assert.equal(r.takeAck(q1b), undefined);
    assert.equal(r.holdsQos1(7), false);
    assert.equal(r.inFlight, 1);
    const taken = r.takeAck(q2)!;
    assert.deepEqual([pendingPacketId(taken), pendingQos(taken)], [8, 2]);
    // A QoS 1 delivery of identifier 7 on the new connection is held again.
    const again = r.expectAck(7, 1);
    assert.equal(r.holdsQos1(7), true);
    const retaken = r.takeAck(again)!;
    assert.deepEqual([pendingPacketId(retaken), pendingQos(retaken)], [7, 1]);
    r.newConnection(false);
    assert.equal(r.qos2(8), undefined);
    assert.equal(r.inFlight, 0);
  });

  it("the completed fingerprints survive a reconnect that resumes the session", () => {
    const h = connected();
    complete(h, 5);
    resume(h, true);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["write:pubrec"], "not delivered again");
  });

  it("the window is forgotten when the session is not present", () => {
    const h = connected();
    complete(h, 5);
    resume(h, false);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["message", "write:pubrec"], "a new session: delivered");
  });

  it("a failed PUBREC does not count as a completed exchange", () => {
    const h = connected();
    h.autoAck = false;
    h.serverSends(inbound("a", 2, 5));
    h.session.ack(find(h.drain(), "message").message.receipt, 0x80, h.now);
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 5, reasonCode: 0x80 }]);
    h.serverSends(inbound("a", 2, 5, { dup: true }));
    assert.deepEqual(kinds(h.drain()), ["message"]);
  });
});
