/**
 * The `unixSocket` option: a client talks to Mosquitto over a unix domain socket listener.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { ClientPool, it, text, uniqueTopic } from "./_support.ts";

describe("MqttClient over a unix socket to Mosquitto", () => {
  const dir = mkdtempSync(join(tmpdir(), "korero-unix-"));
  const socketPath = join(dir, "mqtt.sock");
  let broker: MosquittoBroker;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto({ extraConfig: [`listener 0 ${socketPath}`] });
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("MqttClient with unixSocket publishes and receives at QoS 1 (MQTT 5)", async () => {
    const options = { unixSocket: socketPath, protocolVersion: 5 as const };
    const sub = await pool.open("mqtt://localhost", options);
    const topic = uniqueTopic("unix");
    await sub.client.subscribe(topic, { qos: 1 });
    const pub = await pool.open("mqtt://localhost", options);
    const result = await pub.client.publish(topic, "over a unix socket", { qos: 1 });
    assert.equal(result.reasonCode, 0);
    const message = await sub.inbox.find((m) => m.topic === topic, "the message over the socket");
    assert.equal(text(message.payload), "over a unix socket");
    assert.match(broker.log(), /Opening unix listen socket/);
  });
});
