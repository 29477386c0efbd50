/**
 * The connection lifecycle against a real Mosquitto: `retryFirstConnect` with a broker that
 * starts late, `onPreConnect` refreshing credentials after a refusal, `onConnect` for a refused
 * CONNACK, and `reconnect()` making the broker publish the will (there, also against the
 * embedded broker).
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ConnectEvent,
  type ConnectFailEvent,
  ConnectionRefusedError,
  MqttClient,
  type ProtocolVersion,
} from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import { ClientPool, it, Recorder, text, uniqueTopic, within } from "./_support.ts";
import { eachBroker } from "./_brokers.ts";

const FAST = { minDelay: 50, maxDelay: 200 };

describe("MqttClient retryFirstConnect against a Mosquitto that starts late", () => {
  let broker: MosquittoBroker | undefined;
  const pool = new ClientPool();
  after(async () => {
    await pool.closeAll();
    await broker?.stop();
  });

  it("MqttClient.connect with retryFirstConnect keeps trying until the broker is up", async () => {
    const port = await freePort();
    const client = pool.track(
      new MqttClient({ url: `mqtt://127.0.0.1:${port}`, retryFirstConnect: true, reconnect: FAST }),
    );
    const fails = new Recorder<ConnectFailEvent>();
    client.onConnectFail = fails.push;
    const connecting = client.connect();
    await fails.count(2, "two failed attempts while no broker listens");
    assert.ok(fails.items.every((event) => event.willReconnect), "each failure will be retried");
    broker = await startMosquitto({ port });
    const connack = await within(connecting, "connect() once the broker is up");
    assert.equal(connack.reasonCode, 0);
    assert.equal(client.connected, true);
    assert.equal(client.port, port);
  });
});

describe("MqttClient credentials per attempt against Mosquitto with password auth", () => {
  let broker: MosquittoBroker;
  let dir: string;
  const pool = new ClientPool();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-lifecycle-auth-"));
    const passwords = join(dir, "passwords");
    execFileSync("mosquitto_passwd", ["-c", "-b", passwords, "svc", "token-2"]);
    broker = await startMosquitto({
      extraConfig: [`password_file ${passwords}`, "allow_anonymous false"],
    });
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.onPreConnect refreshes the credentials after a refusal; onConnect reports the refusal first (${v})`, async () => {
      const client = pool.track(
        new MqttClient({
          url: `mqtt://${broker.host}:${broker.port}`,
          protocolVersion,
          retryFirstConnect: true,
          reconnect: FAST,
        }),
      );
      const attempts: number[] = [];
      client.onPreConnect = ({ attempt }) => {
        attempts.push(attempt);
        client.setCredentials("svc", `token-${attempt}`); // token-1 is expired, token-2 is good
      };
      const connects = new Recorder<ConnectEvent>();
      const fails = new Recorder<ConnectFailEvent>();
      client.onConnect = connects.push;
      client.onConnectFail = fails.push;
      await within(client.connect(), "connect() with the refreshed token");
      assert.deepEqual(attempts, [1, 2]);
      assert.deepEqual(connects.items.map((e) => e.reasonCode), [0x87, 0]);
      assert.equal(connects.items[0]!.sessionPresent, false);
      assert.equal(fails.items.length, 1);
      assert.ok(fails.items[0]!.error instanceof ConnectionRefusedError);
      assert.equal(fails.items[0]!.willReconnect, true);
    });

    it(`MqttClient.onConnect receives a refusal's reason code before connect() rejects (${v})`, async () => {
      const client = pool.track(
        new MqttClient({
          url: `mqtt://${broker.host}:${broker.port}`,
          protocolVersion,
          reconnect: false,
          username: "svc",
          password: "wrong",
        }),
      );
      const connects: ConnectEvent[] = [];
      client.onConnect = (event) => connects.push(event);
      await assert.rejects(client.connect(), ConnectionRefusedError);
      assert.equal(connects.length, 1);
      assert.equal(connects[0]!.reasonCode, 0x87);
      assert.equal(connects[0]!.connack.reasonCode, protocolVersion === 5 ? 0x87 : 5);
    });
  }
});

eachBroker("MqttClient.reconnect", {}, (suite) => {
  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.reconnect drops the connection so the broker publishes the will, then reconnects (${v})`, async () => {
      const topic = uniqueTopic(`reconnect-will-v${protocolVersion}`);
      const watcher = await suite.open({ protocolVersion });
      await watcher.client.subscribe(topic, { qos: 1 });
      const { client, events } = await suite.open({
        protocolVersion,
        clean: false,
        ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
        will: { topic, payload: "first", qos: 1 },
      });
      client.setWill({ topic, payload: "second", qos: 1 }); // for the next connection
      const connack = await within(client.reconnect(), "reconnect()");
      assert.equal(connack.sessionPresent, true);
      assert.equal(client.connected, true);
      await watcher.inbox.count(1, "the first will");
      await within(client.reconnect(), "a second reconnect()");
      await watcher.inbox.count(2, "the second will");
      assert.deepEqual(watcher.inbox.items.map((m) => text(m.payload)), ["first", "second"]);
      assert.deepEqual(
        events.items.map((e) => e.kind === "connect" ? `connect ${e.reconnect}` : "disconnect"),
        ["connect false", "disconnect", "connect true", "disconnect", "connect true"],
      );
      const topic2 = uniqueTopic("after-reconnect");
      await client.subscribe(topic2, { qos: 1 });
      await client.publish(topic2, "still works", { qos: 1 });
    });
  }
});
