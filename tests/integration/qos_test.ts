/**
 * QoS 0/1/2 round trips through each scenario broker (Mosquitto, the embedded broker over TCP
 * and in memory), on MQTT 3.1.1 and 5.0 (and a basic one on MQTT 3.1). Mosquitto 2.0.11 quirk: the harness keeps `max_inflight_messages 65535` (QoS 2
 * fan-out stalls with a finite window), and the clients keep the default Receive Maximum
 * (65535) because this broker can exceed a smaller one.
 */

import assert from "node:assert/strict";
import type { ProtocolVersion, QoS } from "../../mod.ts";
import { it, pattern, text, uniqueTopic, utf8, within } from "./_support.ts";
import { eachBroker } from "./_brokers.ts";

const PAYLOADS: [name: string, bytes: Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["1 byte", new Uint8Array([0x7f])],
  ["64 KiB", pattern(64 * 1024, 3)],
  ["binary 0..255", pattern(256)],
  ["UTF-8 text", utf8("héllo ✓ wörld")],
];

eachBroker("MqttClient QoS delivery", {}, (suite) => {
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
          assert.equal(messages.length, PAYLOADS.length);
          PAYLOADS.forEach(([name, payload], i) => {
            const message = messages[i]!;
            assert.equal(message.topic, topic, name);
            assert.equal(message.qos, qos, name);
            assert.equal(message.retain, false, name);
            assert.ok(message.payload instanceof Uint8Array, name);
            assert.deepEqual(message.payload, payload, `${name} payload`);
          });
        }
      });
    }

    it(`MqttClient.publish delivers a 4 MiB payload intact (${v})`, async () => {
      const sub = await suite.open({ protocolVersion });
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`large-v${protocolVersion}`);
      await sub.client.subscribe(topic, { qos: 1 });
      const payload = pattern(4 * 1024 * 1024 + 7, 11);
      await pub.client.publish(topic, payload, { qos: 1 });
      const [message] = await sub.inbox.count(1, "the large message");
      assert.equal(message!.payload.length, payload.length);
      assert.deepEqual(message!.payload, payload);
    });

    it(`MqttClient.subscribe at QoS 1 gets a QoS 2 publish downgraded to QoS 1 (${v})`, async () => {
      const sub = await suite.open({ protocolVersion });
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`downgrade-v${protocolVersion}`);
      assert.deepEqual((await sub.client.subscribe(topic, { qos: 1 })).reasonCodes, [1]);
      await pub.client.publish(topic, "two", { qos: 2 });
      const [message] = await sub.inbox.count(1, "the downgraded message");
      assert.equal(message!.qos, 1);
      assert.equal(text(message!.payload), "two");
    });

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

    it(`MqttClient.publish resolves with the broker's reason code at each QoS (${v})`, async () => {
      const pub = await suite.open({ protocolVersion });
      const sub = await suite.open({ protocolVersion });
      const watched = uniqueTopic(`rc-watched-v${protocolVersion}`);
      const nobody = uniqueTopic(`rc-nobody-v${protocolVersion}`);
      await sub.client.subscribe(watched, { qos: 2 });
      for (const qos of [0, 1, 2] as QoS[]) {
        assert.equal((await pub.client.publish(watched, "x", { qos })).reasonCode, 0, `QoS ${qos}`);
      }
      // Mosquitto answers a v5 QoS 1 publish nobody subscribed to with 0x10 No matching
      // subscribers (a success code). It matches QoS 2 messages only at PUBREL, so PUBREC and
      // PUBCOMP say 0. v3.1.1 acknowledgements carry no reason code.
      const none = protocolVersion === 5 ? 0x10 : 0;
      assert.equal((await pub.client.publish(nobody, "x", { qos: 0 })).reasonCode, 0);
      assert.equal((await pub.client.publish(nobody, "x", { qos: 1 })).reasonCode, none);
      assert.equal((await pub.client.publish(nobody, "x", { qos: 2 })).reasonCode, 0);
      await sub.inbox.count(3, "the three watched messages");
    });
  }

  it("MqttClient round-trips QoS 0, 1 and 2 on MQTT 3.1 (protocol version 3)", async () => {
    const sub = await suite.open({ protocolVersion: 3 });
    const pub = await suite.open({ protocolVersion: 3 });
    const topic = uniqueTopic("v31");
    assert.deepEqual((await sub.client.subscribe(topic, { qos: 2 })).reasonCodes, [2]);
    for (const qos of [0, 1, 2] as QoS[]) {
      await pub.client.publish(topic, pattern(100, qos), { qos });
    }
    const messages = await sub.inbox.count(3, "three MQTT 3.1 messages");
    assert.deepEqual(messages.map((m) => m.qos), [0, 1, 2]);
    messages.forEach((m, qos) => assert.deepEqual(m.payload, pattern(100, qos)));
  });
});
