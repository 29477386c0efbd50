import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Properties, QoS } from "../../src/codec/types.ts";
import { SessionImage, type StoreChange } from "../../src/session/persistence.ts";
import type { InboundMessage, MessageMaker } from "../../src/session/types.ts";
import { Harness, inbound, type Step } from "./_harness.ts";

/** A message class of an application's own, as a client makes them. */
class Made implements InboundMessage {
  receipt = 0;
  declare properties?: Properties;
  constructor(
    readonly topic: string,
    readonly payload: Uint8Array,
    readonly qos: QoS,
    readonly retain: boolean,
    readonly dup: boolean,
    readonly mid: number,
    readonly timestamp: number,
    properties: Properties | undefined,
  ) {
    if (properties !== undefined) this.properties = properties;
  }
}

/** A `MessageMaker` of `Made` messages that counts what it made. */
function maker(): MessageMaker & { made: Made[] } {
  const made: Made[] = [];
  return {
    made,
    newMessage(topic, payload, qos, retain, dup, mid, timestamp, properties) {
      const message = new Made(topic, payload, qos, retain, dup, mid, timestamp, properties);
      made.push(message);
      return message;
    },
  };
}

/** The messages among `steps`. */
function messages(steps: Step[]): InboundMessage[] {
  return steps.flatMap((s) => s.type === "message" ? [s.message] : []);
}

describe("Session MessageMaker", () => {
  it("delivers the maker's objects, with their receipts set, at every QoS", () => {
    const m = maker();
    const h = new Harness({}, undefined, m);
    h.connected();
    h.autoAck = false;
    h.now = 42;
    h.serverSends(inbound("a", 0));
    h.serverSends(inbound("b", 1, 7, { retain: true }));
    h.serverSends(inbound("c", 2, 8, { dup: true }));
    const got = messages(h.drain());
    assert.equal(got.length, 3);
    assert.deepEqual(got, m.made, "the very objects the maker made");
    assert.ok(got.every((message) => message instanceof Made));
    assert.deepEqual(
      got.map((
        { topic, qos, retain, dup, mid, timestamp },
      ) => [topic, qos, retain, dup, mid, timestamp]),
      [["a", 0, false, false, 0, 42], ["b", 1, true, false, 7, 42], ["c", 2, false, true, 8, 42]],
    );
    assert.equal(got[0]!.receipt, 0, "QoS 0: nothing to acknowledge");
    assert.ok(got[1]!.receipt > 0 && got[2]!.receipt > got[1]!.receipt);
    assert.equal(h.session.ack(got[1]!.receipt, 0, h.now), true, "the receipt acknowledges it");
  });

  it("passes MQTT 5 properties without the topic alias, and none when the PUBLISH had only that", () => {
    const m = maker();
    const h = new Harness(
      { protocolVersion: 5, properties: { topicAliasMaximum: 4 } },
      undefined,
      m,
    );
    h.connected();
    const userProperties: [string, string][] = [["k", "v"]];
    h.serverSends(inbound("t", 0, undefined, { properties: { topicAlias: 1, userProperties } }));
    h.serverSends(inbound("", 0, undefined, { properties: { topicAlias: 1 } }));
    const [first, second] = messages(h.drain());
    assert.deepEqual(first!.properties, { userProperties });
    assert.equal(second!.topic, "t");
    assert.equal("properties" in second!, false);
  });

  it("a message a session store kept until PUBREL is delivered as the maker's object", () => {
    const options = { persist: true, clean: false, qos2Delivery: "pubrel" as const };
    const before = new Harness(options);
    before.connected();
    before.serverSends(inbound("kept", 2, 5));
    const stored = before.drain().flatMap((s): StoreChange[] =>
      s.type === "store" ? [s.change] : []
    );
    assert.ok(stored.some((c) => c.op === "received" && c.message !== undefined));
    const image = new SessionImage();
    image.apply(stored);

    const m = maker();
    const after = new Harness(options, undefined, m);
    after.session.restore(image.snapshot());
    after.connected(true);
    after.drain();
    after.serverSends({ type: "pubrel", packetId: 5, reasonCode: 0 });
    const [message] = messages(after.drain());
    assert.ok(message instanceof Made, "made by the maker, not the store's plain object");
    assert.equal(message.topic, "kept");
    assert.deepEqual([...message.payload], [7]);
    assert.equal(m.made.length, 1);
  });

  it("a session store is given a plain copy of a message kept until PUBREL, not the maker's object", () => {
    const m = maker();
    const h = new Harness({ persist: true, clean: false, qos2Delivery: "pubrel" }, undefined, m);
    h.connected();
    h.serverSends(inbound("kept", 2, 6));
    const change = h.drain().flatMap((s): StoreChange[] => s.type === "store" ? [s.change] : [])
      .find((c) => c.op === "received");
    assert.ok(change?.op === "received" && change.message !== undefined);
    assert.equal(Object.getPrototypeOf(change.message), Object.prototype);
    assert.notEqual(change.message, m.made[0]);
    assert.deepEqual({ ...change.message }, { ...m.made[0]! });
  });

  it("without a maker, messages are plain objects with no properties key when there are none", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(inbound("p", 1, 3));
    const [message] = messages(h.drain());
    assert.equal(Object.getPrototypeOf(message), Object.prototype);
    assert.equal("properties" in message!, false);
  });
});
