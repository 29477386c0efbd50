/**
 * Retained messages through each scenario broker (Mosquitto, the embedded broker): delivery on
 * subscribe, clearing, and the MQTT 5 subscription options Retain Handling and Retain As
 * Published.
 *
 * "Nothing arrived" is proven with a fence: after the step that must not deliver, a plain
 * message is published on the same topic and waited for; the broker forwards in order, so
 * anything that was going to arrive first has arrived by then.
 */

import assert from "node:assert/strict";
import type { ProtocolVersion } from "../../mod.ts";
import { it, type TestClient, text, uniqueTopic } from "./_support.ts";
import { eachBroker } from "./_brokers.ts";

/**
 * Publishes a non-retained "fence" on `topic` and returns every payload and retain flag
 * `receiver` got from index `from` of its inbox up to it. (A broker may send retained messages
 * right behind SUBACK, in the same read: take `from` before subscribing.)
 */
async function untilFence(
  publisher: TestClient,
  receiver: TestClient,
  topic: string,
  from = receiver.inbox.items.length,
) {
  await publisher.client.publish(topic, "fence", { qos: 1 });
  await receiver.inbox.find((m) => text(m.payload) === "fence", `the fence on ${topic}`, from);
  return receiver.inbox.items.slice(from).map((m) => [text(m.payload), m.retain] as const);
}

eachBroker("MqttClient retained messages", {}, (suite) => {
  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.subscribe receives a retained message with retain set (${v})`, async () => {
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`retained-v${protocolVersion}`);
      await pub.client.publish(topic, "kept", { qos: 1, retain: true });

      const sub = await suite.open({ protocolVersion });
      await sub.client.subscribe(topic, { qos: 1 });
      const [message] = await sub.inbox.count(1, "the retained message");
      assert.equal(text(message!.payload), "kept");
      assert.equal(message!.retain, true);
      assert.equal(message!.topic, topic);
      assert.equal(message!.qos, 1);
      await pub.client.publish(topic, "", { qos: 1, retain: true });
    });

    it(`MqttClient.publish of an empty retained payload clears the retained message (${v})`, async () => {
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`cleared-v${protocolVersion}`);
      await pub.client.publish(topic, "stale", { qos: 1, retain: true });
      await pub.client.publish(topic, new Uint8Array(0), { qos: 1, retain: true });

      const sub = await suite.open({ protocolVersion });
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await untilFence(pub, sub, topic, 0), [["fence", false]]);
    });
  }

  it("MqttClient.subscribe with retainHandling 2 gets no retained message (MQTT 5)", async () => {
    const pub = await suite.open({ protocolVersion: 5 });
    const topic = uniqueTopic("rh2");
    await pub.client.publish(topic, "kept", { qos: 1, retain: true });

    const sub = await suite.open({ protocolVersion: 5 });
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 2 });
    assert.deepEqual(await untilFence(pub, sub, topic, 0), [["fence", false]]);

    const control = await suite.open({ protocolVersion: 5 });
    await control.client.subscribe([{ topicFilter: topic, qos: 1, retainHandling: 0 }]);
    assert.deepEqual(await untilFence(pub, control, topic, 0), [["kept", true], ["fence", false]]);
    await pub.client.publish(topic, "", { qos: 1, retain: true });
  });

  it("MqttClient.subscribe with retainHandling 1 gets the retained message only for a new subscription (MQTT 5)", async () => {
    const pub = await suite.open({ protocolVersion: 5 });
    const topic = uniqueTopic("rh1");
    await pub.client.publish(topic, "kept", { qos: 1, retain: true });

    const sub = await suite.open({ protocolVersion: 5 });
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 1 });
    assert.deepEqual(await untilFence(pub, sub, topic, 0), [["kept", true], ["fence", false]]);
    const from = sub.inbox.items.length;
    await sub.client.subscribe(topic, { qos: 1, retainHandling: 1 });
    assert.deepEqual(await untilFence(pub, sub, topic, from), [["fence", false]]);
    await pub.client.publish(topic, "", { qos: 1, retain: true });
  });

  it("MqttClient.subscribe with retainAsPublished keeps the retain flag on live messages (MQTT 5)", async () => {
    const pub = await suite.open({ protocolVersion: 5 });
    const asPublished = await suite.open({ protocolVersion: 5 });
    const plain = await suite.open({ protocolVersion: 5 });
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
