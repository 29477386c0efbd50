/**
 * How delivered messages reach the application, through each scenario broker (Mosquitto, the
 * embedded broker over TCP and in memory): per-filter callbacks,
 * `messages()` iterators, unsubscribing, and MQTT 5 shared subscriptions.
 */

import assert from "node:assert/strict";
import type { Message, ProtocolVersion } from "../../mod.ts";
import { fence, it, Recorder, text, uniqueTopic, within } from "./_support.ts";
import { eachBroker } from "./_brokers.ts";

eachBroker("MqttClient message delivery", {}, (suite) => {
  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`MqttClient.unsubscribe stops delivery and reports one code per filter (${v})`, async () => {
      const sub = await suite.open({ protocolVersion });
      const pub = await suite.open({ protocolVersion });
      const topic = uniqueTopic(`unsub-v${protocolVersion}`);
      const never = uniqueTopic(`never-v${protocolVersion}`);
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await fence(pub.client, sub, topic), ["fence"]);

      const result = await sub.client.unsubscribe([topic, never]);
      // MQTT 5: 0x00 Success, 0x11 No subscription existed. MQTT 3.1.1 UNSUBACK has no codes.
      assert.deepEqual(result.reasonCodes, protocolVersion === 5 ? [0x00, 0x11] : [0x00, 0x00]);

      await pub.client.publish(topic, "after", { qos: 1 });
      const control = uniqueTopic(`control-v${protocolVersion}`);
      await sub.client.subscribe(control, { qos: 1 });
      assert.deepEqual(await fence(pub.client, sub, control), ["fence", "fence"]);
    });
  }

  it("MqttClient round-trips topics with multi-byte UTF-8 and matches them with wildcards", async () => {
    const sub = await suite.open({ protocolVersion: 5 });
    const pub = await suite.open({ protocolVersion: 5 });
    const base = uniqueTopic("ünïcødé");
    const topic = `${base}/温度/🚀`;
    await sub.client.subscribe(`${base}/+/🚀`, { qos: 1 });
    await pub.client.publish(topic, "ok", { qos: 1 });
    const [message] = await sub.inbox.count(1, "the message on a UTF-8 topic");
    assert.equal(message!.topic, topic);
  });

  it("MqttClient.messageCallbackAdd routes matching messages away from onMessage", async () => {
    const sub = await suite.open({ protocolVersion: 5 });
    const pub = await suite.open({ protocolVersion: 5 });
    const base = uniqueTopic("routes");
    const routed: string[] = [];
    sub.client.messageCallbackAdd(`${base}/alarm/+`, ({ message }) => {
      routed.push(`${message.topic.slice(base.length)} ${text(message.payload)}`);
    });
    await sub.client.subscribe(`${base}/#`, { qos: 1 });

    for (const leaf of ["alarm/fire", "status", "alarm/flood", "alarm/x/deep"]) {
      await pub.client.publish(`${base}/${leaf}`, "!", { qos: 1 });
    }
    await sub.inbox.count(2, "the two unrouted messages");
    assert.deepEqual(routed, ["/alarm/fire !", "/alarm/flood !"]);
    assert.deepEqual(sub.inbox.items.map((m) => m.topic.slice(base.length)), [
      "/status",
      "/alarm/x/deep",
    ]);

    sub.client.messageCallbackRemove(`${base}/alarm/+`);
    await pub.client.publish(`${base}/alarm/fire`, "again", { qos: 1 });
    const [, , third] = await sub.inbox.count(3, "the message after the callback was removed");
    assert.equal(third!.topic, `${base}/alarm/fire`);
    assert.equal(routed.length, 2);
  });

  it("MqttClient.messages yields matching messages in order and ends after disconnect", async () => {
    const sub = await suite.open({ protocolVersion: 5 });
    const pub = await suite.open({ protocolVersion: 5 });
    const base = uniqueTopic("iterate");
    const stream = sub.client.messages(`${base}/+/temp`);
    await sub.client.subscribe(`${base}/#`, { qos: 1 });
    for (const room of ["kitchen", "hall", "garden"]) {
      await pub.client.publish(`${base}/${room}/temp`, room, { qos: 1 });
      await pub.client.publish(`${base}/${room}/humidity`, room, { qos: 1 });
    }
    await sub.inbox.count(6, "all six messages");

    const seen: string[] = [];
    const consumed = (async () => {
      for await (const message of stream) seen.push(`${message.topic.slice(base.length)}`);
    })();
    await sub.client.disconnect();
    await within(consumed, "the iterator to end after disconnect()");
    assert.deepEqual(seen, ["/kitchen/temp", "/hall/temp", "/garden/temp"]);
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
});
