/**
 * Operations that do not complete normally, against a real Mosquitto reached through a proxy
 * that can stall or refuse: AbortSignal, `operationTimeout`, and `disconnect()` with work
 * pending. Every operation promise must settle exactly once, with the documented error.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import { ConnectionClosedError, TimeoutError } from "../../mod.ts";
import { fence, it, uniqueTopic, useBroker, within } from "./_support.ts";

const RECONNECT = { minDelay: 100, maxDelay: 500 } as const;

/** The error a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return await within(promise, what).then(
    () => assert.fail(`${what} resolved, expected a rejection`),
    (error: unknown) => error,
  );
}

describe("MqttClient operations that are aborted, time out or are cut short", () => {
  const suite = useBroker({ proxy: true });
  const pool = suite.pool;

  it("MqttClient.publish aborted while offline rejects with the reason and is never sent", async () => {
    const sub = await pool.open(suite.url);
    const topic = uniqueTopic("abort-offline");
    await sub.client.subscribe(topic, { qos: 1 });
    const pub = await pool.open(suite.proxiedUrl, { reconnect: RECONNECT });
    suite.proxy.refuse(true);
    try {
      suite.proxy.sever();
      await pub.events.find((e) => e.kind === "disconnect", "the drop");
      const controller = new AbortController();
      const reason = new Error("no longer needed");
      const aborted = pub.client.publish(topic, "aborted", { qos: 1, signal: controller.signal });
      const kept = pub.client.publish(topic, "kept", { qos: 1 });
      controller.abort(reason);
      assert.equal(await rejection(aborted, "the aborted publish"), reason);
      suite.proxy.refuse(false);
      await within(kept, "the publish that was not aborted");
    } finally {
      suite.proxy.refuse(false);
    }
    assert.deepEqual(await fence(pub.client, sub, topic), ["kept", "fence"]);
  });

  it("MqttClient.publish and subscribe reject with TimeoutError after operationTimeout", async () => {
    const client = await pool.open(suite.proxiedUrl, { operationTimeout: 300, keepalive: 0 });
    suite.proxy.stall();
    try {
      const started = performance.now();
      const publish = client.client.publish(uniqueTopic("slow"), "x", { qos: 1 });
      const subscribe = client.client.subscribe(uniqueTopic("slow"), { qos: 1 });
      assert.ok((await rejection(publish, "the publish")) instanceof TimeoutError);
      assert.ok((await rejection(subscribe, "the subscribe")) instanceof TimeoutError);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 5_000, `timed out after ${Math.round(elapsed)} ms`);
    } finally {
      suite.proxy.resume();
    }
    // The late acknowledgements are ignored and the connection keeps working.
    const topic = uniqueTopic("after-timeout");
    await client.client.subscribe(topic, { qos: 1 });
    await client.client.publish(topic, "fine", { qos: 1 });
    await client.inbox.count(1, "a message after the timeouts");
  });

  it("MqttClient.subscribe aborted while waiting for its SUBACK rejects with the reason", async () => {
    const client = await pool.open(suite.proxiedUrl, { keepalive: 0 });
    suite.proxy.stall();
    try {
      const controller = new AbortController();
      const from = suite.proxy.chunksUp.items.length;
      const subscribing = client.client.subscribe(uniqueTopic("abort-sub"), {
        qos: 1,
        signal: controller.signal,
      });
      const isSubscribe = (chunk: Uint8Array) => chunk[0] === 0x82;
      await suite.proxy.chunksUp.find(isSubscribe, "the SUBSCRIBE on its way", from);
      controller.abort();
      const error = await rejection(subscribing, "the aborted subscribe");
      assert.equal(error, controller.signal.reason);
    } finally {
      suite.proxy.resume();
    }
  });

  it("MqttClient.disconnect rejects pending operations with ConnectionClosedError", async () => {
    const client = await pool.open(suite.proxiedUrl, { keepalive: 0 });
    suite.proxy.stall();
    try {
      const pending = [
        client.client.publish(uniqueTopic("cut"), "x", { qos: 1 }),
        client.client.publish(uniqueTopic("cut"), "y", { qos: 2 }),
        client.client.subscribe(uniqueTopic("cut"), { qos: 1 }),
      ];
      // (Handled before awaiting: they reject while disconnect() is under way.)
      const errors = pending.map((operation, i) => rejection(operation, `pending operation #${i}`));
      await within(client.client.disconnect(), "disconnect() with a stalled connection");
      for (const [i, error] of (await Promise.all(errors)).entries()) {
        assert.ok(error instanceof ConnectionClosedError, `#${i}: ${error}`);
      }
      assert.equal(client.client.connected, false);
    } finally {
      suite.proxy.resume();
    }
  });
});
