/**
 * Keepalive against a real Mosquitto: detecting a hung broker (SIGSTOP, then SIGCONT) by its
 * missing PINGRESP, and following the broker's MQTT 5 Server Keep Alive.
 *
 * Mosquitto 2.0.11 refuses `max_keepalive` below 10 s, so the Server Keep Alive test waits about
 * 10 s for the first PINGREQ; it has this file to itself so that `--parallel` overlaps it.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { ClientPool, type ConnectionEvent, it, TcpProxy, uniqueTopic } from "./_support.ts";

const SERVER_KEEPALIVE = 10;
const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";
const isReconnect = (e: ConnectionEvent) => e.kind === "connect" && e.reconnect;

describe("MqttClient keepalive against Mosquitto", () => {
  let broker: MosquittoBroker;
  let url: string;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto({ extraConfig: [`max_keepalive ${SERVER_KEEPALIVE}`] });
    url = `mqtt://${broker.host}:${broker.port}`;
  });

  after(async () => {
    await pool.closeAll();
    if (broker?.running) process.kill(broker.pid, "SIGCONT");
    await broker?.stop();
  });

  it("MqttClient detects a hung broker by its missing PINGRESP and reconnects once it is back", async () => {
    const client = await pool.open(url, {
      keepalive: 1,
      reconnect: { minDelay: 100, maxDelay: 1000 },
      // While the broker is stopped the kernel still accepts connections, so a reconnect
      // attempt only ends by this timeout.
      connectTimeout: 2_000,
    });
    const stoppedAt = performance.now();
    process.kill(broker.pid, "SIGSTOP");
    let waited: number;
    try {
      const event = await client.events.find(isDisconnect, "the keepalive timeout", 0, 8_000);
      waited = performance.now() - stoppedAt;
      assert.ok(event.kind === "disconnect" && event.willReconnect, "it will reconnect");
      assert.ok(event.error instanceof Error, "the timeout is reported as an error");
    } finally {
      process.kill(broker.pid, "SIGCONT");
    }
    // A PINGREQ is due 1 s after the last packet, then the PINGRESP has its own deadline.
    assert.ok(waited >= 1_000, `gave up after ${Math.round(waited)} ms, before the keepalive`);

    await client.events.find(isReconnect, "the reconnect after SIGCONT");
    assert.equal(client.client.connected, true);
    const topic = uniqueTopic("alive");
    await client.client.subscribe(topic, { qos: 1 });
    await client.client.publish(topic, "back", { qos: 1 });
    await client.inbox.count(1, "a message after the reconnect");
  });

  it("MqttClient pings as often as the broker's Server Keep Alive asks (MQTT 5)", async () => {
    const proxy = await TcpProxy.start(broker.host, broker.port);
    try {
      let serverKeepAlive: number | undefined;
      const client = pool.create(`mqtt://127.0.0.1:${proxy.port}`, {
        protocolVersion: 5,
        keepalive: 60,
        reconnect: false,
      });
      client.client.onConnect = ({ properties }) => (serverKeepAlive = properties?.serverKeepAlive);
      await client.client.connect();
      const connectedAt = performance.now();
      assert.equal(serverKeepAlive, SERVER_KEEPALIVE);

      const isPing = (chunk: Uint8Array) => chunk[0] === 0xc0;
      const limit = SERVER_KEEPALIVE * 1000;
      // Our own keepalive is 60 s: a PINGREQ well before that proves the server's 10 s won. The
      // bound is generous so a loaded machine's late timers cannot fail the test.
      await proxy.chunksUp.find(isPing, "a PINGREQ within the Server Keep Alive", 0, limit + 8_000);
      const after = performance.now() - connectedAt;
      assert.ok(after <= limit + 8_000, `first PINGREQ after ${Math.round(after)} ms`);
      assert.equal(client.client.connected, true);
    } finally {
      await proxy.close();
    }
  });
});
