/**
 * MQTT over WebSocket through a real Mosquitto: its `ws://` listener (directly, and through a
 * {@link TcpProxy} that can cut the connection), its `wss://` listener with the test CA, and a
 * `wss://` listener that requires a client certificate; with handshake headers (`wsHeaders`) on
 * each. (That the headers reach the server is checked in tests/transport/websocket_test.ts; the
 * same with the `ws` package on Node in tests/node/websocket_ws_test.ts.)
 *
 * Mosquitto 2.0.11 answers a WebSocket CONNECT after ~100–200 ms and sends packets larger than
 * 4 KiB to WebSocket clients at ~4 KiB per 100 ms (eclipse-mosquitto/mosquitto#2252), so the
 * 1 MiB message here goes from a WebSocket publisher to a TCP subscriber; the client's side of
 * large incoming frames is covered by tests/transport/websocket_test.ts.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { connect, type MqttClient, type ProtocolVersion, type QoS } from "../../mod.ts";
import { certPath, type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { canConnect, freePort } from "../_helpers/ports.ts";
import {
  ClientPool,
  type ConnectionEvent,
  fence,
  it,
  pattern,
  TcpProxy,
  text,
  uniqueTopic,
  within,
} from "./_support.ts";

const NO_RETRY = { reconnect: false, connectTimeout: 5_000 } as const;
const wsHeaders = { Authorization: "Bearer t0k3n", "X-Korero-Test": "yes" };

describe("MqttClient over WebSocket to Mosquitto", () => {
  let broker: MosquittoBroker;
  let proxy: TcpProxy;
  /** A wss:// listener that requires a client certificate signed by ca.pem. */
  let mwssPort: number;
  const pool = new ClientPool();
  const ca = readCert("ca.pem");

  before(async () => {
    mwssPort = await freePort();
    broker = await startMosquitto({
      websockets: true,
      secureWebsockets: true,
      extraConfig: [
        `listener ${mwssPort} 127.0.0.1`,
        "protocol websockets",
        "socket_domain ipv4",
        `certfile ${certPath("server.pem")}`,
        `keyfile ${certPath("server.key")}`,
        `cafile ${certPath("ca.pem")}`,
        "require_certificate true",
      ],
    });
    assert.ok(await canConnect(broker.host, mwssPort), "the client-certificate wss listener");
    proxy = await TcpProxy.start(broker.host, broker.wsPort);
  });

  after(async () => {
    await pool.closeAll();
    await proxy?.close();
    await broker?.stop();
  });

  /** Subscribes, publishes, and waits for the message: proof the connection carries MQTT. */
  async function roundTrip(client: MqttClient): Promise<void> {
    pool.track(client);
    const topic = uniqueTopic("wss");
    const received = new Promise<string>((resolve) => {
      client.onMessage = ({ message }) => resolve(text(message.payload));
    });
    await client.subscribe(topic, { qos: 1 });
    await client.publish(topic, "over wss", { qos: 1 });
    assert.equal(await within(received, "the message over wss://"), "over wss");
  }

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient over ws:// round-trips QoS 0, 1 and 2 through Mosquitto (${v})`, async () => {
      const topic = uniqueTopic(`ws-qos-v${protocolVersion}`);
      const { client, inbox } = await pool.open(broker.url("ws"), { protocolVersion });
      assert.equal(client.connected, true);
      await client.subscribe(topic, { qos: 2 });
      await Promise.all(
        ([0, 1, 2] as QoS[]).map((qos) => client.publish(topic, `qos ${qos}`, { qos })),
      );
      const messages = await inbox.count(3, "the three messages");
      const byQoS = [...messages].sort((a, b) => a.qos - b.qos);
      assert.deepEqual(byQoS.map((m) => [m.topic, text(m.payload), m.qos]), [
        [topic, "qos 0", 0],
        [topic, "qos 1", 1],
        [topic, "qos 2", 2],
      ]);
    });
  }

  it("MqttClient over ws:// with wsHeaders round-trips QoS 0, 1 and 2 through Mosquitto", async () => {
    const topic = uniqueTopic("ws-headers");
    const { client, inbox } = await pool.open(broker.url("ws"), { protocolVersion: 5, wsHeaders });
    await client.subscribe(topic, { qos: 2 });
    for (const qos of [0, 1, 2] as QoS[]) await client.publish(topic, `qos ${qos}`, { qos });
    const messages = await inbox.count(3, "the three messages");
    assert.deepEqual(messages.map((m) => [text(m.payload), m.qos]), [
      ["qos 0", 0],
      ["qos 1", 1],
      ["qos 2", 2],
    ]);
  });

  it("MqttClient over ws:// connects with the root path / as well as the default /mqtt", async () => {
    const { client } = await pool.open(`${broker.url("ws")}/`);
    assert.equal(client.connected, true);
  });

  it("MqttClient over ws:// publishes a 1 MiB payload that arrives intact", async () => {
    const topic = uniqueTopic("ws-large");
    const receiver = await pool.open(`mqtt://${broker.host}:${broker.port}`);
    await receiver.client.subscribe(topic, { qos: 1 });
    const { client } = await pool.open(broker.url("ws"), { protocolVersion: 5 });
    const payload = pattern(1024 * 1024, 7);
    await client.publish(topic, payload, { qos: 1 });
    const [message] = await receiver.inbox.count(1, "the 1 MiB message");
    assert.equal(message!.payload.length, payload.length);
    assert.ok(message!.payload.every((byte, i) => byte === payload[i]), "the payload changed");
  });

  it("MqttClient will is published when the ws:// connection drops without DISCONNECT", async () => {
    const topic = uniqueTopic("ws-will");
    const watcher = await pool.open(`mqtt://${broker.host}:${broker.port}`);
    await watcher.client.subscribe(topic, { qos: 1 });
    const dying = await pool.open(`ws://127.0.0.1:${proxy.port}/mqtt`, {
      protocolVersion: 5,
      reconnect: false,
      will: { topic, payload: "gone", qos: 1 },
    });
    proxy.sever();
    const [will] = await watcher.inbox.count(1, "the will message");
    assert.equal(text(will!.payload), "gone");
    const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";
    const event = await dying.events.find(isDisconnect, "onDisconnect after the drop");
    assert.ok(event.kind === "disconnect" && event.error instanceof Error, "an abnormal close");
  });

  it("MqttClient.disconnect over ws:// delivers the DISCONNECT before closing: no will", async () => {
    const topic = uniqueTopic("ws-no-will");
    const watcher = await pool.open(`mqtt://${broker.host}:${broker.port}`);
    await watcher.client.subscribe(topic, { qos: 1 });
    const leaving = await pool.open(broker.url("ws"), {
      protocolVersion: 5,
      will: { topic, payload: "gone", qos: 1 },
    });
    await leaving.client.disconnect();
    assert.deepEqual(await fence(watcher.client, watcher, topic), ["fence"]);
  });

  it("connect over wss:// trusts Mosquitto's certificate signed by the given CA", async () => {
    const client = await connect(`wss://localhost:${broker.wssPort}/mqtt`, { ca });
    assert.equal(client.connected, true);
    await roundTrip(client);
  });

  it("connect over wss:// without a CA rejects the test CA's server (not a system root)", async () => {
    await assert.rejects(
      connect(`wss://localhost:${broker.wssPort}/mqtt`, NO_RETRY),
      /WebSocket handshake failed/,
    );
  });

  it("connect over wss:// presents a client certificate to a listener that requires one", async () => {
    const client = await connect(`wss://localhost:${mwssPort}/mqtt`, {
      ca,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
    });
    await roundTrip(client);
  });

  it("connect over wss:// sends wsHeaders together with the CA and a client certificate", async () => {
    const client = await connect(`wss://localhost:${mwssPort}/mqtt`, {
      ca,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
      wsHeaders,
    });
    await roundTrip(client);
  });

  it("connect over wss:// without a client certificate is refused by a listener that requires one", async () => {
    await assert.rejects(
      connect(`wss://localhost:${mwssPort}/mqtt`, { ...NO_RETRY, ca }),
      /WebSocket handshake failed/,
    );
  });
});
