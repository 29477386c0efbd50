import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Harness } from "./_core_harness.ts";

describe("BrokerCore routing", () => {
  it("BrokerCore delivers by wildcard filters, and keeps $ topics from leading wildcards", () => {
    const h = new Harness();
    const sub = h.connect("sub");
    assert.deepEqual(sub.subscribe("a/+/c", 0), [0]);
    assert.deepEqual(sub.subscribe("#", 0), [0]);
    const pub = h.connect("pub");
    pub.publish("a/b/c", "1");
    pub.publish("$SYS/x", "2");
    pub.publish("x", "3");
    // One copy per message even when two filters match.
    assert.deepEqual(sub.messages(), ["a/b/c 1", "x 3"]);
  });

  it("BrokerCore grants at most Maximum QoS and delivers at the lower of both QoS", () => {
    const h = new Harness({ maximumQoS: 1 });
    const sub = h.connect("sub");
    assert.deepEqual(sub.subscribe("t", 2), [1]);
    const low = h.connect("low");
    low.subscribe("t", 0);
    h.connect("pub").publish("t", "x", { qos: 1 });
    assert.equal(sub.takePublishes()[0]?.qos, 1);
    assert.equal(low.takePublishes()[0]?.qos, 0);
  });

  it("BrokerCore answers PUBACK 0x10 when no one subscribed (MQTT 5) and 0 on 3.1.1", () => {
    const h = new Harness();
    assert.equal(h.connect("a").publish("nobody", "x", { qos: 1 }), 0x10);
    assert.equal(h.connect("b", { protocolVersion: 4 }).publish("nobody", "x", { qos: 1 }), 0);
  });

  it("BrokerCore refuses invalid filters per subscription: 0x8F on MQTT 5, 0x80 on 3.1.1", () => {
    const h = new Harness();
    const v5 = h.connect("a");
    assert.deepEqual(
      v5.subscribe([{ topicFilter: "a/#/b", qos: 1 }, { topicFilter: "ok", qos: 1 }]),
      [0x8f, 1],
    );
    const v4 = h.connect("b", { protocolVersion: 4 });
    assert.deepEqual(v4.subscribe("a+", 1), [0x80]);
  });

  it("BrokerCore refuses wildcard and shared filters when they are not available", () => {
    const h = new Harness({
      wildcardSubscriptionAvailable: false,
      sharedSubscriptionAvailable: false,
    });
    const client = h.connect("a");
    assert.deepEqual(
      client.subscribe([
        { topicFilter: "a/+", qos: 0 },
        { topicFilter: "$share/g/a", qos: 0 },
        { topicFilter: "a/b", qos: 0 },
      ]),
      [0xa2, 0x9e, 0],
    );
  });

  it("BrokerCore answers UNSUBSCRIBE with 0x00 or 0x11 per filter and stops delivering", () => {
    const h = new Harness();
    const sub = h.connect("sub");
    sub.subscribe("t", 0);
    sub.send({ type: "unsubscribe", packetId: 7, topicFilters: ["t", "never"] });
    assert.deepEqual(sub.expect("unsuback").reasonCodes, [0, 0x11]);
    h.connect("pub").publish("t", "x");
    sub.expectNothing();
  });

  it("BrokerCore does not send a no-local subscriber its own messages", () => {
    const h = new Harness();
    const client = h.connect("me");
    client.subscribe([{ topicFilter: "t", qos: 0, noLocal: true }]);
    client.publish("t", "mine");
    h.connect("other").publish("t", "theirs");
    assert.deepEqual(client.messages(), ["t theirs"]);
  });

  it("BrokerCore sends the subscription identifiers of every matching subscription", () => {
    const h = new Harness();
    const sub = h.connect("sub");
    sub.subscribe("a/#", 0, { subscriptionIdentifier: 1 });
    sub.subscribe("a/b", 0, { subscriptionIdentifier: 2 });
    sub.subscribe("a/+", 0);
    h.connect("pub").publish("a/b", "x");
    const [message] = sub.takePublishes();
    assert.deepEqual(message?.properties?.subscriptionIdentifier, [1, 2]);
  });

  it("BrokerCore resolves the topic aliases a client sets", () => {
    const h = new Harness();
    const sub = h.connect("sub");
    sub.subscribe("long/topic", 0);
    const pub = h.connect("pub");
    pub.publish("long/topic", "1", { properties: { topicAlias: 1 } });
    pub.publish("", "2", { properties: { topicAlias: 1 } });
    const messages = sub.takePublishes();
    assert.deepEqual(messages.map((m) => m.topic), ["long/topic", "long/topic"]);
    assert.ok(messages.every((m) => m.properties?.topicAlias === undefined));
  });

  it("BrokerCore forwards the publisher's properties and counts message expiry down", () => {
    const h = new Harness();
    const sub = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    sub.subscribe("t", 1);
    sub.drop();
    const pub = h.connect("pub");
    const correlationData = new Uint8Array([1, 2]);
    pub.publish("t", "soon", {
      qos: 1,
      properties: { messageExpiryInterval: 10, contentType: "text/plain", correlationData },
    });
    pub.publish("t", "later", { qos: 1, properties: { messageExpiryInterval: 3 } });
    h.advance(4_000);
    const again = h.connect("sub", { clean: false, properties: { sessionExpiryInterval: 60 } });
    const messages = again.takePublishes();
    assert.equal(messages.length, 1, "the 3 s message expired");
    assert.deepEqual(messages[0]?.properties, {
      contentType: "text/plain",
      correlationData,
      messageExpiryInterval: 6,
    });
  });

  it("BrokerCore gives each message of a shared subscription to one member, round robin", () => {
    const h = new Harness();
    const a = h.connect("a");
    const b = h.connect("b");
    const plain = h.connect("plain");
    a.subscribe("$share/g/jobs/+", 1);
    b.subscribe("$share/g/jobs/+", 1);
    plain.subscribe("jobs/+", 1);
    const pub = h.connect("pub");
    for (const n of [1, 2, 3, 4]) pub.publish(`jobs/${n}`, `${n}`, { qos: 1 });
    const got = [...a.messages(), ...b.messages()].sort();
    assert.deepEqual(got, ["jobs/1 1", "jobs/2 2", "jobs/3 3", "jobs/4 4"]);
    assert.equal(plain.messages().length, 4);
  });

  it("BrokerCore prefers connected members of a shared group", () => {
    const h = new Harness();
    const options = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const a = h.connect("a", options);
    const b = h.connect("b");
    a.subscribe("$share/g/t", 1);
    b.subscribe("$share/g/t", 1);
    a.drop();
    const pub = h.connect("pub");
    for (const n of [1, 2, 3]) pub.publish("t", `${n}`, { qos: 1 });
    assert.deepEqual(b.messages(), ["t 1", "t 2", "t 3"]);
  });
});

describe("BrokerCore retained messages", () => {
  it("BrokerCore sends retained messages on subscribe with the retain flag, and clears them", () => {
    const h = new Harness();
    const pub = h.connect("pub");
    pub.publish("r/1", "one", { retain: true, qos: 1 });
    pub.publish("r/2", "two", { retain: true });
    pub.publish("r/2", "", { retain: true }); // clears r/2
    const sub = h.connect("sub");
    sub.subscribe("r/#", 1);
    const messages = sub.takePublishes();
    assert.deepEqual(messages.map((m) => [m.topic, m.retain, m.qos]), [["r/1", true, 1]]);
    assert.equal(h.core.retainedCount, 1);
  });

  it("BrokerCore clears the retain flag on live messages unless retain-as-published", () => {
    const h = new Harness();
    const plain = h.connect("plain");
    plain.subscribe("t", 0);
    const rap = h.connect("rap");
    rap.subscribe([{ topicFilter: "t", qos: 0, retainAsPublished: true }]);
    h.connect("pub").publish("t", "x", { retain: true });
    assert.equal(plain.takePublishes()[0]?.retain, false);
    assert.equal(rap.takePublishes()[0]?.retain, true);
  });

  it("BrokerCore follows retain handling 1 (only new subscriptions) and 2 (never)", () => {
    const h = new Harness();
    h.connect("pub").publish("t", "kept", { retain: true });
    const sub = h.connect("sub");
    sub.subscribe([{ topicFilter: "t", qos: 0, retainHandling: 1 }]);
    assert.equal(sub.takePublishes().length, 1);
    sub.subscribe([{ topicFilter: "t", qos: 0, retainHandling: 1 }]);
    assert.equal(sub.takePublishes().length, 0);
    sub.subscribe([{ topicFilter: "t", qos: 0, retainHandling: 0 }]);
    assert.equal(sub.takePublishes().length, 1);
    const never = h.connect("never");
    never.subscribe([{ topicFilter: "t", qos: 0, retainHandling: 2 }]);
    never.expectNothing();
  });

  it("BrokerCore sends no retained messages to a shared subscription", () => {
    const h = new Harness();
    h.connect("pub").publish("t", "kept", { retain: true });
    const sub = h.connect("sub");
    sub.subscribe("$share/g/t", 0);
    sub.expectNothing();
  });

  it("BrokerCore drops an expired retained message", () => {
    const h = new Harness();
    h.connect("pub").publish("t", "brief", {
      retain: true,
      properties: { messageExpiryInterval: 1 },
    });
    h.advance(1_000);
    const sub = h.connect("sub");
    sub.subscribe("t", 0);
    sub.expectNothing();
    assert.equal(h.core.retainedCount, 0);
  });
});
