import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PublishPacket } from "../../src/codec/types.ts";
import { SessionImage, type StoreChange } from "../../src/session/persistence.ts";
import { fingerprint } from "../../src/session/fingerprint.ts";
import { Harness, kinds, type Step } from "./_harness.ts";

const reconnect = { minDelay: 10, maxDelay: 10 };

/** The store changes among `steps`. */
function changes(steps: Step[]): StoreChange[] {
  return steps.flatMap((s) => s.type === "store" ? [s.change] : []);
}

/** `op:seq/packetId` summaries of the changes among `steps`. */
function ops(steps: Step[]): string[] {
  return changes(steps).map((c) => {
    if (c.op === "sent") return `sent:${c.seq}/${c.packetId}`;
    if ("seq" in c) return `${c.op}:${c.seq}`;
    if ("packetId" in c) return `${c.op}:${c.packetId}`;
    if (c.op === "subscribed") return `subscribed:${c.subscription.topicFilter}`;
    if (c.op === "unsubscribed") return `unsubscribed:${c.topicFilter}`;
    return c.op;
  });
}

/** A session whose state was saved by `from` (its changes replayed into an image). */
function restoredFrom(image: SessionImage, overrides = {}): Harness {
  const h = new Harness({ clean: false, reconnect, persist: true, ...overrides });
  h.session.restore(image.snapshot());
  h.drain();
  return h;
}

describe("Session persistence", () => {
  it("emits nothing without persist", () => {
    const h = new Harness();
    h.connected();
    h.publish("a", 1);
    assert.deepEqual(changes(h.drain()), []);
  });

  it("a QoS 1/2 message is stored before its PUBLISH is written, and done on its acknowledgement", () => {
    const h = new Harness({ persist: true });
    h.connected();
    h.publish("a", 1);
    h.publish("b", 2);
    h.publish("c", 0);
    const steps = h.drain();
    assert.deepEqual(kinds(steps).filter((k) => k === "store" || k.startsWith("write")), [
      "store",
      "store",
      "write:publish",
      "store",
      "store",
      "write:publish",
      "write:publish",
    ]);
    assert.deepEqual(ops(steps), ["publish:1", "sent:1/1", "publish:2", "sent:2/2"]);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 });
    assert.deepEqual(ops(h.drain()), ["done:1", "released:2"]);
    h.serverSends({ type: "pubcomp", packetId: 2, reasonCode: 0 });
    assert.deepEqual(ops(h.drain()), ["done:2"]);
  });

  it("a queued message is stored when published and gets its packet identifier when sent", () => {
    const h = new Harness({ persist: true, maxInflight: 1 });
    h.connected();
    h.publish("a", 1);
    h.publish("b", 1);
    assert.deepEqual(ops(h.drain()), ["publish:1", "sent:1/1", "publish:2"]);
    h.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(ops(h.drain()), ["done:1", "sent:2/2"]);
  });

  it("a message dropped unsent (cancel, refused by the queue) is done", () => {
    const h = new Harness({ persist: true, maxInflight: 1, maxQueued: 1 });
    h.connected();
    h.publish("a", 1);
    const b = h.publish("b", 1);
    h.publish("c", 1); // queue full: rejected
    assert.deepEqual(ops(h.drain()), ["publish:1", "sent:1/1", "publish:2", "publish:3", "done:3"]);
    h.cancel(b);
    assert.deepEqual(ops(h.drain()), ["done:2"]);
  });

  it("restored in-flight messages are resent with DUP and their packet identifiers on a resumed session", () => {
    const h = new Harness({ persist: true, clean: false, reconnect });
    h.connected();
    h.publish("a", 1);
    h.publish("b", 2);
    h.publish("c", 2);
    const image = new SessionImage();
    image.apply(changes(h.drain()));
    h.serverSends({ type: "pubrec", packetId: 3, reasonCode: 0 });
    image.apply(changes(h.drain()));
    // The process dies here. A new one restores and connects.
    const next = restoredFrom(image);
    next.connect();
    next.connack(true);
    const sent = next.written().filter((p) => p.type !== "connect").map((p) =>
      p.type === "publish"
        ? `publish:${p.topic}:${p.packetId}:${p.dup}`
        : `${p.type}:${"packetId" in p ? p.packetId : ""}`
    );
    assert.deepEqual(sent, ["pubrel:3", "publish:a:1:true", "publish:b:2:true"]);
    next.serverSends({ type: "puback", packetId: 1, reasonCode: 0 });
    next.serverSends({ type: "pubcomp", packetId: 3, reasonCode: 0 });
    assert.deepEqual(ops(next.drain()), ["done:1", "done:3"]);
    // New messages continue the sequence and the packet identifiers after the restored ones.
    next.publish("d", 1);
    assert.deepEqual(ops(next.drain()), ["publish:4", "sent:4/4"]);
  });

  it("restored messages are published again as new ones when the server has no session; released QoS 2 counts as delivered", () => {
    const h = new Harness({ persist: true, clean: false, reconnect, maxInflight: 2 });
    h.connected();
    h.publish("a", 1);
    h.publish("b", 2);
    h.publish("c", 1); // queued, never sent
    const image = new SessionImage();
    image.apply(changes(h.drain()));
    h.serverSends({ type: "pubrec", packetId: 2, reasonCode: 0 });
    image.apply(changes(h.drain()));
    const next = restoredFrom(image);
    const steps = next.connected(false);
    const written = steps.flatMap((s) => s.type === "write" ? [s.packet] : [])
      .filter((p): p is PublishPacket => p.type === "publish");
    assert.deepEqual(written.map((p) => [p.topic, p.dup]), [["a", false], ["c", false]]);
    image.apply(changes(steps));
    assert.deepEqual(image.snapshot().outgoing.map((o) => [o.message.topic, o.packetId]), [
      ["a", written[0]!.packetId],
      ["c", written[1]!.packetId],
    ]);
  });

  it("a restored queued message waits for connect and goes out before new ones", () => {
    const image = new SessionImage();
    const message = { topic: "q", payload: new Uint8Array([1]), qos: 1 as const, retain: false };
    image.apply([{ op: "publish", seq: 9, message }]);
    const next = restoredFrom(image);
    next.publish("new", 1);
    assert.deepEqual(next.written(), [], "nothing before connect");
    const steps = next.connected(true);
    const topics = steps.flatMap((s) =>
      s.type === "write" && s.packet.type === "publish" ? [s.packet.topic] : []
    );
    assert.deepEqual(topics, ["q", "new"]);
  });

  it("restored incoming QoS 2 states keep exactly once: a re-sent PUBLISH is not delivered again", () => {
    const h = new Harness({ persist: true, clean: false, reconnect });
    h.connected();
    const payload = new Uint8Array([7]);
    const publish: PublishPacket = {
      type: "publish",
      topic: "in",
      payload,
      qos: 2,
      retain: false,
      dup: false,
      packetId: 5,
    };
    h.serverSends(publish);
    const acked = h.drain(); // the harness acknowledges deliveries at once
    assert.equal(acked.filter((s) => s.type === "message").length, 1);
    assert.deepEqual(ops(acked), ["received:5"]);
    const image = new SessionImage();
    image.apply(changes(acked));
    const next = restoredFrom(image);
    next.connected(true);
    next.serverSends({ ...publish, dup: true });
    const again = next.drain();
    assert.equal(again.filter((s) => s.type === "message").length, 0, "not delivered twice");
    assert.ok(kinds(again).includes("write:pubrec"));
    next.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    const done = next.drain();
    assert.deepEqual(ops(done), ["completed:5"]);
    const completed = changes(done)[0];
    assert.ok(completed?.op === "completed");
    assert.equal(completed.fingerprint, fingerprint("in", payload));
  });

  it("a restored completed window answers a DUP re-send of a completed exchange without delivering it", () => {
    const image = new SessionImage();
    const payload = new Uint8Array([1, 2]);
    image.apply([{ op: "completed", packetId: 9, fingerprint: fingerprint("w", payload) }]);
    const next = restoredFrom(image);
    next.connected(true);
    next.serverSends({
      type: "publish",
      topic: "w",
      payload,
      qos: 2,
      retain: false,
      dup: true,
      packetId: 9,
    });
    const steps = next.drain();
    assert.equal(steps.filter((s) => s.type === "message").length, 0);
    assert.ok(kinds(steps).includes("write:pubrec"));
  });

  it("granted subscriptions are stored, and restored ones are made again when the server has no session", () => {
    const h = new Harness({ persist: true, clean: false, reconnect });
    h.connected();
    h.subscribe("s/#");
    h.drain();
    h.serverSends({ type: "suback", packetId: 1, reasonCodes: [1] });
    const steps = h.drain();
    assert.deepEqual(ops(steps), ["subscribed:s/#"]);
    const image = new SessionImage();
    image.apply(changes(steps));
    const next = restoredFrom(image);
    const resubscribe = next.connected(false);
    const subscribe = resubscribe.flatMap((s) => s.type === "write" ? [s.packet] : [])
      .find((p) => p.type === "subscribe");
    assert.ok(subscribe?.type === "subscribe");
    assert.deepEqual(subscribe.subscriptions.map((s) => s.topicFilter), ["s/#"]);
  });

  it("a server without a session resets the stored identifiers and incoming states", () => {
    const h = new Harness({ persist: true, clean: false, reconnect });
    assert.deepEqual(ops(h.connected(false)), ["reset"]);
  });

  it("restore() is refused after the first connect", () => {
    const h = new Harness({ persist: true });
    h.connected();
    assert.throws(
      () => h.session.restore(new SessionImage().snapshot()),
      /before the first connect/,
    );
  });
});
