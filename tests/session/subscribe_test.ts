import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SubscribePacket, UnsubscribePacket } from "../../src/codec/types.ts";
import { ConnectionClosedError, ProtocolError } from "../../src/errors.ts";
import { find, Harness, kinds, packets } from "./_harness.ts";

describe("Session subscribe", () => {
  it("Session writes SUBSCRIBE and resolves with the SUBACK's reason codes and properties", () => {
    const h = new Harness();
    h.connected();
    const token = h.subscribe(
      [{ topicFilter: "a/+", qos: 1 }, { topicFilter: "b", qos: 2 }],
      { subscriptionIdentifier: 3 },
    );
    const [sent] = h.written() as SubscribePacket[];
    assert.equal(sent?.packetId, 1);
    assert.deepEqual(sent?.properties, { subscriptionIdentifier: 3 });
    h.serverSends({
      type: "suback",
      packetId: 1,
      reasonCodes: [1, 0x80],
      properties: { reasonString: "partial" },
    });
    h.drain();
    assert.deepEqual(h.resolved(token), {
      mid: 1,
      reasonCodes: [1, 0x80],
      properties: { reasonString: "partial" },
    });
  });

  it("Session writes UNSUBSCRIBE and resolves with the UNSUBACK's reason codes", () => {
    const h = new Harness();
    h.connected();
    const token = h.unsubscribe(["a", "b"]);
    const [sent] = h.written() as UnsubscribePacket[];
    assert.deepEqual(sent, { type: "unsubscribe", packetId: 1, topicFilters: ["a", "b"] });
    h.serverSends({ type: "unsuback", packetId: 1, reasonCodes: [0, 0x11] });
    h.drain();
    assert.deepEqual(h.resolved(token), { mid: 1, reasonCodes: [0, 0x11] });
  });

  const mismatched: [string, number, "suback" | "unsuback", number[], string][] = [
    ["a SUBACK with fewer reason codes than filters", 5, "suback", [1], "[MQTT-3.9.3-1]"],
    ["a SUBACK with more reason codes than filters", 5, "suback", [1, 1, 1], "[MQTT-3.9.3-1]"],
    ["an MQTT 3.1.1 SUBACK with fewer return codes", 4, "suback", [1], "[MQTT-3.9.3-1]"],
    ["an UNSUBACK with fewer reason codes than filters", 5, "unsuback", [0], "[MQTT-3.11.3-1]"],
  ];
  for (const [what, protocolVersion, type, reasonCodes, rule] of mismatched) {
    it(`Session treats ${what} as a protocol error (0x82), not as the call's result`, () => {
      const h = new Harness({ protocolVersion: protocolVersion as 4 | 5 });
      h.connected();
      if (type === "suback") {
        h.subscribe([{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 1 }]);
      } else h.unsubscribe(["a", "b"]);
      h.drain();
      h.serverSends({ type, packetId: 1, reasonCodes });
      const steps = h.drain();
      const lost = find(steps, "disconnected");
      assert.ok(lost.error instanceof ProtocolError);
      assert.equal(lost.error.reasonCode, 0x82);
      const name = type.toUpperCase();
      assert.equal(
        lost.error.message,
        `${name} 1 has ${reasonCodes.length} reason codes for 2 topic filters ${rule}`,
      );
      if (protocolVersion === 5) {
        assert.deepEqual(packets(steps), [{ type: "disconnect", reasonCode: 0x82 }]);
      }
      assert.ok(!steps.some((step) => step.type === "resolve"), "the call is not resolved");
    });
  }

  it("Session resolves an MQTT 3.1.1 UNSUBACK with success for every filter", () => {
    const h = new Harness({ protocolVersion: 4 });
    h.connected();
    const token = h.unsubscribe(["a", "b"]);
    h.drain();
    h.serverSends({ type: "unsuback", packetId: 1, reasonCodes: [] });
    h.drain();
    assert.deepEqual(h.resolved(token), { mid: 1, reasonCodes: [0, 0] });
  });

  it("Session queues SUBSCRIBE and UNSUBSCRIBE while connecting and sends them after CONNACK", () => {
    const h = new Harness();
    const token = h.token();
    h.session.connect(token, 0);
    const s = h.subscribe("x");
    const u = h.unsubscribe(["y"]);
    h.session.transportOpened(0);
    assert.deepEqual(kinds(h.drain()), ["open", "write:connect"]);
    h.connack();
    assert.deepEqual(kinds(h.drain()), [
      "connected",
      "resolve",
      "write:subscribe",
      "write:unsubscribe",
    ]);
    h.unsettled(s);
    h.unsettled(u);
  });

  it("Session rejects SUBSCRIBE with ConnectionClosedError when the session is closed", () => {
    const h = new Harness();
    h.connected();
    h.disconnect();
    const token = h.subscribe("a");
    h.drain();
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
  });

  it("Session.subscribe throws RangeError for features the server lacks", () => {
    const h = new Harness();
    h.connected(false, {
      wildcardSubscriptionAvailable: false,
      sharedSubscriptionAvailable: false,
      subscriptionIdentifierAvailable: false,
    });
    assert.throws(() => h.subscribe("a/+"), /wildcard/);
    assert.throws(() => h.subscribe("a/#"), /wildcard/);
    assert.throws(() => h.subscribe("$share/g/a"), /shared subscription/);
    assert.throws(() => h.subscribe("a", { subscriptionIdentifier: 1 }), /Subscription Identifier/);
    assert.deepEqual(h.drain(), [], "nothing sent or queued");
    h.subscribe("a/b");
    assert.equal(h.written().length, 1);
  });

  it("Session.subscribe throws RangeError for a SUBSCRIBE above the server's Maximum Packet Size", () => {
    const h = new Harness();
    h.connected(false, { maximumPacketSize: 30 });
    assert.throws(
      () => h.subscribe("x".repeat(40)),
      /must be at most 30 bytes, the server.s Maximum Packet Size/,
    );
  });

  it("Session.subscribe and unsubscribe throw RangeError for an empty list", () => {
    const h = new Harness();
    h.connected();
    assert.throws(() => h.subscribe([]), RangeError);
    assert.throws(() => h.unsubscribe([]), RangeError);
  });
});
