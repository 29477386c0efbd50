/**
 * Establishing a connection, and the ways it fails: nothing listening, no CONNACK in time, an
 * abort, and a first attempt that fails while reconnecting is on.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import {
  connect,
  type ConnectFailEvent,
  ConnectionClosedError,
  MqttClient,
  MqttError,
  TimeoutError,
} from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import { ClientPool, it, Recorder, TcpProxy, within } from "./_support.ts";

/** The error a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("connect against Mosquitto", () => {
  let broker: MosquittoBroker;
  let proxy: TcpProxy;
  let proxied: string;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto();
    proxy = await TcpProxy.start(broker.host, broker.port);
    proxied = `mqtt://127.0.0.1:${proxy.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await proxy?.close();
    await broker?.stop();
  });

  it("connect resolves with a connected client whose clientId is the one asked for", async () => {
    const client = pool.track(await connect(proxied, { clientId: "korero-connect-1" }));
    assert.equal(client.connected, true);
    assert.equal(client.clientId, "korero-connect-1");
  });

  it("connect rejects with ConnectionClosedError when nothing listens on the port", async () => {
    const port = await freePort();
    const error = await rejection(connect(`mqtt://127.0.0.1:${port}`, { reconnect: false }));
    assert.ok(error instanceof ConnectionClosedError, `got ${error}`);
    assert.match(error.message, /refused/i);
  });

  it("connect rejects with TimeoutError when no CONNACK arrives within connectTimeout", async () => {
    proxy.stall();
    try {
      const started = performance.now();
      const error = await rejection(connect(proxied, { reconnect: false, connectTimeout: 300 }));
      const elapsed = performance.now() - started;
      assert.ok(error instanceof TimeoutError, `got ${error}`);
      assert.ok(elapsed >= 250 && elapsed < 5_000, `gave up after ${Math.round(elapsed)} ms`);
    } finally {
      proxy.resume();
    }
  });

  it("MqttClient.connect rejects with the abort reason when its signal aborts", async () => {
    proxy.stall();
    try {
      const client = pool.track(new MqttClient({ url: proxied, reconnect: false }));
      const controller = new AbortController();
      const reason = new Error("changed my mind");
      const accepted = proxy.accepted.items.length;
      const connecting = client.connect({ signal: controller.signal });
      await proxy.accepted.count(accepted + 1, "the TCP connection");
      controller.abort(reason);
      assert.equal(await rejection(connecting), reason);
      assert.equal(client.connected, false);
    } finally {
      proxy.resume();
    }
  });

  it("MqttClient.connect rejects on a failed first attempt and onConnectFail says it will not retry", async () => {
    // Documented: reconnecting applies to connections lost after a first success.
    proxy.refuse(true);
    try {
      const client = pool.track(
        new MqttClient({ url: proxied, reconnect: { minDelay: 100, maxDelay: 300 } }),
      );
      const failures = new Recorder<ConnectFailEvent>();
      client.onConnectFail = (event) => failures.push(event);
      const error = await rejection(client.connect());
      assert.ok(error instanceof MqttError, `got ${error}`);
      const [failure] = await failures.count(1, "onConnectFail");
      assert.equal(failure!.error, error);
      assert.equal(failure!.willReconnect, false);
      assert.equal(client.connected, false);
    } finally {
      proxy.refuse(false);
    }
  });

  it("connect fails fast with RangeError for a client id MQTT 3.1 cannot carry", async () => {
    await assert.rejects(
      within(connect(proxied, { protocolVersion: 3, clientId: "x".repeat(24) }), "connect"),
      RangeError,
    );
    await assert.rejects(
      within(connect(proxied, { protocolVersion: 4, clientId: "", clean: false }), "connect"),
      RangeError,
    );
  });
});
