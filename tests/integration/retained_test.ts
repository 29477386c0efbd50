/**
 * Retained messages through a real Mosquitto: delivery on subscribe, clearing, and the MQTT 5
 * subscription options Retain Handling and Retain As Published.
 *
 * "Nothing arrived" is proven with a fence: after the step that must not deliver, a plain
 * message is published on the same topic and waited for; the broker forwards in order, so
 * anything that was going to arrive first has arrived by then.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import type { ProtocolVersion } from "../../mod.ts";
import { it, type TestClient, text, uniqueTopic, useBroker } from "./_support.ts";

/** Publishes a non-retained "fence" on `topic` and returns every payload `receiver` got up to it. */
async function untilFence(publisher: TestClient, receiver: TestClient, topic: string) {
  const from = receiver.inbox.items.length;
  await publisher.client.publish(topic, "fence", { qos: 1 });
  await receiver.inbox.find((m) => text(m.payload) === "fence", `the fence on ${topic}`, from);
  return receiver.inbox.items.slice(from).map((m) => [text(m.payload), m.retain] as const);
}

describe("MqttClient retained messages through Mosquitto", () => {
  const suite = useBroker();
  const pool = suite.pool;

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.subscribe receives a retained message with retain set (${v})`, async () => {
      const pub = await pool.open(suite.url, { protocolVersion });
      const topic = uniqueTopic(`retained-v${protocolVersion}`);
      await pub.client.publish(topic, "kept", { qos: 1, retain: true });

      const sub = await pool.open(suite.url, { protocolVersion });
      await sub.client.subscribe(topic, { qos: 1 });
      const [message] = await sub.inbox.count(1, "the retained message");
      assert.equal(text(message!.payload), "kept");
      assert.equal(message!.retain, true);
      assert.equal(message!.topic, topic);
      assert.equal(message!.qos, 1);
      await pub.client.publish(topic, "", { qos: 1, retain: true });
    });

    it(`MqttClient.publish of an empty retained payload clears the retained message (${v})`, async () => {
      const pub = await pool.open(suite.url, { protocolVersion });
      const topic = uniqueTopic(`cleared-v${protocolVersion}`);
      await pub.client.publish(topic, "stale", { qos: 1, retain: true });
      await pub.client.publish(topic, new Uint8Array(0), { qos: 1, retain: true });

      const sub = await pool.open(suite.url, { protocolVersion });
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await untilFence(pub, sub, topic), [["fence", false]]);
    });
  }

  it("MqttClient.subscribe with retainHandling 2 gets no retained message (MQTT 5)", async () => {
    const pub = await pool.open(suite.url, { protocolVersion: 5 });
    const topic = uniqueTopic("rh2");
    await pub.client.publish(topic, "kept", { qos: 1, retain: true });

    const sub = await pool.open(suite.url, { protocolVersion: 5 });
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 2 });
    assert.deepEqual(await untilFence(pub, sub, topic), [["fence", false]]);

    const control = await pool.open(suite.url, { protocolVersion: 5 });
    await control.client.subscribe([{ topicFilter: topic, qos: 1, retainHandling: 0 }]);
    assert.deepEqual(await untilFence(pub, control, topic), [["kept", true], ["fence", false]]);
    await pub.client.publish(topic, "", { qos: 1, retain: true });
  });

  it("MqttClient.subscribe with retainHandling 1 gets the retained message only for a new subscription (MQTT 5)", async () => {
    const pub = await pool.open(suite.url, { protocolVersion: 5 });
    const topic = uniqueTopic("rh1");
    await pub.client.publish(topic, "kept", { qos: 1, retain: true });

    const sub = await pool.open(suite.url, { protocolVersion: 5 });
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 1 });
    assert.deepEqual(await untilFence(pub, sub, topic), [["kept", true], ["fence", false]]);
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 1 });
    assert.deepEqual(await untilFence(pub, sub, topic), [["fence", false]]);
    await pub.client.publish(topic, "", { qos: 1, retain: true });
  });

  it("MqttClient.subscribe with retainAsPublished keeps the retain flag on live messages (MQTT 5)", async () => {
    const pub = await pool.open(suite.url, { protocolVersion: 5 });
    const asPublished = await pool.open(suite.url, { protocolVersion: 5 });
    const plain = await pool.open(suite.url, { protocolVersion: 5 });
    const topic = uniqueTopic("rap");
    await asPublished.client.subscribe(topic, { qos: 1, retainAsPublished: true });
    await plain.client.subscribe(topic, { qos: 1 });

    await pub.client.publish(topic, "live", { qos: 1, retain: true });
    await pub.client.publish(topic, "after", { qos: 1 });
    for (const [receiver, retain] of [[asPublished, true], [plain, false]] as const) {
      const messages = await receiver.inbox.count(2, "the live and the following message");
      assert.deepEqual(messages.map((m) => [text(m.payload), m.retain]), [
        ["live", retain],
        ["after", false],
      ]);
    }
    await pub.client.publish(topic, "", { qos: 1, retain: true });
  });
});
