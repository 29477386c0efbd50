/**
 * Scenarios of korero's Mosquitto integration suite (tests/integration/session_test.ts,
 * will_test.ts, v5_test.ts, auth_test.ts) run against the embedded broker. Connections are
 * cut through a {@link TcpProxy}, as there.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import { connect, ConnectionRefusedError, type Message, type ProtocolVersion } from "../../mod.ts";
import {
  type ConnectionEvent,
  fence,
  it,
  persistent,
  TcpProxy,
  text,
  uniqueTopic,
  within,
} from "../integration/_support.ts";
import { useEmbeddedBroker } from "./_embedded.ts";

let ids = 0;
const isConnect = (e: ConnectionEvent) => e.kind === "connect";
const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";
const firstConnect = (sessionPresent: boolean) => ({
  kind: "connect",
  sessionPresent,
  reconnect: false,
});

describe("Embedded broker: sessions", () => {
  const suite = useEmbeddedBroker("tcp");

  /** Leaves a session for `clientId`, subscribed to `topic`, holding queued messages. */
  async function leaveSession(protocolVersion: ProtocolVersion, clientId: string, topic: string) {
    const first = await suite.open(persistent(protocolVersion, clientId));
    await first.client.subscribe(topic, { qos: 2 });
    await first.client.disconnect();
    const pub = await suite.open({ protocolVersion });
    await pub.client.publish(topic, "one", { qos: 1 });
    await pub.client.publish(topic, "two", { qos: 2 });
    await pub.client.publish(topic, "three", { qos: 1 });
    return pub;
  }

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient with clean false receives messages queued while offline (${v})`, async () => {
      const clientId = `korero-session-${protocolVersion}-${++ids}`;
      const topic = uniqueTopic(`offline-v${protocolVersion}`);
      await leaveSession(protocolVersion, clientId, topic);
      const back = suite.create(persistent(protocolVersion, clientId));
      await back.client.connect();
      assert.deepEqual(await back.events.find(isConnect, "onConnect"), firstConnect(true));
      const messages = await back.inbox.count(3, "the queued messages");
      assert.deepEqual(messages.map((m) => text(m.payload)), ["one", "two", "three"]);
      assert.deepEqual(messages.map((m) => m.qos), [1, 2, 1]);
    });

    for (const clean of [true, "first"] as const) {
      it(`MqttClient with clean ${JSON.stringify(clean)} discards the stored session (${v})`, async () => {
        const clientId = `korero-session-${protocolVersion}-${++ids}`;
        const topic = uniqueTopic(`discard-v${protocolVersion}`);
        const pub = await leaveSession(protocolVersion, clientId, topic);
        const fresh = suite.create({ ...persistent(protocolVersion, clientId), clean });
        await fresh.client.connect();
        assert.deepEqual(await fresh.events.find(isConnect, "onConnect"), firstConnect(false));
        await fresh.client.subscribe(topic, { qos: 1 });
        assert.deepEqual(await fence(pub.client, fresh, topic), ["fence"]);
      });
    }
  }

  it(`MqttClient with clean "first" resumes its session on reconnect (MQTT 5)`, async () => {
    const clientId = `korero-session-5-${++ids}`;
    const topic = uniqueTopic("first-resume");
    const pub = await leaveSession(5, clientId, topic);
    const proxy = await TcpProxy.start("127.0.0.1", suite.broker.port);
    try {
      const sub = suite.pool.create(`mqtt://127.0.0.1:${proxy.port}`, {
        ...persistent(5, clientId),
        clean: "first",
        reconnect: { minDelay: 100, maxDelay: 500 },
      });
      await sub.client.connect();
      assert.deepEqual(await sub.events.find(isConnect, "onConnect"), firstConnect(false));
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await fence(pub.client, sub, topic), ["fence"], "old messages discarded");
      proxy.refuse(true);
      proxy.sever();
      await sub.events.find(isDisconnect, "the drop");
      await pub.client.publish(topic, "while away", { qos: 1 });
      proxy.refuse(false);
      const isReconnect = (e: ConnectionEvent) => e.kind === "connect" && e.reconnect;
      const reconnect = await sub.events.find(isReconnect, "the reconnect");
      assert.deepEqual(reconnect, { kind: "connect", sessionPresent: true, reconnect: true });
      await sub.inbox.find((m) => text(m.payload) === "while away", "the message sent while away");
    } finally {
      await proxy.close();
    }
  });

  it("MqttClient.disconnect with sessionExpiryInterval 0 ends the session (MQTT 5)", async () => {
    const clientId = `korero-session-5-${++ids}`;
    const first = await suite.open(persistent(5, clientId));
    await first.client.subscribe(uniqueTopic("expiry"), { qos: 1 });
    await first.client.disconnect({ sessionExpiryInterval: 0 });
    const again = suite.create(persistent(5, clientId));
    await again.client.connect();
    assert.deepEqual(await again.events.find(isConnect, "onConnect"), firstConnect(false));
  });

  it("MqttClient.onDisconnect reports a session takeover with DISCONNECT 0x8E (MQTT 5)", async () => {
    const clientId = `korero-takeover-${++ids}`;
    const first = await suite.open({ protocolVersion: 5, clientId, reconnect: false });
    const second = await suite.open({ protocolVersion: 5, clientId, reconnect: false });
    const event = await first.events.find(isDisconnect, "the takeover");
    assert.ok(event.kind === "disconnect");
    assert.equal(event.packetReasonCode, 0x8e);
    assert.equal(event.willReconnect, false);
    assert.equal(second.client.connected, true);
  });
});

describe("Embedded broker: wills", () => {
  const suite = useEmbeddedBroker("tcp", { proxy: true });

  async function watch(name: string, protocolVersion: ProtocolVersion) {
    const topic = uniqueTopic(name);
    const watcher = await suite.open({ protocolVersion });
    await watcher.client.subscribe(topic, { qos: 1 });
    return { topic, watcher };
  }

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient will is published when the connection drops without DISCONNECT (${v})`, async () => {
      const { topic, watcher } = await watch(`will-drop-v${protocolVersion}`, protocolVersion);
      const dying = await suite.pool.open(suite.proxiedUrl, {
        protocolVersion,
        reconnect: false,
        will: { topic, payload: "gone", qos: 1 },
      });
      suite.proxy.sever();
      const [will] = await watcher.inbox.count(1, "the will message");
      assert.equal(will!.topic, topic);
      assert.equal(text(will!.payload), "gone");
      assert.equal(will!.qos, 1);
      await dying.events.find(isDisconnect, "onDisconnect after the drop");
    });

    it(`MqttClient will is not published after disconnect() (${v})`, async () => {
      const { topic, watcher } = await watch(`will-normal-v${protocolVersion}`, protocolVersion);
      const leaving = await suite.pool.open(suite.proxiedUrl, {
        protocolVersion,
        will: { topic, payload: "gone", qos: 1 },
      });
      await leaving.client.disconnect();
      assert.deepEqual(await fence(watcher.client, watcher, topic), ["fence"]);
    });
  }

  it("MqttClient.disconnect with reason code 0x04 publishes the will (MQTT 5)", async () => {
    const { topic, watcher } = await watch("will-0x04", 5);
    const leaving = await suite.pool.open(suite.proxiedUrl, {
      protocolVersion: 5,
      will: { topic, payload: "asked for", qos: 1 },
    });
    await leaving.client.disconnect({ reasonCode: 0x04 });
    const [will] = await watcher.inbox.count(1, "the will message");
    assert.equal(text(will!.payload), "asked for");
  });

  it("MqttClient will honours willDelayInterval (MQTT 5)", async () => {
    const { topic, watcher } = await watch("will-delay", 5);
    await suite.pool.open(suite.proxiedUrl, {
      protocolVersion: 5,
      reconnect: false,
      properties: { sessionExpiryInterval: 30 },
      will: {
        topic,
        payload: "late",
        qos: 1,
        properties: { willDelayInterval: 1, contentType: "text/plain" },
      },
    });
    const severedAt = performance.now();
    suite.proxy.sever();
    const [will] = await watcher.inbox.count(1, "the delayed will message");
    const elapsed = performance.now() - severedAt;
    assert.equal(text(will!.payload), "late");
    assert.equal(will!.properties?.contentType, "text/plain");
    assert.ok(elapsed >= 900, `the will arrived after ${Math.round(elapsed)} ms`);
  });
});

function subscriptionIds(message: Message): number[] {
  const ids = message.properties?.subscriptionIdentifier;
  return ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
}

describe("Embedded broker: MQTT 5 features and limits", () => {
  const MAX_PACKET_SIZE = 64 * 1024;
  const suite = useEmbeddedBroker("tcp", {
    maximumPacketSize: MAX_PACKET_SIZE,
    topicAliasMaximum: 10,
    receiveMaximum: 10,
    authenticate: ({ username, password }) =>
      Promise.resolve(
        username === undefined ||
          (username === "alice" && new TextDecoder().decode(password) === "s3cret") ||
          0x87,
      ),
  });
  const v5 = { protocolVersion: 5 } as const;

  it("MqttClient.publish carries user properties, content type, response topic and correlation data", async () => {
    const requester = await suite.open(v5);
    const responder = await suite.open(v5);
    const requests = uniqueTopic("requests");
    const replies = uniqueTopic("replies");
    await responder.client.subscribe(requests, { qos: 1 });
    await requester.client.subscribe(replies, { qos: 1 });
    const correlationData = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    await requester.client.publish(requests, '{"ask":1}', {
      qos: 1,
      properties: {
        contentType: "application/json",
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        responseTopic: replies,
        correlationData,
        userProperties: [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]],
      },
    });
    const [request] = await responder.inbox.count(1, "the request");
    const p = request!.properties ?? {};
    assert.equal(p.contentType, "application/json");
    assert.equal(p.payloadFormatIndicator, true);
    assert.ok(p.messageExpiryInterval !== undefined && p.messageExpiryInterval <= 60);
    assert.equal(p.responseTopic, replies);
    assert.deepEqual(p.correlationData, correlationData);
    assert.deepEqual(p.userProperties, [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]]);
    await responder.client.publish(p.responseTopic!, '{"answer":42}', {
      qos: 1,
      properties: { correlationData: p.correlationData! },
    });
    const [reply] = await requester.inbox.count(1, "the reply");
    assert.deepEqual(reply!.properties?.correlationData, correlationData);
  });

  it("MqttClient delivers messages with the subscription identifiers that matched", async () => {
    const sub = await suite.open(v5);
    const pub = await suite.open(v5);
    const base = uniqueTopic("sid");
    await sub.client.subscribe(`${base}/+`, { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await sub.client.subscribe(`${base}/#`, { qos: 1, properties: { subscriptionIdentifier: 9 } });
    await sub.client.subscribe(`${base}/only/#`, {
      qos: 1,
      properties: { subscriptionIdentifier: 268_435_455 },
    });
    await pub.client.publish(`${base}/x`, "both", { qos: 1 });
    await pub.client.publish(`${base}/only/deep`, "deep", { qos: 1 });
    const all = await sub.inbox.count(2, "both messages");
    assert.deepEqual(all.map(subscriptionIds), [[7, 9], [9, 268_435_455]]);
  });

  it('MqttClient with clientId "" takes the client id the server assigns', async () => {
    const anonymous = await suite.open({ ...v5, clientId: "" });
    assert.match(anonymous.client.clientId, /^korero-/);
    const topic = uniqueTopic("assigned");
    await anonymous.client.subscribe(topic, { qos: 1 });
    await anonymous.client.publish(topic, "hello", { qos: 1 });
    await anonymous.inbox.count(1, "a message on the server-assigned session");
  });

  it("MqttClient with topicAliases sends aliases the broker resolves", async () => {
    const sub = await suite.open(v5);
    let topicAliasMaximum: number | undefined;
    const aliased = suite.create({ ...v5, topicAliases: true });
    aliased.client.onConnect = ({ properties }) => {
      topicAliasMaximum = properties?.topicAliasMaximum;
    };
    await aliased.client.connect();
    assert.equal(topicAliasMaximum, 10);
    const base = uniqueTopic("alias");
    const topics = [1, 2, 3].map((i) => `${base}/${"x".repeat(100)}/${i}`);
    const plan = Array.from({ length: 30 }, (_, i) => topics[i % 3]!);
    await sub.client.subscribe(`${base}/#`, { qos: 1 });
    for (const [i, topic] of plan.entries()) {
      await aliased.client.publish(topic, `${i}`, { qos: (i % 2) as 0 | 1 });
    }
    const messages = await sub.inbox.count(plan.length, "every aliased message");
    assert.deepEqual(messages.map((m) => m.topic), plan);
  });

  it("MqttClient.publish rejects a packet over the broker's Maximum Packet Size with RangeError", async () => {
    const pub = await suite.open(v5);
    const topic = uniqueTopic("big");
    await pub.client.subscribe(topic, { qos: 1 });
    await assert.rejects(
      async () => await pub.client.publish(topic, new Uint8Array(MAX_PACKET_SIZE), { qos: 1 }),
      RangeError,
    );
    await pub.client.publish(topic, new Uint8Array(MAX_PACKET_SIZE - 100), { qos: 1 });
    const [message] = await pub.inbox.count(1, "the publish under the limit");
    assert.equal(message!.payload.length, MAX_PACKET_SIZE - 100);
  });

  it("MqttClient keeps QoS 2 publishes within the broker's Receive Maximum", async () => {
    const sub = await suite.open(v5);
    const topic = uniqueTopic("receive-maximum");
    await sub.client.subscribe(topic, { qos: 2 });
    let receiveMaximum: number | undefined;
    const pub = suite.create(v5);
    pub.client.onConnect = ({ properties }) => (receiveMaximum = properties?.receiveMaximum);
    await pub.client.connect();
    assert.equal(receiveMaximum, 10);
    const count = 300;
    const results = await within(
      Promise.all(
        Array.from({ length: count }, (_, i) => pub.client.publish(topic, `${i}`, { qos: 2 })),
      ),
      `${count} PUBCOMPs`,
    );
    assert.deepEqual(results.filter((r) => r.reasonCode !== 0), []);
    const messages = await sub.inbox.count(count, `${count} messages`);
    assert.deepEqual(
      messages.map((m) => text(m.payload)),
      Array.from({ length: count }, (_, i) => `${i}`),
    );
  });

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`connect with the right username and password is accepted (${v})`, async () => {
      await suite.open({ protocolVersion, username: "alice", password: "s3cret" });
    });

    it(`connect with a wrong password rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
      const error = await connect(suite.url, {
        protocolVersion,
        username: "alice",
        password: "wrong",
        reconnect: false,
      }).then((client) => (suite.pool.track(client), assert.fail("accepted")), (e: unknown) => e);
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, 0x87);
    });
  }
});

/** One turn of the event loop: a consumer busy with something else for a moment. */
const busy = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("Embedded broker: acknowledgement and reconnect", () => {
  const suite = useEmbeddedBroker("tcp");

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.messages with buffer 2 gives a slow consumer all 5 QoS 1 messages, none again after a reconnect (${v})`, async () => {
      const clientId = `korero-ack-slow-${protocolVersion}-${++ids}`;
      const topic = uniqueTopic(`slow-v${protocolVersion}`);
      const sub = suite.create(persistent(protocolVersion, clientId));
      sub.client.onMessage = undefined; // the iterator is the only consumer
      const stream = sub.client.messages(topic, { buffer: 2 });
      await within(sub.client.connect(), "connect");
      await sub.client.subscribe(topic, { qos: 1 });
      const pub = await suite.open({ protocolVersion });
      for (let i = 1; i <= 5; i++) await pub.client.publish(topic, `m${i}`, { qos: 1 });
      const got: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { value } = await within(stream.next(), `message ${i + 1}`);
        got.push(text(value!.payload));
        await busy();
      }
      assert.deepEqual(got, ["m1", "m2", "m3", "m4", "m5"]);
      await sub.client.disconnect();
      const back = suite.create(persistent(protocolVersion, clientId));
      await within(back.client.connect(), "reconnect");
      assert.deepEqual(await fence(pub.client, back, topic), ["fence"], "nothing sent again");
    });

    it(`MqttClient with manualAck gets an unacknowledged message again (DUP) after a reconnect, an acknowledged one not (${v})`, async () => {
      const clientId = `korero-ack-manual-${protocolVersion}-${++ids}`;
      const topic = uniqueTopic(`manual-v${protocolVersion}`);
      const options = { ...persistent(protocolVersion, clientId), manualAck: true };
      const first = await suite.open(options);
      await first.client.subscribe(topic, { qos: 1 });
      const pub = await suite.open({ protocolVersion });
      await pub.client.publish(topic, "kept", { qos: 1 });
      const delivered = await first.inbox.find((m) => text(m.payload) === "kept", "kept");
      assert.equal(delivered.dup, false);
      await first.client.disconnect(); // without acknowledging it
      const second = await suite.open(options);
      const again = await second.inbox.find((m) => text(m.payload) === "kept", "kept again");
      assert.equal(again.dup, true, "the broker sends it again as a duplicate");
      assert.equal(again.ack(), true);
      await second.client.disconnect();
      const third = suite.create(persistent(protocolVersion, clientId));
      await within(third.client.connect(), "third connect");
      assert.deepEqual(await fence(pub.client, third, topic), ["fence"], "acknowledged: not again");
    });

    it(`MqttClient.reconnect drops the connection so the broker publishes the will, then reconnects (${v})`, async () => {
      const topic = uniqueTopic(`reconnect-will-v${protocolVersion}`);
      const watcher = await suite.open({ protocolVersion });
      await watcher.client.subscribe(topic, { qos: 1 });
      const { client } = await suite.open({
        ...persistent(protocolVersion, `korero-reconnect-${++ids}`),
        will: { topic, payload: "first", qos: 1 },
      });
      client.setWill({ topic, payload: "second", qos: 1 });
      const connack = await within(client.reconnect(), "reconnect()");
      assert.equal(connack.sessionPresent, true);
      await watcher.inbox.count(1, "the first will");
      await within(client.reconnect(), "a second reconnect()");
      await watcher.inbox.count(2, "the second will");
      assert.deepEqual(watcher.inbox.items.map((m) => text(m.payload)), ["first", "second"]);
    });
  }
});

describe("Embedded broker: Server Keep Alive", () => {
  const suite = useEmbeddedBroker("tcp", { serverKeepAlive: 1, proxy: true });

  it("MqttClient pings as often as the broker's Server Keep Alive asks (MQTT 5)", async () => {
    let serverKeepAlive: number | undefined;
    const client = suite.pool.create(suite.proxiedUrl, {
      protocolVersion: 5,
      keepalive: 60,
      reconnect: false,
    });
    client.client.onConnect = ({ properties }) => (serverKeepAlive = properties?.serverKeepAlive);
    await client.client.connect();
    assert.equal(serverKeepAlive, 1);
    const isPing = (chunk: Uint8Array) => chunk[0] === 0xc0;
    await suite.proxy.chunksUp.find(isPing, "a PINGREQ within the Server Keep Alive", 0, 5_000);
    // Three keepalive periods later the broker has not closed the connection (1.5 × 1 s).
    const from = suite.proxy.chunksUp.items.length;
    await suite.proxy.chunksUp.until(
      (chunks) => chunks.slice(from).filter(isPing).length >= 3,
      "three more PINGREQs",
    );
    assert.equal(client.client.connected, true);
  });
});
