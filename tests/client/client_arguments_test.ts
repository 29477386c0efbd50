/**
 * Argument checks of the client's methods: a bad argument rejects (or throws, for the
 * synchronous methods) with TypeError / RangeError and nothing reaches the broker.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectedClient } from "../_helpers/fake_broker.ts";
import type { MqttClient } from "../../src/client/client.ts";

type Kind = typeof TypeError | typeof RangeError;

function matches(kind: Kind, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return true;
  };
}

const badPublishes: [string, (c: MqttClient) => Promise<unknown>, Kind, RegExp][] = [
  ["an empty topic", (c) => c.publish("", "x"), RangeError, /must not be empty/],
  ["a topic with +", (c) => c.publish("a/+", "x"), RangeError, /"a\/\+"/],
  ["a topic with #", (c) => c.publish("a/#", "x"), RangeError, /"a\/#"/],
  ["a topic with U+0000", (c) => c.publish("a\0", "x"), RangeError, /U\+0000/],
  ["a non-string topic", (c) => c.publish(5 as never, "x"), TypeError, /topic must be a string/],
  [
    "an object payload",
    (c) => c.publish("t", {} as never),
    TypeError,
    /payload must be a string, a number/,
  ],
  [
    "a NaN payload",
    (c) => c.publish("t", NaN as never),
    RangeError,
    /payload must be a finite number, got NaN/,
  ],
  ["QoS 3", (c) => c.publish("t", "x", { qos: 3 as never }), RangeError, /qos must be 0, 1 or 2/],
  ["QoS '1'", (c) => c.publish("t", "x", { qos: "1" as never }), TypeError, /qos/],
  ["a string retain", (c) => c.publish("t", "", { retain: "y" as never }), TypeError, /retain/],
  [
    "properties on MQTT 3.1.1",
    (c) => c.publish("t", "x", { properties: { contentType: "a" } }),
    RangeError,
    /properties needs protocolVersion 5/,
  ],
  [
    "a signal that is not an AbortSignal",
    (c) => c.publish("t", "x", { signal: "stop" as never }),
    TypeError,
    /signal must be an AbortSignal/,
  ],
];

const badSubscribes: [string, (c: MqttClient) => Promise<unknown>, Kind, RegExp][] = [
  ["an empty list", (c) => c.subscribe([]), RangeError, /must not be an empty array/],
  ["a number", (c) => c.subscribe(5 as never), TypeError, /string or an array/],
  ["a # that is not last", (c) => c.subscribe("a/#/b"), RangeError, /not the last level/],
  ["a + inside a level", (c) => c.subscribe("a+"), RangeError, /not alone/],
  [
    "an entry with QoS 3",
    (c) => c.subscribe(["a", { topicFilter: "b", qos: 3 as never }]),
    RangeError,
    /filters\[1\]\.qos must be 0, 1 or 2/,
  ],
  [
    "an entry without topicFilter",
    (c) => c.subscribe([{} as never]),
    TypeError,
    /filters\[0\]\.topicFilter must be a string/,
  ],
  [
    "noLocal on MQTT 3.1.1",
    (c) => c.subscribe("a", { noLocal: true }),
    RangeError,
    /noLocal needs protocolVersion 5/,
  ],
  [
    "properties on MQTT 3.1.1",
    (c) => c.subscribe("a", { properties: { userProperties: [["k", "v"]] } }),
    RangeError,
    /subscribe options\.properties needs protocolVersion 5/,
  ],
  [
    "retainAsPublished on MQTT 3.1.1",
    (c) => c.subscribe([{ topicFilter: "a", retainAsPublished: true }]),
    RangeError,
    /filters\[0\]\.retainAsPublished needs protocolVersion 5/,
  ],
  [
    "retainHandling on MQTT 3.1.1",
    (c) => c.subscribe("a", { retainHandling: 2 }),
    RangeError,
    /retainHandling needs protocolVersion 5/,
  ],
  [
    "retainHandling 3",
    (c) => c.subscribe("a", { retainHandling: 3 as never }),
    RangeError,
    /retainHandling must be an integer in 0\.\.2/,
  ],
];

describe("MqttClient argument checks", () => {
  for (const [what, call, kind, pattern] of badPublishes) {
    it(`MqttClient.publish rejects ${what} before anything is written`, async () => {
      const { client, conn } = await connectedClient();
      await assert.rejects(call(client), matches(kind, pattern));
      await conn.expectNothing();
    });
  }

  for (const [what, call, kind, pattern] of badSubscribes) {
    it(`MqttClient.subscribe rejects ${what} before anything is written`, async () => {
      const { client, conn } = await connectedClient();
      await assert.rejects(call(client), matches(kind, pattern));
      await conn.expectNothing();
    });
  }

  it("MqttClient.subscribe rejects noLocal on a shared subscription [MQTT-3.8.3-4]", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    await assert.rejects(
      client.subscribe("$share/g/a", { noLocal: true }),
      matches(RangeError, /MQTT-3\.8\.3-4/),
    );
    await conn.expectNothing();
  });

  it("MqttClient.subscribe rejects a subscription identifier of 0", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    await assert.rejects(
      client.subscribe("a", { properties: { subscriptionIdentifier: 0 } }),
      matches(RangeError, /subscriptionIdentifier must be an integer in 1\.\.268435455/),
    );
    await conn.expectNothing();
  });

  it("MqttClient.unsubscribe rejects an empty list, a bad filter and properties on MQTT 3.1.1", async () => {
    const { client, conn } = await connectedClient();
    await assert.rejects(client.unsubscribe([]), RangeError);
    await assert.rejects(client.unsubscribe(["a", "b#"]), matches(RangeError, /filters\[1\]/));
    await assert.rejects(
      client.unsubscribe("a", { properties: { userProperties: [["k", "v"]] } }),
      matches(RangeError, /unsubscribe options\.properties needs protocolVersion 5/),
    );
    await conn.expectNothing();
  });

  it("MqttClient.publish rejects QoS 2 above the server's Maximum QoS before writing", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 }, {
      properties: { maximumQoS: 1 },
    });
    await assert.rejects(client.publish("t", "x", { qos: 2 }), RangeError);
    await conn.expectNothing();
  });

  it("MqttClient.disconnect rejects a reason code or properties on MQTT 3.1.1 and a code above 255", async () => {
    const { client, conn } = await connectedClient();
    await assert.rejects(
      client.disconnect({ reasonCode: 4 }),
      matches(RangeError, /protocolVersion 5/),
    );
    await assert.rejects(client.disconnect({ reasonCode: 256 }), matches(RangeError, /0\.\.255/));
    await assert.rejects(
      client.disconnect({ sessionExpiryInterval: 5 }),
      matches(RangeError, /protocolVersion 5/),
    );
    await assert.rejects(
      client.disconnect({ properties: { reasonString: "bye" } }),
      matches(RangeError, /disconnect options\.properties needs protocolVersion 5/),
    );
    await conn.expectNothing();
    assert.equal(client.connected, true);
  });

  it("MqttClient.disconnect rejects a sessionExpiryInterval after a CONNECT without one, and sends nothing [MQTT-3.14.2-2]", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    await assert.rejects(
      client.disconnect({ sessionExpiryInterval: 5 }),
      matches(RangeError, /MQTT-3\.14\.2-2/),
    );
    await conn.expectNothing();
    assert.equal(client.connected, true);
  });

  it("MqttClient.messages and messageCallbackAdd throw on a bad filter or callback", async () => {
    const { client } = await connectedClient();
    assert.throws(() => client.messages("a/#/b"), RangeError);
    assert.throws(() => client.messages("a", { buffer: 0 }), RangeError);
    assert.throws(() => client.messageCallbackAdd("a+", () => {}), RangeError);
    assert.throws(() => client.messageCallbackAdd("a", 5 as never), TypeError);
  });

  it("MqttClient methods reject with the reason of an already aborted signal and send nothing", async () => {
    const { client, conn } = await connectedClient();
    const reason = new Error("too late");
    const signal = AbortSignal.abort(reason);
    const same = (error: unknown) => error === reason;
    await assert.rejects(client.publish("t", "x", { qos: 1, signal }), same);
    await assert.rejects(client.subscribe("t", { signal }), same);
    await assert.rejects(client.unsubscribe("t", { signal }), same);
    await conn.expectNothing();
  });

  it("MqttClient.connect rejects with the reason of an already aborted signal and opens nothing", async () => {
    const { FakeBroker } = await import("../_helpers/fake_broker.ts");
    const { MqttClient } = await import("../../src/client/client.ts");
    const { manualClock } = await import("../../src/client/clock.ts");
    const broker = new FakeBroker();
    const client = new MqttClient({ transport: broker.opener, clock: manualClock() });
    const reason = new Error("no");
    await assert.rejects(
      client.connect({ signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(broker.connections.length, 0);
  });
});
