/**
 * When the client acknowledges received QoS 1/2 messages: only once the application took them
 * (callbacks returned, iterators handed them out) or, with manual acknowledgement, acked them;
 * QoS 2 delivered on PUBREL; graceful disconnect; message ids and operation hooks.
 */
import { describe, it } from "node:test";
import { skipOnBun, withUncaught } from "../_helpers/uncaught.ts";
import assert from "node:assert/strict";
import type { PublishPacket } from "../../src/codec/types.ts";
import type { Message } from "../../src/client/message.ts";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

function publish(packetId: number, qos: 1 | 2 = 1, topic = "t"): PublishPacket {
  return {
    type: "publish",
    topic,
    payload: utf8(`m${packetId}`),
    qos,
    retain: false,
    dup: false,
    packetId,
  };
}

describe("MqttClient acknowledgement", () => {
  it("MqttClient.messages with a full buffer keeps QoS 1 messages and PUBACKs each as it is read", async () => {
    const { client, conn } = await connectedClient();
    const stream = client.messages("t", { buffer: 2 });
    for (let id = 1; id <= 5; id++) conn.send(publish(id));
    await settle();
    assert.equal(stream.buffered, 5, "nothing dropped");
    assert.equal(stream.dropped, 0);
    await conn.expectNothing(); // no PUBACK before the consumer took anything
    const read: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const { value } = await stream.next();
      read.push(new TextDecoder().decode(value!.payload));
      assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: i, reasonCode: 0 });
    }
    assert.deepEqual(read, ["m1", "m2", "m3", "m4", "m5"]);
  });

  it("MqttClient acknowledges a message after onMessage returned", async () => {
    const { client, conn } = await connectedClient();
    const order: string[] = [];
    client.onMessage = ({ message }) => order.push(`callback ${message.mid}`);
    conn.send(publish(1));
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(order, ["callback 1"]);
  });

  it(
    "MqttClient does not acknowledge a message whose onMessage threw",
    skipOnBun,
    () =>
      withUncaught(async (uncaught) => {
        const { client, conn } = await connectedClient();
        client.onMessage = () => {
          throw new Error("cannot process");
        };
        conn.send(publish(2));
        await settle();
        await conn.expectNothing();
        assert.deepEqual(uncaught.map((error) => (error as Error).message), ["cannot process"]);
      }),
  );

  it("MqttClient acknowledges a message delivered to a callback and an iterator once both took it", async () => {
    const { client, conn } = await connectedClient();
    const seen: number[] = [];
    client.onMessage = ({ message }) => seen.push(message.mid);
    const stream = client.messages();
    conn.send(publish(7));
    await settle();
    assert.deepEqual(seen, [7]);
    await conn.expectNothing();
    await stream.next();
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 7, reasonCode: 0 });
  });

  it("MqttClient.messages left with break gives up (and acknowledges) what it buffered", async () => {
    const { client, conn } = await connectedClient();
    const stream = client.messages();
    conn.send(publish(1));
    conn.send(publish(2));
    await settle();
    for await (const _message of stream) break;
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 1, reasonCode: 0 });
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 2, reasonCode: 0 });
  });

  it("MqttClient with manualAck acknowledges only on message.ack(), with the reason code given", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5, manualAck: true });
    const messages: Message[] = [];
    client.onMessage = ({ message }) => messages.push(message);
    conn.send(publish(3));
    await settle();
    await conn.expectNothing();
    assert.equal(messages[0]!.ack(0x83), true);
    assert.deepEqual(await conn.expect("puback"), {
      type: "puback",
      packetId: 3,
      reasonCode: 0x83,
    });
    assert.equal(messages[0]!.ack(), false, "a second ack is a no-op");
    assert.equal(client.ack(messages[0]!), false);
    await conn.expectNothing();
  });

  it("MqttClient.manualAck switches acknowledgement at runtime (paho's manual_ack_set)", async () => {
    const { client, conn } = await connectedClient();
    const messages: Message[] = [];
    client.onMessage = ({ message }) => messages.push(message);
    client.manualAck = true;
    conn.send(publish(1));
    await settle();
    await conn.expectNothing();
    client.manualAck = false;
    conn.send(publish(2));
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 2, reasonCode: 0 });
    assert.equal(client.ack(messages[0]!), true);
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 1, reasonCode: 0 });
  });

  it("MqttClient.ack returns false for QoS 0 and refuses what it did not deliver or a bad code", async () => {
    const { client, conn } = await connectedClient({ manualAck: true });
    const messages: Message[] = [];
    client.onMessage = ({ message }) => messages.push(message);
    conn.send({
      type: "publish",
      topic: "t",
      payload: utf8("x"),
      qos: 0,
      retain: false,
      dup: false,
    });
    conn.send(publish(4));
    await settle();
    assert.equal(messages[0]!.ack(), false);
    assert.throws(() => client.ack({ ...messages[1]! }), TypeError);
    assert.throws(() => messages[1]!.ack(256), RangeError);
    assert.equal(messages[1]!.ack(), true);
  });

  it("MqttClient acknowledges after its connection ended is a no-op", async () => {
    const { client, conn } = await connectedClient({ manualAck: true });
    const messages: Message[] = [];
    client.onMessage = ({ message }) => messages.push(message);
    conn.send(publish(5));
    await settle();
    conn.drop();
    await settle();
    assert.equal(messages[0]!.ack(), false);
  });

  it('MqttClient with qos2Delivery "pubrel" calls onMessage after PUBREL and sends PUBCOMP after it returned', async () => {
    const { client, conn } = await connectedClient({ qos2Delivery: "pubrel" });
    const order: string[] = [];
    client.onMessage = ({ message }) => order.push(`callback ${message.mid}`);
    conn.send(publish(9, 2));
    assert.deepEqual(await conn.expect("pubrec"), { type: "pubrec", packetId: 9, reasonCode: 0 });
    assert.deepEqual(order, [], "not delivered before PUBREL");
    conn.send({ type: "pubrel", packetId: 9, reasonCode: 0 });
    assert.deepEqual(await conn.expect("pubcomp"), { type: "pubcomp", packetId: 9, reasonCode: 0 });
    assert.deepEqual(order, ["callback 9"]);
  });

  it("MqttClient.disconnect called in onMessage acknowledges that message before DISCONNECT", async () => {
    const { client, conn } = await connectedClient();
    let disconnecting: Promise<void> | undefined;
    client.onMessage = () => {
      disconnecting = client.disconnect();
    };
    conn.send(publish(6));
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 6, reasonCode: 0 });
    assert.equal((await conn.next()).type, "disconnect");
    await disconnecting;
  });

  it("MqttClient.disconnect answers a PUBREL under way first, unless force", async () => {
    const { client, conn } = await connectedClient();
    client.onMessage = () => {};
    conn.send(publish(8, 2));
    await conn.expect("pubrec");
    const disconnecting = client.disconnect();
    await conn.expectNothing();
    conn.send({ type: "pubrel", packetId: 8, reasonCode: 0 });
    assert.deepEqual(await conn.expect("pubcomp"), { type: "pubcomp", packetId: 8, reasonCode: 0 });
    assert.equal((await conn.next()).type, "disconnect");
    await disconnecting;

    const other = await connectedClient();
    other.client.onMessage = () => {};
    other.conn.send(publish(8, 2));
    await other.conn.expect("pubrec");
    const forced = other.client.disconnect({ force: true });
    assert.equal((await other.conn.next()).type, "disconnect");
    await forced;
  });

  it("MqttClient delivers mid and timestamp, and no topicAlias in properties", async () => {
    const { client, conn, clock } = await connectedClient({
      protocolVersion: 5,
      properties: { topicAliasMaximum: 3 },
    });
    clock.advance(250);
    const messages: Message[] = [];
    client.onMessage = ({ message }) => messages.push(message);
    conn.send({ ...publish(11), properties: { topicAlias: 1, contentType: "a/b" } });
    await conn.expect("puback");
    assert.equal(messages[0]!.mid, 11);
    assert.equal(messages[0]!.timestamp, clock.now());
    assert.deepEqual(messages[0]!.properties, { contentType: "a/b" });
  });

  it("MqttClient hooks onPublish, onSubscribe and onUnsubscribe report each settled call with its mid", async () => {
    const { client, conn } = await connectedClient();
    const events: string[] = [];
    client.onPublish = ({ mid, reasonCode }) => events.push(`publish ${mid} ${reasonCode}`);
    client.onSubscribe = ({ mid, reasonCodes }) => events.push(`subscribe ${mid} ${reasonCodes}`);
    client.onUnsubscribe = ({ mid }) => events.push(`unsubscribe ${mid}`);
    const published = client.publish("t", "x", { qos: 1 });
    const sent = await conn.expect("publish");
    conn.send({ type: "puback", packetId: sent.packetId!, reasonCode: 0 });
    assert.equal((await published).mid, sent.packetId);
    const subscribing = client.subscribe("s", { qos: 1 });
    const sub = await conn.expect("subscribe");
    conn.send({ type: "suback", packetId: sub.packetId, reasonCodes: [1] });
    await subscribing;
    const unsubscribing = client.unsubscribe("s");
    const unsub = await conn.expect("unsubscribe");
    conn.send({ type: "unsuback", packetId: unsub.packetId, reasonCodes: [] });
    await unsubscribing;
    await client.publish("t", "y");
    assert.deepEqual(events, [
      `publish ${sent.packetId} 0`,
      `subscribe ${sub.packetId} 1`,
      `unsubscribe ${unsub.packetId}`,
      "publish 0 0",
    ]);
  });

  it("MqttClient delivers QoS 0 messages without acknowledging anything (and without log noise)", async () => {
    const { client, conn } = await connectedClient();
    const debug: string[] = [];
    client.onLog = ({ level, message }) => level === "debug" && debug.push(message);
    let seen = 0;
    client.onMessage = () => seen++;
    for (let i = 0; i < 3; i++) {
      conn.send({
        type: "publish",
        topic: "t",
        payload: utf8("x"),
        qos: 0,
        retain: false,
        dup: false,
      });
    }
    await settle();
    assert.equal(seen, 3);
    await conn.expectNothing();
    assert.deepEqual(debug.filter((line) => /acknowledg/i.test(line)), []);
  });

  it("MqttClient with the trace option logs each packet at debug level in paho's wording", async () => {
    const lines: string[] = [];
    const { client, conn } = await connectedClient({
      trace: true,
      logger: (level, message) => level === "debug" && lines.push(message),
    });
    await Promise.all([client.publish("a/b", "hello"), conn.expect("publish")]);
    assert.ok(
      lines.includes("Sending PUBLISH (d0, q0, r0, m0), 'a/b', ... (5 bytes)"),
      lines.join("\n"),
    );
    assert.ok(lines.some((line) => line.startsWith("Sending CONNECT (")));
    assert.ok(lines.includes("Received CONNACK (0, 0)"));
  });
});
