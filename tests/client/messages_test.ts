/**
 * Delivery of received messages: `onMessage`, per-filter callbacks and `messages()` iterators.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type BrokerConnection, connectedClient, settle } from "../_helpers/fake_broker.ts";
import type { Message } from "../../src/client/message.ts";
import { payloadText } from "../../src/client/message.ts";
import { MessageStream, type StreamHooks } from "../../src/client/message_stream.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

function deliver(conn: BrokerConnection, topic: string, text = topic): void {
  conn.send({ type: "publish", topic, payload: utf8(text), qos: 0, retain: false, dup: false });
}

async function take(stream: AsyncIterator<Message>, n: number): Promise<string[]> {
  const topics: string[] = [];
  for (let i = 0; i < n; i++) {
    const result = await stream.next();
    if (result.done) break;
    topics.push(result.value.topic);
  }
  return topics;
}

describe("MqttClient delivery", () => {
  it("MqttClient.onMessage receives a Message with topic, payload, flags and properties", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    const got: Message[] = [];
    client.onMessage = ({ message }) => got.push(message);
    conn.send({
      type: "publish",
      topic: "a/b",
      payload: utf8("hello"),
      qos: 1,
      retain: true,
      dup: true,
      packetId: 9,
      properties: { contentType: "text/plain" },
    });
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 9, reasonCode: 0 });
    const { topic, payload, qos, retain, dup, properties, mid } = got[0]!;
    assert.deepEqual({ topic, payload, qos, retain, dup, properties, mid }, {
      topic: "a/b",
      payload: utf8("hello"),
      qos: 1,
      retain: true,
      dup: true,
      properties: { contentType: "text/plain" },
      mid: 9,
    });
    assert.equal(typeof got[0]!.timestamp, "number");
    assert.equal(payloadText(got[0]!), "hello");
  });

  it("MqttClient.messageCallbackAdd takes matching messages instead of onMessage", async () => {
    const { client, conn } = await connectedClient();
    const calls: string[] = [];
    client.onMessage = ({ message }) => calls.push(`onMessage ${message.topic}`);
    client.messageCallbackAdd(
      "sensors/+/temp",
      ({ message }) => calls.push(`temp ${message.topic}`),
    );
    client.messageCallbackAdd("sensors/#", ({ message }) => calls.push(`all ${message.topic}`));
    deliver(conn, "sensors/k/temp");
    deliver(conn, "other");
    await settle();
    assert.deepEqual(calls, ["temp sensors/k/temp", "all sensors/k/temp", "onMessage other"]);
    calls.length = 0;
    client.messageCallbackRemove("sensors/+/temp");
    client.messageCallbackRemove("sensors/#");
    deliver(conn, "sensors/k/temp");
    await settle();
    assert.deepEqual(calls, ["onMessage sensors/k/temp"]);
  });

  it("MqttClient.messages yields the messages matching its filter, in order", async () => {
    const { client, conn } = await connectedClient();
    const filtered = client.messages("a/+");
    const all = client.messages();
    for (const topic of ["a/1", "b/1", "a/2"]) deliver(conn, topic);
    assert.deepEqual(await take(filtered, 2), ["a/1", "a/2"]);
    assert.deepEqual(await take(all, 3), ["a/1", "b/1", "a/2"]);
  });

  it("MqttClient.messages drops QoS 0 messages that find its buffer full, and logs it", async () => {
    const { client, conn } = await connectedClient();
    const logs: string[] = [];
    client.onLog = ({ level, message }) => level === "warn" && logs.push(message);
    const stream = client.messages("#", { buffer: 2 });
    for (const topic of ["m1", "m2", "m3", "m4"]) deliver(conn, topic);
    await settle();
    assert.equal(stream.dropped, 2);
    assert.deepEqual(await take(stream, 2), ["m1", "m2"]);
    assert.match(logs[0]!, /messages\(#\): buffer of 2 full, dropped 1/);
  });

  it("MqttClient.messages ends after its buffered messages when the client disconnects", async () => {
    const { client, conn } = await connectedClient();
    const stream = client.messages();
    deliver(conn, "last");
    await settle();
    await client.disconnect();
    assert.deepEqual(await take(stream, 5), ["last"]);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("MqttClient.messages ends a pending next() when the connection is lost for good", async () => {
    const { client, conn } = await connectedClient();
    const next = client.messages().next();
    conn.drop();
    assert.deepEqual(await next, { value: undefined, done: true });
  });

  it("MqttClient.messages ends when its signal aborts, and stops receiving", async () => {
    const { client, conn } = await connectedClient();
    const controller = new AbortController();
    const stream = client.messages("#", { signal: controller.signal });
    const next = stream.next();
    controller.abort();
    assert.deepEqual(await next, { value: undefined, done: true });
    deliver(conn, "after");
    await settle();
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("MqttClient.messages ends when the for-await loop is left", async () => {
    const { client, conn } = await connectedClient();
    const stream = client.messages("t");
    deliver(conn, "t", "1");
    deliver(conn, "t", "2");
    for await (const message of stream) {
      assert.equal(payloadText(message), "1");
      break;
    }
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });
});

function hooks(detach: () => void): StreamHooks {
  return { detach, dropped: () => {}, released: () => {} };
}

describe("MessageStream", () => {
  it("MessageStream hands a pushed message to a waiting next() directly", async () => {
    let detached = 0;
    const stream = new MessageStream(1, hooks(() => detached++));
    const next = stream.next();
    const message: Message = {
      topic: "t",
      payload: utf8(""),
      qos: 0,
      retain: false,
      dup: false,
      mid: 0,
      timestamp: 0,
      ack: () => false,
    };
    stream.push(message);
    assert.deepEqual(await next, { value: message, done: false });
    stream.end();
    stream.end();
    assert.equal(detached, 1);
  });

  it("MessageStream starts ended for an already aborted signal, never attached to detach", async () => {
    let detached = 0;
    const stream = new MessageStream(1, hooks(() => detached++), AbortSignal.abort());
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
    stream.end();
    assert.equal(detached, 0);
  });

  it("MqttClient.messages() with an aborted signal ends at once and takes no message", async () => {
    const { client, conn } = await connectedClient();
    const open = client.messages("a/#");
    const ended = [undefined, "a/#", "b"].map((filter) =>
      client.messages(filter, { signal: AbortSignal.abort() })
    );
    for (const stream of ended) {
      assert.deepEqual(await stream.next(), { value: undefined, done: true });
    }
    deliver(conn, "a/1");
    deliver(conn, "b");
    deliver(conn, "a/2");
    assert.deepEqual(await take(open, 2), ["a/1", "a/2"]);
    for (const stream of ended) {
      assert.equal(stream.buffered, 0);
      assert.deepEqual(await stream.next(), { value: undefined, done: true });
    }
    await client.disconnect();
  });

  it("MessageStream settles concurrent next() calls in order", async () => {
    const stream = new MessageStream(4, hooks(() => {}));
    const first = stream.next();
    const second = stream.next();
    const message = (topic: string): Message => ({
      topic,
      payload: utf8(""),
      qos: 0,
      retain: false,
      dup: false,
      mid: 0,
      timestamp: 0,
      ack: () => false,
    });
    stream.push(message("a"));
    stream.end();
    assert.equal((await first).value?.topic, "a");
    assert.deepEqual(await second, { value: undefined, done: true });
  });
});
