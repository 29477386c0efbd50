/**
 * Will messages through Mosquitto and the embedded broker. The client reaches the broker through a
 * {@link TcpProxy}; `sever()` destroys the connection without a DISCONNECT, which is what the
 * broker sees when a client crashes or its network drops.
 */

import assert from "node:assert/strict";
import { connect, type ProtocolVersion } from "../../mod.ts";
import { type ConnectionEvent, fence, it, text, uniqueTopic } from "./_support.ts";
import { eachBroker, TCP_BROKERS } from "./_brokers.ts";

eachBroker("MqttClient will messages", { kinds: TCP_BROKERS, proxy: true }, (suite) => {
  const pool = suite.pool;

  /** A watcher subscribed to a fresh will topic. */
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
      const dying = await pool.open(suite.proxiedUrl, {
        protocolVersion,
        reconnect: false,
        will: { topic, payload: "gone", qos: 1 },
      });

      suite.proxy.sever();
      const [will] = await watcher.inbox.count(1, "the will message");
      assert.equal(will!.topic, topic);
      assert.equal(text(will!.payload), "gone");
      assert.equal(will!.qos, 1);

      const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";
      const event = await dying.events.find(isDisconnect, "onDisconnect after the drop");
      assert.ok(event.kind === "disconnect" && event.willReconnect === false);
      assert.ok(event.error instanceof Error, "the drop is reported with an error");
      assert.equal(dying.client.connected, false);
    });

    it(`MqttClient will is not published after disconnect() (${v})`, async () => {
      const { topic, watcher } = await watch(`will-normal-v${protocolVersion}`, protocolVersion);
      const leaving = await pool.open(suite.proxiedUrl, {
        protocolVersion,
        will: { topic, payload: "gone", qos: 1 },
      });
      await leaving.client.disconnect();
      assert.deepEqual(await fence(watcher.client, watcher, topic), ["fence"]);
    });
  }

  it("await using disconnects normally at the end of the block, so no will is published", async () => {
    const { topic, watcher } = await watch("will-using", 5);
    {
      await using client = await connect(suite.proxiedUrl, {
        protocolVersion: 5,
        will: { topic, payload: "gone", qos: 1 },
      });
      assert.equal(client.connected, true);
    }
    assert.deepEqual(await fence(watcher.client, watcher, topic), ["fence"]);
  });

  it("MqttClient.disconnect with reason code 0x04 publishes the will (MQTT 5)", async () => {
    const { topic, watcher } = await watch("will-0x04", 5);
    const leaving = await pool.open(suite.proxiedUrl, {
      protocolVersion: 5,
      will: { topic, payload: "asked for", qos: 1 },
    });
    await leaving.client.disconnect({ reasonCode: 0x04 });
    const [will] = await watcher.inbox.count(1, "the will message");
    assert.equal(text(will!.payload), "asked for");
  });

  it("MqttClient will honours willDelayInterval (MQTT 5)", async () => {
    const { topic, watcher } = await watch("will-delay", 5);
    await pool.open(suite.proxiedUrl, {
      protocolVersion: 5,
      reconnect: false,
      // The will waits for the earlier of the will delay and the end of the session, so the
      // session must outlive the delay.
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
    // Mosquitto checks will delays once a second, so allow a little early rounding.
    assert.ok(
      elapsed >= 900,
      `the will arrived after ${Math.round(elapsed)} ms, before the 1 s delay`,
    );
  });
});
