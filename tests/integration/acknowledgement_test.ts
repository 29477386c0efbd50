/**
 * Acknowledgement through Mosquitto and the embedded broker: a slow `messages()` consumer loses nothing and gets
 * nothing twice; a message acknowledged by hand is not sent again, one left unacknowledged is
 * sent again (DUP) after a reconnect to the session; QoS 2 delivered on PUBREL arrives once.
 */

import assert from "node:assert/strict";
import type { ProtocolVersion } from "../../mod.ts";
import { fence, it, persistent, text, uniqueTopic, within } from "./_support.ts";
import { eachBroker } from "./_brokers.ts";

let ids = 0;

/** One turn of the event loop: a consumer busy with something else for a moment. */
const busy = () => new Promise((resolve) => setTimeout(resolve, 0));

eachBroker("MqttClient acknowledgement", {}, (suite) => {
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
      assert.equal(stream.dropped, 0);
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

    it(`MqttClient with qos2Delivery "pubrel" receives each QoS 2 message once (${v})`, async () => {
      const topic = uniqueTopic(`pubrel-v${protocolVersion}`);
      const sub = await suite.open({ protocolVersion, qos2Delivery: "pubrel" });
      await sub.client.subscribe(topic, { qos: 2 });
      const pub = await suite.open({ protocolVersion });
      for (const payload of ["a", "b", "c", "end"]) {
        await pub.client.publish(topic, payload, { qos: 2 });
      }
      // (QoS 2 is delivered a round trip later than QoS 1 here: the last QoS 2 message fences.)
      await sub.inbox.find((m) => text(m.payload) === "end", "the last message");
      assert.deepEqual(sub.inbox.items.map((m) => text(m.payload)), ["a", "b", "c", "end"]);
      assert.deepEqual(sub.inbox.items.map((m) => m.qos), [2, 2, 2, 2]);
    });
  }
});
