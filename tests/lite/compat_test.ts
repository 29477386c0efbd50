/**
 * "Code written for the lite client runs unchanged on `MqttClient`": one scenario, typed against
 * the lite client's public surface ({@link LiteSurface}), run with a `LiteClient` and with an
 * `MqttClient` over `ws://` to the same Mosquitto, with the same assertions. That this file
 * type-checks (`deno check`) shows `MqttClient` is assignable to that surface, without casts.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { MqttClient } from "../../mod.ts";
import {
  type ConnectEvent,
  ConnectionClosedError,
  type DisconnectEvent,
  LiteClient,
  type Message,
  type QoS,
} from "../../src/lite/mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, Recorder, text, uniqueTopic, within } from "../integration/_support.ts";

/** The lite client's public surface that the claim covers. */
type LiteSurface = Pick<
  LiteClient,
  | "connect"
  | "publish"
  | "subscribe"
  | "unsubscribe"
  | "messages"
  | "disconnect"
  | "onMessage"
  | "onConnect"
  | "onDisconnect"
  | "connected"
  | "clientId"
>;

/** Application code written against the lite client: it knows nothing of `MqttClient`. */
async function scenario(client: LiteSurface, peer: LiteSurface, protocolVersion: 4 | 5) {
  const connects = new Recorder<ConnectEvent>();
  const disconnects = new Recorder<DisconnectEvent>();
  const seen = new Recorder<Message>();
  client.onConnect = (event) => connects.push(event);
  client.onDisconnect = (event) => disconnects.push(event);
  client.onMessage = ({ message }) => seen.push(message);
  const root = uniqueTopic(`compat-v${protocolVersion}`);

  // Publish before connecting: QoS 0 refuses, QoS 1 waits for the connection.
  await assert.rejects(client.publish(`${root}/x`, "no"), ConnectionClosedError);
  assert.equal(client.connected, false);
  const stream = client.messages(`${root}/+`);
  const everything = client.messages();
  const connack = await within(client.connect(), "connect()");
  assert.equal(connack.reasonCode, 0);
  assert.equal(client.connected, true);
  assert.equal(typeof client.clientId, "string");
  assert.ok(client.clientId.length > 0);
  const [connected] = await connects.count(1, "onConnect");
  assert.equal(connected!.reconnect, false);
  assert.equal(connected!.sessionPresent, false);

  const granted = await client.subscribe([`${root}/+`, { topicFilter: `${root}/deep/#`, qos: 1 }], {
    qos: 2,
  });
  assert.deepEqual(granted.reasonCodes, [2, 1]);
  await within(peer.connect(), "the peer's connect()");
  const results = await Promise.all(
    ([0, 1, 2] as QoS[]).map((qos) =>
      peer.publish(`${root}/q${qos}`, new Uint8Array([qos, 0xff]), {
        qos,
        ...(protocolVersion === 5 ? { properties: { userProperties: [["qos", `${qos}`]] } } : {}),
      })
    ),
  );
  assert.equal(results[0]!.mid, 0);
  assert.ok(results[1]!.mid > 0 && results[2]!.mid > 0);
  await peer.publish(`${root}/deep/er`, "deep", { qos: 2 });

  const taken: Message[] = [];
  for (let i = 0; i < 3; i++) {
    const next = await within(stream.next(), `stream message ${i}`);
    assert.equal(next.done, false);
    taken.push(next.value as Message);
  }
  taken.sort((a, b) => a.qos - b.qos);
  assert.deepEqual(taken.map((m) => [m.topic, m.qos, [...m.payload], m.retain]), [
    [`${root}/q0`, 0, [0, 0xff], false],
    [`${root}/q1`, 1, [1, 0xff], false],
    [`${root}/q2`, 2, [2, 0xff], false],
  ]);
  if (protocolVersion === 5) {
    assert.deepEqual(taken.map((m) => m.properties?.userProperties), [
      [["qos", "0"]],
      [["qos", "1"]],
      [["qos", "2"]],
    ]);
  }
  const all = await seen.count(4, "onMessage");
  assert.deepEqual(all.map((m) => text(m.payload)).includes("deep"), true);
  for (let i = 0; i < 4; i++) await within(everything.next(), `message ${i} of all`);

  const unsubscribed = await within(client.unsubscribe(`${root}/deep/#`), "unsubscribe()");
  assert.deepEqual(unsubscribed.reasonCodes, [0]);

  // Unfinished work at disconnect() is rejected; streams end; onDisconnect says why.
  await within(client.disconnect(), "disconnect()");
  assert.equal(client.connected, false);
  assert.equal((await within(stream.next(), "the stream to end")).done, true);
  assert.equal((await within(everything.next(), "the other stream to end")).done, true);
  const [gone] = await disconnects.count(1, "onDisconnect");
  assert.equal(gone!.willReconnect, false);
  assert.equal(gone!.reasonCode, 0);
  const queued = client.publish(`${root}/late`, "late", { qos: 1 });
  await within(client.disconnect(), "disconnect() again");
  await assert.rejects(queued, ConnectionClosedError);
  await within(peer.disconnect(), "the peer's disconnect()");
}

describe("code written for the lite client runs unchanged on MqttClient", () => {
  let broker: MosquittoBroker;
  let url: string;
  const clients: LiteSurface[] = [];

  before(async () => {
    broker = await startMosquitto({ websockets: true });
    url = `ws://${broker.host}:${broker.wsPort}`;
  });

  after(async () => {
    await Promise.all(clients.map((c) => within(c.disconnect(), "cleanup", 5_000).catch(() => {})));
    await broker?.stop();
  });

  for (const protocolVersion of [4, 5] as const) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
    const makers: [string, () => LiteSurface][] = [
      ["LiteClient", () => new LiteClient({ url, protocolVersion })],
      ["MqttClient", () => new MqttClient({ url, protocolVersion })],
    ];
    for (const [name, make] of makers) {
      it(`the scenario passes with ${name} over ws:// (${v})`, async () => {
        const client = make();
        const peer = make();
        clients.push(client, peer);
        await scenario(client, peer, protocolVersion);
      });
    }
  }
});
