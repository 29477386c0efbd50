/**
 * Persistent sessions through Mosquitto and the embedded broker (over TCP: a proxy cuts links): clean session false (MQTT 3.1.1) and Session
 * Expiry Interval (MQTT 5), clean start, and the `clean: "first"` mode.
 */

import assert from "node:assert/strict";
import type { ProtocolVersion } from "../../mod.ts";
import {
  type ConnectionEvent,
  fence,
  it,
  persistent,
  TcpProxy,
  text,
  uniqueTopic,
} from "./_support.ts";
import { eachBroker, TCP_BROKERS } from "./_brokers.ts";

let ids = 0;

eachBroker("MqttClient sessions", { kinds: TCP_BROKERS }, (suite) => {
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

  const isConnect = (e: ConnectionEvent) => e.kind === "connect";
  const firstConnect = (sessionPresent: boolean) => ({
    kind: "connect",
    sessionPresent,
    reconnect: false,
  });

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
        // The old subscription went with the session: subscribe again and fence.
        await fresh.client.subscribe(topic, { qos: 1 });
        assert.deepEqual(await fence(pub.client, fresh, topic), ["fence"]);
      });
    }
  }

  // On MQTT 3.1.1 the session of a clean-session connection ends with it, so only MQTT 5 (clean
  // start plus Session Expiry Interval) has a session to resume after a clean first connect.
  it(`MqttClient with clean "first" resumes its session on reconnect (MQTT 5)`, async () => {
    const clientId = `korero-session-5-${++ids}`;
    const topic = uniqueTopic("first-resume");
    const pub = await leaveSession(5, clientId, topic);
    const proxy = await TcpProxy.start("127.0.0.1", suite.port);
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

      // Cut the connection and keep the client out while a message is published.
      proxy.refuse(true);
      proxy.sever();
      await sub.events.find((e) => e.kind === "disconnect", "the drop");
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
});
