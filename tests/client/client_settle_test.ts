/**
 * Every promise of the client settles: on success, on abort, on timeout and on disconnect; and
 * writes made in one tick leave in one transport write.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectedClient, FakeBroker, settle } from "../_helpers/fake_broker.ts";
import { MqttClient } from "../../src/client/client.ts";
import { manualClock } from "../../src/client/clock.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import { ConnectionClosedError, TimeoutError } from "../../src/errors.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A client on a fake broker and a manual clock, not connected yet. */
function unconnected(options: ClientOptions = {}) {
  const broker = new FakeBroker(4);
  const clock = manualClock();
  const client = new MqttClient({
    transport: broker.opener,
    clock,
    clientId: "c",
    reconnect: false,
    ...options,
  });
  return { broker, clock, client };
}

describe("MqttClient settling", () => {
  it("MqttClient.connect rejects with TimeoutError after connectTimeout when no CONNACK comes", async () => {
    const { broker, clock, client } = unconnected({ connectTimeout: 3000 });
    let settled = false;
    const connecting = client.connect().then(
      () => (settled = true),
      (error: unknown) => {
        settled = true;
        return error;
      },
    );
    const conn = await broker.nextConnection();
    await conn.expect("connect");
    clock.advance(2999);
    await settle();
    assert.equal(settled, false);
    clock.advance(1);
    const outcome = await connecting;
    assert.ok(outcome instanceof TimeoutError);
    assert.match(outcome.message, /No CONNACK within 3000 ms/);
    await conn.closedByClient();
    await client.disconnect();
  });

  it("MqttClient.connect rejects with the abort reason when its signal aborts before CONNACK", async () => {
    const { broker, client } = unconnected();
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const connecting = client.connect({ signal: controller.signal });
    const conn = await broker.nextConnection();
    await conn.expect("connect");
    controller.abort(reason);
    await assert.rejects(connecting, (error) => error === reason);
    await conn.closedByClient();
    assert.equal(client.connected, false);
    await client.disconnect();
  });

  it("MqttClient.publish sends the PUBLISH and resolves QoS 1 on PUBACK", async () => {
    const { client, conn } = await connectedClient();
    let settled = false;
    const publishing = client.publish("a/b", "hi", { qos: 1, retain: true }).then((result) => {
      settled = true;
      return result;
    });
    const publish = await conn.expect("publish");
    assert.deepEqual(publish, {
      type: "publish",
      topic: "a/b",
      payload: utf8("hi"),
      qos: 1,
      retain: true,
      dup: false,
      packetId: publish.packetId,
    });
    await settle();
    assert.equal(settled, false);
    conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    assert.deepEqual(await publishing, { mid: 1, reasonCode: 0 });
  });

  it("MqttClient.subscribe sends per-filter options over the shared ones (MQTT 5)", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    const subscribing = client.subscribe(
      ["a/#", { topicFilter: "b", qos: 0, noLocal: false, retainHandling: 2 }],
      { qos: 1, noLocal: true, properties: { subscriptionIdentifier: 7 } },
    );
    const subscribe = await conn.expect("subscribe");
    assert.deepEqual(subscribe.subscriptions, [
      { topicFilter: "a/#", qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 0 },
      { topicFilter: "b", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 2 },
    ]);
    assert.deepEqual(subscribe.properties, { subscriptionIdentifier: 7 });
    conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1, 0] });
    assert.deepEqual(await subscribing, { mid: 1, reasonCodes: [1, 0] });
  });

  it("MqttClient writes the PUBLISHes of one tick in one transport write", async () => {
    const { client, conn } = await connectedClient();
    const before = conn.writes;
    const all = [];
    for (let i = 0; i < 100; i++) all.push(client.publish("t", `m${i}`));
    await Promise.all(all);
    await settle();
    assert.equal(conn.writes - before, 1);
    assert.equal(conn.unread.length, 100);
    assert.deepEqual(conn.unread.map((p) => p.type === "publish" && p.payload[1]), [
      ...Array.from({ length: 100 }, (_, i) => `m${i}`.charCodeAt(1)),
    ]);
  });

  it("MqttClient.publish rejects with the abort reason when the signal aborts in flight", async () => {
    const { client, conn } = await connectedClient();
    const controller = new AbortController();
    const publishing = client.publish("t", "x", { qos: 1, signal: controller.signal });
    await conn.expect("publish");
    const reason = new Error("enough");
    controller.abort(reason);
    await assert.rejects(publishing, (error) => error === reason);
  });

  it("MqttClient.publish aborted while queued is never sent", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1 });
    const first = client.publish("t", "1", { qos: 1 });
    const controller = new AbortController();
    const second = client.publish("t", "2", { qos: 1, signal: controller.signal });
    const publish = await conn.expect("publish");
    controller.abort("stop");
    await assert.rejects(second, (error) => error === "stop");
    conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    await first;
    await conn.expectNothing();
  });

  it("MqttClient operations reject with TimeoutError after operationTimeout", async () => {
    const { client, conn, clock } = await connectedClient({ operationTimeout: 5000 });
    const publishing = client.publish("t", "x", { qos: 1 });
    const subscribing = client.subscribe("s");
    await conn.expect("publish");
    await conn.expect("subscribe");
    let done = 0;
    void publishing.catch(() => done++);
    clock.advance(4999);
    await settle();
    assert.equal(done, 0);
    clock.advance(1);
    await assert.rejects(publishing, TimeoutError);
    await assert.rejects(subscribing, TimeoutError);
  });

  it("MqttClient.disconnect settles every pending operation with ConnectionClosedError", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1 });
    const inFlight = client.publish("t", "1", { qos: 1 });
    const queued = client.publish("t", "2", { qos: 2 });
    const subscribing = client.subscribe("s");
    const unsubscribing = client.unsubscribe("s");
    await conn.expect("publish");
    await client.disconnect();
    for (const pending of [inFlight, queued, subscribing, unsubscribing]) {
      await assert.rejects(pending, ConnectionClosedError);
    }
    assert.equal(conn.unread.at(-1)?.type, "disconnect");
    assert.ok(conn.clientClosed);
    assert.equal(client.connected, false);
  });

  it("MqttClient operations reject with ConnectionClosedError when the connection is lost", async () => {
    const { client, conn } = await connectedClient();
    const publishing = client.publish("t", "1", { qos: 1 });
    await conn.expect("publish");
    conn.drop();
    await assert.rejects(publishing, ConnectionClosedError);
    await assert.rejects(client.publish("t", "2"), ConnectionClosedError);
  });

  it("MqttClient.disconnect resolves at once on a client that never connected", async () => {
    const { MqttClient } = await import("../../src/client/client.ts");
    const { FakeBroker } = await import("../_helpers/fake_broker.ts");
    const broker = new FakeBroker();
    const client = new MqttClient({ transport: broker.opener });
    await client.disconnect();
    assert.equal(broker.connections.length, 0);
  });

  it("MqttClient[Symbol.asyncDispose] disconnects", async () => {
    const { client, conn } = await connectedClient();
    await client[Symbol.asyncDispose]();
    assert.equal((await conn.expect("disconnect")).reasonCode, 0);
  });

  it("MqttClient[Symbol.asyncDispose] disconnects at the end of an `await using` block", async () => {
    const { client, conn } = await connectedClient();
    {
      await using scoped = client;
      await scoped.publish("t", "x");
    }
    await conn.expect("publish");
    await conn.expect("disconnect");
    assert.equal(conn.clientClosed, true);
    assert.equal(client.connected, false);
  });
});
