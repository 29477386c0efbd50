/**
 * Scenarios of korero's Mosquitto integration suite (tests/integration/qos_test.ts,
 * retained_test.ts, delivery_test.ts), run against the embedded broker — over TCP and in
 * memory — to show it behaves as Mosquitto does for a real client.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import type { Message, ProtocolVersion, QoS } from "../../mod.ts";
import {
  fence,
  it,
  pattern,
  Recorder,
  type TestClient,
  text,
  uniqueTopic,
  utf8,
  within,
} from "../integration/_support.ts";
import { type Reach, useEmbeddedBroker } from "./_embedded.ts";

const PAYLOADS: [name: string, bytes: Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["1 byte", new Uint8Array([0x7f])],
  ["64 KiB", pattern(64 * 1024, 3)],
  ["binary 0..255", pattern(256)],
  ["UTF-8 text", utf8("héllo ✓ wörld")],
];

for (const reach of ["tcp", "memory"] as Reach[]) {
  describe(`Embedded broker: QoS delivery (${reach})`, () => {
    const suite = useEmbeddedBroker(reach);

    for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
      const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

      for (const qos of [0, 1, 2] as QoS[]) {
        it(`MqttClient.publish delivers QoS ${qos} payloads byte for byte both ways (${v})`, async () => {
          const a = await suite.open({ protocolVersion });
          const b = await suite.open({ protocolVersion });
          const toA = uniqueTopic(`to-a-q${qos}-v${protocolVersion}`);
          const toB = uniqueTopic(`to-b-q${qos}-v${protocolVersion}`);
          assert.deepEqual((await a.client.subscribe(toA, { qos })).reasonCodes, [qos]);
          assert.deepEqual((await b.client.subscribe(toB, { qos })).reasonCodes, [qos]);
          for (const [, payload] of PAYLOADS) {
            await a.client.publish(toB, payload, { qos });
            await b.client.publish(toA, payload, { qos });
          }
          for (const [receiver, topic] of [[b, toB], [a, toA]] as const) {
            const messages = await receiver.inbox.count(PAYLOADS.length, `messages on ${topic}`);
            PAYLOADS.forEach(([name, payload], i) => {
              const message = messages[i]!;
              assert.equal(message.topic, topic, name);
              assert.equal(message.qos, qos, name);
              assert.equal(message.retain, false, name);
              assert.deepEqual(message.payload, payload, `${name} payload`);
            });
          }
        });
      }

      for (const qos of [1, 2] as QoS[]) {
        it(`MqttClient.publish keeps the order of 1,000 pipelined QoS ${qos} messages (${v})`, async () => {
          const sub = await suite.open({ protocolVersion });
          const pub = await suite.open({ protocolVersion });
          const topic = uniqueTopic(`order-q${qos}-v${protocolVersion}`);
          await sub.client.subscribe(topic, { qos });
          const sent = Array.from(
            { length: 1000 },
            (_, i) => pub.client.publish(topic, `${i}`, { qos }),
          );
          const results = await within(Promise.all(sent), "1,000 acknowledgements", 20_000);
          assert.ok(results.every((r) => r.reasonCode === 0), "every publish succeeded");
          const messages = await sub.inbox.count(1000, "1,000 messages", 20_000);
          assert.deepEqual(
            messages.map((m) => text(m.payload)),
            Array.from({ length: 1000 }, (_, i) => `${i}`),
          );
          assert.ok(messages.every((m) => m.qos === qos && !m.dup));
        });
      }
    }

    it("MqttClient.publish delivers a 4 MiB payload intact", async () => {
      const sub = await suite.open({ protocolVersion: 5 });
      const pub = await suite.open({ protocolVersion: 5 });
      const topic = uniqueTopic("large");
      await sub.client.subscribe(topic, { qos: 1 });
      const payload = pattern(4 * 1024 * 1024 + 7, 11);
      await pub.client.publish(topic, payload, { qos: 1 });
      const [message] = await sub.inbox.count(1, "the large message");
      assert.deepEqual(message!.payload, payload);
    });

    it("MqttClient.subscribe at QoS 1 gets a QoS 2 publish downgraded to QoS 1", async () => {
      const sub = await suite.open();
      const pub = await suite.open();
      const topic = uniqueTopic("downgrade");
      assert.deepEqual((await sub.client.subscribe(topic, { qos: 1 })).reasonCodes, [1]);
      await pub.client.publish(topic, "two", { qos: 2 });
      const [message] = await sub.inbox.count(1, "the downgraded message");
      assert.equal(message!.qos, 1);
    });

    it("MqttClient.publish reports 0x10 No matching subscribers on MQTT 5", async () => {
      const pub = await suite.open({ protocolVersion: 5 });
      const nobody = uniqueTopic("nobody");
      assert.equal((await pub.client.publish(nobody, "x", { qos: 1 })).reasonCode, 0x10);
      const v4 = await suite.open({ protocolVersion: 4 });
      assert.equal((await v4.client.publish(nobody, "x", { qos: 1 })).reasonCode, 0);
    });

    it("MqttClient on MQTT 3.1 round-trips QoS 0, 1 and 2", async () => {
      const client = await suite.open({ protocolVersion: 3, clientId: `v31-${reach}` });
      const topic = uniqueTopic("v31");
      await client.client.subscribe(topic, { qos: 2 });
      for (const qos of [0, 1, 2] as QoS[]) await client.client.publish(topic, `${qos}`, { qos });
      const messages = await client.inbox.count(3, "three messages");
      assert.deepEqual(messages.map((m) => [text(m.payload), m.qos]), [["0", 0], ["1", 1], [
        "2",
        2,
      ]]);
    });
  });
}

/**
 * Publishes a non-retained "fence" and returns every payload and retain flag from index `from`
 * of the receiver's inbox up to it. (The embedded broker sends retained messages right behind
 * SUBACK, often in the same read: take `from` before subscribing.)
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

describe("Embedded broker: retained messages and delivery", () => {
  const suite = useEmbeddedBroker("tcp");

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
      assert.equal(message!.qos, 1);
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

    it(`MqttClient.unsubscribe stops delivery and reports one code per filter (${v})`, async () => {
      const sub = await suite.open({ protocolVersion });
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`unsub-v${protocolVersion}`);
      const never = uniqueTopic(`never-v${protocolVersion}`);
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await fence(pub.client, sub, topic), ["fence"]);
      const result = await sub.client.unsubscribe([topic, never]);
      assert.deepEqual(result.reasonCodes, protocolVersion === 5 ? [0x00, 0x11] : [0x00, 0x00]);
      await pub.client.publish(topic, "after", { qos: 1 });
      const control = uniqueTopic(`control-v${protocolVersion}`);
      await sub.client.subscribe(control, { qos: 1 });
      assert.deepEqual(await fence(pub.client, sub, control), ["fence", "fence"]);
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
  });

  it("MqttClient round-trips topics with multi-byte UTF-8 and matches them with wildcards", async () => {
    const client = await suite.open({ protocolVersion: 5 });
    const base = uniqueTopic("ütf");
    await client.client.subscribe(`${base}/+/日本`, { qos: 1 });
    await client.client.publish(`${base}/ñ/日本`, "x", { qos: 1 });
    const [message] = await client.inbox.count(1, "the UTF-8 topic");
    assert.equal(message!.topic, `${base}/ñ/日本`);
  });

  it("MqttClient.subscribe to a $share filter gets each message to one group member (MQTT 5)", async () => {
    const members = [
      await suite.open({ protocolVersion: 5 }),
      await suite.open({ protocolVersion: 5 }),
    ];
    const combined = new Recorder<Message>();
    for (const { client, inbox } of members) {
      client.onMessage = ({ message }) => (inbox.push(message), combined.push(message));
    }
    const pub = await suite.open({ protocolVersion: 5 });
    const topic = uniqueTopic("shared");
    for (const member of members) {
      assert.deepEqual(
        (await member.client.subscribe(`$share/workers/${topic}`, { qos: 1 })).reasonCodes,
        [1],
      );
    }
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, i) => pub.client.publish(topic, `${i}`, { qos: 1 })),
    );
    const all = await combined.count(count, `${count} shared messages`);
    assert.ok(members.every((m) => m.inbox.items.length > 0), "both members got messages");
    assert.deepEqual(
      all.map((m) => Number(text(m.payload))).sort((a, b) => a - b),
      Array.from({ length: count }, (_, i) => i),
    );
  });

  it("MqttClient.subscribe with noLocal does not receive its own publications (MQTT 5)", async () => {
    const self = await suite.open({ protocolVersion: 5 });
    const other = await suite.open({ protocolVersion: 5 });
    const topic = uniqueTopic("nolocal");
    await self.client.subscribe(topic, { qos: 1, noLocal: true });
    await self.client.publish(topic, "mine", { qos: 1 });
    assert.deepEqual(await fence(other.client, self, topic), ["fence"]);
  });
});
