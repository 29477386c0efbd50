/**
 * Operations that do not complete normally, against a real Mosquitto reached through a proxy
 * that can stall or refuse: AbortSignal, `operationTimeout`, and `disconnect()` with work
 * pending. Every operation promise must settle exactly once, with the documented error.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { ConnectionClosedError, TimeoutError } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { ClientPool, fence, it, TcpProxy, uniqueTopic, within } from "./_support.ts";

const RECONNECT = { minDelay: 100, maxDelay: 500 } as const;

/** The error a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return await within(promise, what).then(
    () => assert.fail(`${what} resolved, expected a rejection`),
    (error: unknown) => error,
  );
}

describe("MqttClient operations that are aborted, time out or are cut short", () => {
  let broker: MosquittoBroker;
  let url: string;
  let proxy: TcpProxy;
  let proxied: string;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto();
    url = `mqtt://${broker.host}:${broker.port}`;
    proxy = await TcpProxy.start(broker.host, broker.port);
    proxied = `mqtt://127.0.0.1:${proxy.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await proxy?.close();
    await broker?.stop();
  });

  it("MqttClient.publish aborted while offline rejects with the reason and is never sent", async () => {
    const sub = await pool.open(url);
    const topic = uniqueTopic("abort-offline");
    await sub.client.subscribe(topic, { qos: 1 });
    const pub = await pool.open(proxied, { reconnect: RECONNECT });
    proxy.refuse(true);
    try {
      proxy.sever();
      await pub.events.find((e) => e.kind === "disconnect", "the drop");
      const controller = new AbortController();
      const reason = new Error("no longer needed");
      const aborted = pub.client.publish(topic, "aborted", { qos: 1, signal: controller.signal });
      const kept = pub.client.publish(topic, "kept", { qos: 1 });
      controller.abort(reason);
      assert.equal(await rejection(aborted, "the aborted publish"), reason);
      proxy.refuse(false);
      await within(kept, "the publish that was not aborted");
    } finally {
      proxy.refuse(false);
    }
    assert.deepEqual(await fence(pub.client, sub, topic), ["kept", "fence"]);
  });

  it("MqttClient.publish and subscribe reject with TimeoutError after operationTimeout", async () => {
    const client = await pool.open(proxied, { operationTimeout: 300, keepalive: 0 });
    proxy.stall();
    try {
      const started = performance.now();
      const publish = client.client.publish(uniqueTopic("slow"), "x", { qos: 1 });
      const subscribe = client.client.subscribe(uniqueTopic("slow"), { qos: 1 });
      assert.ok((await rejection(publish, "the publish")) instanceof TimeoutError);
      assert.ok((await rejection(subscribe, "the subscribe")) instanceof TimeoutError);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 5_000, `timed out after ${Math.round(elapsed)} ms`);
    } finally {
      proxy.resume();
    }
    // The late acknowledgements are ignored and the connection keeps working.
    const topic = uniqueTopic("after-timeout");
    await client.client.subscribe(topic, { qos: 1 });
    await client.client.publish(topic, "fine", { qos: 1 });
    await client.inbox.count(1, "a message after the timeouts");
  });

  it("MqttClient.subscribe aborted while waiting for its SUBACK rejects with the reason", async () => {
    const client = await pool.open(proxied, { keepalive: 0 });
    proxy.stall();
    try {
      const controller = new AbortController();
      const from = proxy.chunksUp.items.length;
      const subscribing = client.client.subscribe(uniqueTopic("abort-sub"), {
        qos: 1,
        signal: controller.signal,
      });
      const isSubscribe = (chunk: Uint8Array) => chunk[0] === 0x82;
      await proxy.chunksUp.find(isSubscribe, "the SUBSCRIBE on its way", from);
      controller.abort();
      const error = await rejection(subscribing, "the aborted subscribe");
      assert.equal(error, controller.signal.reason);
    } finally {
      proxy.resume();
    }
  });

  it("MqttClient.disconnect rejects pending operations with ConnectionClosedError", async () => {
    const client = await pool.open(proxied, { keepalive: 0 });
    proxy.stall();
    try {
      const pending = [
        client.client.publish(uniqueTopic("cut"), "x", { qos: 1 }),
        client.client.publish(uniqueTopic("cut"), "y", { qos: 2 }),
        client.client.subscribe(uniqueTopic("cut"), { qos: 1 }),
      ];
      await within(client.client.disconnect(), "disconnect() with a stalled connection");
      for (const [i, operation] of pending.entries()) {
        const error = await rejection(operation, `pending operation #${i}`);
        assert.ok(error instanceof ConnectionClosedError, `#${i}: ${error}`);
      }
      assert.equal(client.client.connected, false);
    } finally {
      proxy.resume();
    }
  });
});
