/** `startBroker` and the `Broker` it returns, with korero clients over TCP, WebSocket and memory. */

import { describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import { connect, ConnectionRefusedError, MqttClient } from "../../mod.ts";
import { startBroker } from "../../src/broker/mod.ts";
import { ClientPool, isBun, it, Recorder, text, uniqueTopic } from "../integration/_support.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

describe("startBroker", () => {
  it("startBroker({ port: 0 }) listens on a free port and round-trips a message", async () => {
    await using broker = await startBroker({ port: 0 });
    assert.ok(broker.port > 0);
    assert.equal(broker.url, `mqtt://127.0.0.1:${broker.port}`);
    const pool = new ClientPool();
    try {
      const { client, inbox } = await pool.open(broker.url, { protocolVersion: 5 });
      await client.subscribe("hello", { qos: 1 });
      await client.publish("hello", "world", { qos: 1 });
      const [message] = await inbox.count(1, "the message");
      assert.equal(text(message!.payload), "world");
    } finally {
      await pool.closeAll();
    }
  });

  it("startBroker({ tcp: false }) is reached in memory through broker.opener", async () => {
    await using broker = await startBroker({ tcp: false });
    assert.equal(broker.port, 0);
    assert.equal(broker.url, "mqtt://memory");
    const client = new MqttClient({ url: broker.url, transport: broker.opener });
    const inbox = new Recorder<string>();
    client.onMessage = ({ message }) => inbox.push(text(message.payload));
    await client.connect();
    await client.subscribe("m", { qos: 2 });
    await client.publish("m", "in memory", { qos: 2 });
    await inbox.count(1, "the message");
    assert.deepEqual(broker.stats, { connections: 1, sessions: 1, retained: 0 });
    await client.disconnect();
  });

  it("Broker.close sends MQTT 5 clients DISCONNECT 0x8B and stops listening", async () => {
    const broker = await startBroker({ port: 0 });
    const pool = new ClientPool();
    const { events } = await pool.open(broker.url, { protocolVersion: 5, reconnect: false });
    await broker.close();
    const event = await events.find((e) => e.kind === "disconnect", "the server's DISCONNECT");
    assert.ok(event.kind === "disconnect");
    assert.equal(event.packetReasonCode, 0x8b);
    await broker.close(); // idempotent
    await assert.rejects(connect(broker.url, { reconnect: false, connectTimeout: 5_000 }));
    await pool.closeAll();
  });

  it("Broker.publish sends a message from the broker itself, retained if asked", async () => {
    await using broker = await startBroker({ tcp: false });
    const client = new MqttClient({ url: broker.url, transport: broker.opener });
    const inbox = new Recorder<[string, boolean]>();
    client.onMessage = ({ message }) => inbox.push([text(message.payload), message.retain]);
    await client.connect();
    await client.subscribe("news", { qos: 1 });
    broker.publish("news", "live", { qos: 1 });
    broker.publish("status", "up", { retain: true });
    await client.subscribe("status");
    await inbox.count(2, "two messages");
    assert.deepEqual(inbox.items, [["live", false], ["up", true]]);
    assert.throws(() => broker.publish("a/+", "x"), RangeError);
    await client.disconnect();
  });

  it("startBroker passes CONNECTs to the authenticate hook, awaiting its promise", async () => {
    const seen: string[] = [];
    await using broker = await startBroker({
      tcp: false,
      authenticate: async ({ username, password }) => {
        seen.push(`${username}:${text(password ?? new Uint8Array())}`);
        await Promise.resolve();
        if (username === "boom") throw new Error("hook failed");
        return password !== undefined && text(password) === "open sesame";
      },
    });
    const options = { url: broker.url, transport: broker.opener, reconnect: false as const };
    const ok = new MqttClient({ ...options, username: "ali", password: "open sesame" });
    await ok.connect();
    await ok.disconnect();
    for (const [username, code] of [["ali", 0x86], ["boom", 0x80]] as const) {
      const refused = new MqttClient({ ...options, protocolVersion: 5, username, password: "x" });
      const error = await refused.connect().then(() => assert.fail("accepted"), (e: unknown) => e);
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, code);
    }
    assert.deepEqual(seen, ["ali:open sesame", "ali:x", "boom:x"]);
  });

  it("startBroker reports connections and refusals through onLog", async () => {
    const lines = new Recorder<string>();
    await using broker = await startBroker({
      tcp: false,
      onLog: (level, message) => lines.push(`${level} ${message}`),
    });
    const client = new MqttClient({
      url: broker.url,
      transport: broker.opener,
      clientId: "logged",
    });
    await client.connect();
    await client.disconnect();
    await lines.find((line) => line === 'info "logged" disconnected', "the disconnect line");
    assert.ok(lines.items.includes('info "logged" connected (MQTT 3.1.1)'));
  });

  it("startBroker rejects invalid options with TypeError or RangeError", async () => {
    await assert.rejects(startBroker({ port: 70_000 }), RangeError);
    await assert.rejects(startBroker({ tcp: false, receiveMaximum: 0 }), RangeError);
    await assert.rejects(startBroker({ tcp: false, maximumQoS: 3 as 0 }), RangeError);
    await assert.rejects(startBroker({ tcp: false, retainAvailable: "yes" as never }), TypeError);
    await assert.rejects(startBroker({ host: "" }), TypeError);
  });

  it("startBroker rejects when its port is taken", async () => {
    await using first = await startBroker({ port: 0 });
    await assert.rejects(startBroker({ port: first.port }));
  });

  const wsOptions = { skip: !isDeno && !isBun, timeout: 30_000 };
  nodeIt(
    "startBroker({ websocket: true }) serves MQTT over WebSocket (Deno, Bun)",
    wsOptions,
    async () => {
      await using broker = await startBroker({ port: 0, websocket: true });
      assert.match(broker.wsUrl ?? "", /^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
      const pool = new ClientPool();
      try {
        for (const protocolVersion of [4, 5] as const) {
          const { client, inbox } = await pool.open(broker.wsUrl!, { protocolVersion });
          const topic = uniqueTopic(`ws-v${protocolVersion}`);
          await client.subscribe(topic, { qos: 2 });
          for (const qos of [0, 1, 2] as const) await client.publish(topic, `${qos}`, { qos });
          const messages = await inbox.count(3, "three messages");
          assert.deepEqual(messages.map((m) => text(m.payload)), ["0", "1", "2"]);
        }
        // A TCP client and a WebSocket client share the broker.
        const tcp = await pool.open(broker.url);
        const ws = await pool.open(broker.wsUrl!);
        await ws.client.subscribe("cross");
        await tcp.client.publish("cross", "tcp → ws", { qos: 1 });
        assert.equal(text((await ws.inbox.count(1, "the message"))[0]!.payload), "tcp → ws");
      } finally {
        await pool.closeAll();
      }
    },
  );
});
