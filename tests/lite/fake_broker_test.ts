/**
 * The lite client against a scripted fake broker (tests/_helpers/fake_broker.ts) reached through
 * a fake `WebSocket` class (`options.webSocket`), for what Mosquitto will not do: refuse with a
 * chosen CONNACK code, send a malformed packet, disconnect with a reason, grant a Receive Maximum
 * of 1 or a Maximum QoS of 0, and resume a session packet by packet.
 */

import { describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import { FakeBroker, settle } from "../_helpers/fake_broker.ts";
import {
  ConnectionRefusedError,
  LiteClient,
  type LiteOptions,
  MalformedPacketError,
  type Message,
  MqttError,
  type Properties,
  ProtocolError,
  QueueFullError,
} from "../../src/lite/mod.ts";
import type { PublishPacket } from "../../src/codec/types.ts";
import { it, within } from "../integration/_support.ts";
import { fakeWebSocket } from "./_fake_ws.ts";
import { skipOnBun, withUncaught } from "../_helpers/uncaught.ts";
import { type LiteEvent, recordEvents } from "./_lite.ts";

const FAST = { reconnect: { minDelay: 10, maxDelay: 50 } } as const;

/** A lite client wired to a new fake broker, with its connection events recorded. */
function setup(protocolVersion: 4 | 5, options: LiteOptions = {}) {
  const broker = new FakeBroker(protocolVersion);
  const client = new LiteClient({
    url: "ws://fake.invalid/mqtt",
    protocolVersion,
    webSocket: fakeWebSocket(broker),
    ...FAST,
    ...options,
  });
  return { broker, client, events: recordEvents(client) };
}

/** Connects `client`, the fake broker accepting with `connack` fields. */
async function open(
  broker: FakeBroker,
  client: LiteClient,
  connack: Parameters<Connection["accept"]>[0] = {},
) {
  const connecting = client.connect();
  const conn = await broker.nextConnection();
  await conn.accept(connack);
  await within(connecting, "connect()");
  return conn;
}

type Connection = Awaited<ReturnType<FakeBroker["nextConnection"]>>;

/** The next packet, which must be a `type` acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP). */
async function ack(
  conn: Connection,
  type: "puback" | "pubrec" | "pubrel" | "pubcomp",
): Promise<{ packetId: number; reasonCode: number }> {
  const packet = await conn.next();
  assert.equal(packet.type, type, `expected ${type}, got ${JSON.stringify(packet)}`);
  return packet as unknown as { packetId: number; reasonCode: number };
}

const isDisconnect = (e: LiteEvent) => e.kind === "disconnect";

describe("LiteClient against a scripted broker", () => {
  for (
    const [protocolVersion, code, reasonCode] of [
      [5, 0x86, 0x86],
      [5, 0x9f, 0x9f],
      [4, 2, 0x85],
      [4, 4, 0x86],
    ] as const
  ) {
    it(`a CONNACK refusal ${code} rejects connect() with ConnectionRefusedError ${reasonCode} and is not retried (MQTT ${protocolVersion})`, async () => {
      const { broker, client, events } = setup(protocolVersion, {
        reconnect: { minDelay: 0, maxDelay: 0 },
      });
      const connecting = client.connect();
      const conn = await broker.nextConnection();
      await conn.expect("connect");
      conn.connack({
        reasonCode: code,
        ...(protocolVersion === 5 ? { properties: { reasonString: "go away" } } : {}),
      });
      const error = await within(connecting, "connect()").then(
        () => assert.fail("connect() resolved"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConnectionRefusedError, `${error}`);
      assert.equal(error.reasonCode, reasonCode);
      if (protocolVersion === 5) assert.match(error.message, /go away/);
      await settle(5);
      assert.equal(broker.connections.length, 1, "no second attempt");
      assert.deepEqual(events.items, []);
      assert.equal(client.connected, false);
      await client.disconnect();
    });
  }

  for (const protocolVersion of [4, 5] as const) {
    it(`a malformed packet from the server ends the connection (DISCONNECT 0x81 on MQTT 5) and reconnects (MQTT ${protocolVersion})`, async () => {
      const { broker, client, events } = setup(protocolVersion);
      const conn = await open(broker, client);
      conn.send(new Uint8Array([0x00, 0x00])); // packet type 0 is reserved
      if (protocolVersion === 5) {
        const disconnect = await conn.expect("disconnect");
        assert.equal(disconnect.reasonCode, 0x81);
      }
      const lost = await events.find(isDisconnect, "onDisconnect");
      assert.ok(lost.kind === "disconnect");
      assert.ok(lost.error instanceof MalformedPacketError, `${lost.error}`);
      assert.equal(lost.reasonCode, 0x81);
      assert.equal(lost.willReconnect, true);
      await conn.closedByClient();
      const again = await broker.nextConnection();
      await again.accept();
      await events.find((e) => e.kind === "connect" && e.reconnect, "the reconnect");
      await client.disconnect();
    });
  }

  for (const protocolVersion of [4, 5] as const) {
    it(`a CONNACK with Session Present 1 after a clean start is a protocol error (MQTT ${protocolVersion})`, async () => {
      const { broker, client } = setup(protocolVersion);
      const connecting = client.connect();
      const conn = await broker.nextConnection();
      await conn.accept({ sessionPresent: true });
      if (protocolVersion === 5) {
        const disconnect = await conn.expect("disconnect");
        assert.equal(disconnect.reasonCode, 0x82);
      }
      const error = await within(connecting, "connect()").then(
        () => assert.fail("connect() resolved"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ProtocolError, `${error}`);
      assert.equal(error.reasonCode, 0x82);
      assert.match(error.message, /Session Present/);
      assert.equal(client.connected, false);
      await client.disconnect();
    });
  }

  it("a server DISCONNECT with a reason is reported and the client reconnects (MQTT 5)", async () => {
    const { broker, client, events } = setup(5);
    const conn = await open(broker, client);
    conn.send({
      type: "disconnect",
      reasonCode: 0x8b,
      properties: { reasonString: "maintenance" },
    });
    const lost = await events.find(isDisconnect, "onDisconnect");
    assert.ok(lost.kind === "disconnect");
    assert.equal(lost.reasonCode, 0x8b);
    assert.equal(lost.packetReasonCode, 0x8b);
    assert.ok(lost.error instanceof MqttError && lost.error.reasonCode === 0x8b, `${lost.error}`);
    assert.match((lost.error as Error).message, /maintenance/);
    assert.equal(lost.willReconnect, true);
    await (await broker.nextConnection()).accept();
    await events.find((e) => e.kind === "connect" && e.reconnect, "the reconnect");
    await client.disconnect();
  });

  it("the broker's Receive Maximum of 1 holds further QoS 1 publishes until each PUBACK (MQTT 5)", async () => {
    const { broker, client } = setup(5);
    const conn = await open(broker, client, { properties: { receiveMaximum: 1 } });
    const results = [1, 2, 3].map((i) => client.publish("t", `${i}`, { qos: 1 }));
    for (const i of [1, 2, 3]) {
      const publish = await conn.expect("publish");
      assert.equal(new TextDecoder().decode(publish.payload), `${i}`);
      await conn.expectNothing(); // the window is full
      conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    }
    await within(Promise.all(results), "the three PUBACKs");
    await client.disconnect();
  });

  it("the broker's Maximum QoS 0 refuses QoS 1/2 publishes with 0x9b, QoS 0 goes (MQTT 5)", async () => {
    const { broker, client } = setup(5);
    const conn = await open(broker, client, { properties: { maximumQoS: 0 } });
    for (const qos of [1, 2] as const) {
      await assert.rejects(
        client.publish("t", "x", { qos }),
        (e: unknown) => e instanceof MqttError && e.reasonCode === 0x9b,
      );
    }
    await client.publish("t", "zero");
    const publish = await conn.expect("publish");
    assert.equal(publish.qos, 0);
    await conn.expectNothing();
    await client.disconnect();
  });

  it("session present: PUBREL again for the released QoS 2 message, then the others with DUP in first-sent order (MQTT 5)", async () => {
    const { broker, client } = setup(5, { clientId: "resume", clean: false });
    const conn = await open(broker, client);
    const a = client.publish("t", "A", { qos: 2 });
    const b = client.publish("t", "B", { qos: 1 });
    const c = client.publish("t", "C", { qos: 2 });
    const sent = [
      await conn.expect("publish"),
      await conn.expect("publish"),
      await conn.expect("publish"),
    ];
    const [idA, idB, idC] = sent.map((p) => p.packetId!);
    conn.send({ type: "pubrec", packetId: idA!, reasonCode: 0 });
    assert.equal((await ack(conn, "pubrel")).packetId, idA);
    conn.drop();
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: true });
    const pubrel = await ack(again, "pubrel");
    assert.equal(pubrel.packetId, idA);
    const resent = [await again.expect("publish"), await again.expect("publish")];
    assert.deepEqual(
      resent.map((p) => [p.packetId, p.dup, new TextDecoder().decode(p.payload)]),
      [[idB, true, "B"], [idC, true, "C"]],
    );
    again.send({ type: "pubcomp", packetId: idA!, reasonCode: 0 });
    again.send({ type: "puback", packetId: idB!, reasonCode: 0 });
    again.send({ type: "pubrec", packetId: idC!, reasonCode: 0 });
    assert.equal((await ack(again, "pubrel")).packetId, idC);
    again.send({ type: "pubcomp", packetId: idC!, reasonCode: 0 });
    const results = await within(Promise.all([a, b, c]), "the three publishes");
    assert.deepEqual(results.map((r) => r.mid), [idA, idB, idC]);
    await client.disconnect();
  });

  it("no session: the subscription is restored first, the released QoS 2 counts delivered, the others go as new (MQTT 3.1.1)", async () => {
    const { broker, client } = setup(4);
    const conn = await open(broker, client);
    const subscribing = client.subscribe("s/#", { qos: 1 });
    const subscribe = await conn.expect("subscribe");
    conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1] });
    await within(subscribing, "SUBACK");
    const a = client.publish("t", "A", { qos: 2 });
    const b = client.publish("t", "B", { qos: 1 });
    const [pa] = [await conn.expect("publish"), await conn.expect("publish")];
    conn.send({ type: "pubrec", packetId: pa!.packetId!, reasonCode: 0 });
    await ack(conn, "pubrel");
    conn.drop();
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: false });
    const resubscribe = await again.expect("subscribe");
    assert.deepEqual(resubscribe.subscriptions.map((s) => [s.topicFilter, s.qos]), [["s/#", 1]]);
    const republished = await again.expect("publish");
    assert.equal(new TextDecoder().decode(republished.payload), "B");
    assert.equal(republished.dup, false);
    await again.expectNothing(); // no PUBREL, no A again
    assert.equal((await within(a, "A")).reasonCode, 0);
    again.send({ type: "suback", packetId: resubscribe.packetId, reasonCodes: [1] });
    again.send({ type: "puback", packetId: republished.packetId!, reasonCode: 0 });
    await within(b, "B");
    await client.disconnect();
  });

  it("incoming topic aliases are resolved and left out of the message's properties; one above our maximum is a protocol error 0x94 (MQTT 5)", async () => {
    const { broker, client, events } = setup(5, { properties: { topicAliasMaximum: 2 } });
    const conn = await open(broker, client);
    const stream = client.messages();
    const base = { type: "publish", qos: 0, retain: false, dup: false } as const;
    const text = (s: string) => new TextEncoder().encode(s);
    conn.send({ ...base, topic: "sensors/a", payload: text("1"), properties: { topicAlias: 1 } });
    conn.send({
      ...base,
      topic: "",
      payload: text("2"),
      properties: { topicAlias: 1, contentType: "text/plain" },
    });
    const first = (await within(stream.next(), "the first message")).value as Message;
    const second = (await within(stream.next(), "the second message")).value as Message;
    assert.equal(first.topic, "sensors/a");
    assert.equal(first.properties, undefined);
    assert.equal(second.topic, "sensors/a");
    assert.deepEqual(second.properties, { contentType: "text/plain" });
    conn.send({ ...base, topic: "x", payload: text("3"), properties: { topicAlias: 3 } });
    const disconnect = await conn.expect("disconnect");
    assert.equal(disconnect.reasonCode, 0x94);
    const lost = await events.find(isDisconnect, "onDisconnect");
    assert.ok(lost.kind === "disconnect" && lost.error instanceof ProtocolError, `${lost}`);
    assert.equal(lost.reasonCode, 0x94);
    await client.disconnect();
  });

  it("an incoming QoS 2 message is acknowledged once the consumer took it, and its resend after a reconnect is not delivered again (MQTT 5)", async () => {
    const { broker, client } = setup(5, { clientId: "in2", clean: false });
    const conn = await open(broker, client);
    const stream = client.messages();
    const publish: PublishPacket = {
      type: "publish",
      topic: "in",
      payload: new TextEncoder().encode("once"),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 7,
    };
    conn.send(publish);
    await conn.expectNothing(); // not taken yet: no PUBREC
    const first = await within(stream.next(), "the message");
    assert.equal((first.value as Message).mid, 7);
    assert.equal((await ack(conn, "pubrec")).packetId, 7);
    conn.drop(); // before PUBREL
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: true });
    again.send({ ...publish, dup: true }); // a broker may resend it: the PUBREC is repeated
    assert.equal((await ack(again, "pubrec")).packetId, 7);
    again.send({ type: "pubrel", packetId: 7, reasonCode: 0 });
    const pubcomp = await ack(again, "pubcomp");
    assert.equal(pubcomp.reasonCode, 0);
    await again.expectNothing();
    assert.equal(stream.buffered, 0, "delivered once");
    await client.disconnect();
  });
  for (const takenWhile of ["after the reconnect", "while disconnected"] as const) {
    it(`a QoS 2 message not taken when the connection drops is delivered once when the broker resends it, taken ${takenWhile} (MQTT 5)`, async () => {
      const { broker, client, events } = setup(5, { clientId: "in2-held", clean: false });
      const conn = await open(broker, client);
      const stream = client.messages();
      const publish: PublishPacket = {
        type: "publish",
        topic: "in",
        payload: new TextEncoder().encode("held"),
        qos: 2,
        retain: false,
        dup: false,
        packetId: 9,
      };
      conn.send(publish);
      await conn.expectNothing(); // held by the stream: no PUBREC yet
      conn.drop();
      await events.find(isDisconnect, "onDisconnect");
      let taken: Message | undefined;
      if (takenWhile === "while disconnected") {
        taken = (await within(stream.next(), "the held message")).value as Message;
      }
      const again = await broker.nextConnection();
      await again.accept({ sessionPresent: true });
      again.send({ ...publish, dup: true }); // the broker resends what we never acknowledged
      if (taken === undefined) {
        await again.expectNothing(); // still held: no PUBREC yet
        taken = (await within(stream.next(), "the held message")).value as Message;
      }
      assert.equal(new TextDecoder().decode(taken!.payload), "held");
      assert.equal((await ack(again, "pubrec")).packetId, 9);
      again.send({ type: "pubrel", packetId: 9, reasonCode: 0 });
      assert.equal((await ack(again, "pubcomp")).reasonCode, 0);
      await again.expectNothing();
      assert.equal(stream.buffered, 0, "delivered once, not again for the resend");
      await client.disconnect();
    });
  }

  it("a publish queued before connect() that the CONNACK's limits refuse is rejected, not sent (MQTT 5)", async () => {
    const { broker, client, events } = setup(5);
    const two = client.publish("t", "two", { qos: 2 });
    const kept = client.publish("t", "kept", { qos: 1, retain: true });
    const one = client.publish("t", "one", { qos: 1 });
    const conn = await open(broker, client, {
      properties: { maximumQoS: 1, retainAvailable: false },
    });
    await assert.rejects(
      within(two, "the QoS 2 publish"),
      (e: unknown) => e instanceof MqttError && e.reasonCode === 0x9b,
    );
    await assert.rejects(
      within(kept, "the retained publish"),
      (e: unknown) => e instanceof MqttError && e.reasonCode === 0x9a,
    );
    const publish = await conn.expect("publish");
    assert.equal(new TextDecoder().decode(publish.payload), "one");
    conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    await within(one, "the QoS 1 publish");
    await conn.expectNothing();
    assert.deepEqual(events.items.filter(isDisconnect), []);
    await client.disconnect();
  });

  nodeIt(
    "a message whose onMessage threw is not acknowledged, as on MqttClient (MQTT 5)",
    skipOnBun,
    () =>
      withUncaught(async (uncaught) => {
        const { broker, client } = setup(5);
        const conn = await open(broker, client);
        client.onMessage = ({ message }) => {
          if (message.topic === "bad") throw new Error("cannot process");
        };
        const base = { type: "publish", payload: new Uint8Array(), retain: false, dup: false };
        conn.send({ ...base, topic: "bad", qos: 1, packetId: 1 } as PublishPacket);
        conn.send({ ...base, topic: "good", qos: 1, packetId: 2 } as PublishPacket);
        const puback = await conn.next();
        assert.equal(puback.type, "puback");
        assert.equal((puback as { packetId: number }).packetId, 2, "only what onMessage took");
        await conn.expectNothing();
        await settle();
        assert.equal(uncaught.length, 1);
        await client.disconnect();
      }),
  );

  it("a client that keeps publishing still pings a silent server and gives up on it (MQTT 4)", async () => {
    const { broker, client, events } = setup(4, { keepalive: 1 });
    const conn = await open(broker, client);
    const started = performance.now();
    const sender = setInterval(() => client.publish("t", "x").catch(() => {}), 200);
    try {
      const lost = await events.find(isDisconnect, "onDisconnect for the silent server", 0, 5_000);
      assert.ok(lost.at - started < 3_500, `gave up after ${lost.at - started} ms`);
      assert.ok(conn.received.some((p) => p.type === "pingreq"), "a PINGREQ was sent");
    } finally {
      clearInterval(sender);
    }
    await client.disconnect();
  });

  it("a subscribe or unsubscribe aborted before it was sent is not sent (MQTT 4)", async () => {
    const { broker, client } = setup(4);
    const controller = new AbortController();
    const subscribing = client.subscribe("aborted", { signal: controller.signal });
    const unsubscribing = client.unsubscribe("other", { signal: controller.signal });
    const kept = client.subscribe("kept");
    controller.abort(new Error("changed my mind"));
    await assert.rejects(subscribing, /changed my mind/);
    await assert.rejects(unsubscribing, /changed my mind/);
    const conn = await open(broker, client);
    const subscribe = await conn.expect("subscribe");
    assert.deepEqual(subscribe.subscriptions.map((s) => s.topicFilter), ["kept"]);
    conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [0] });
    await within(kept, "the SUBACK");
    await conn.expectNothing();
    await client.disconnect();
  });

  it("connect() while waiting out the reconnect delay attempts at once, as on MqttClient (MQTT 4)", async () => {
    const { broker, client, events } = setup(4, {
      reconnect: { minDelay: 60_000, maxDelay: 60_000 },
    });
    const first = await open(broker, client);
    first.drop();
    await events.find(isDisconnect, "onDisconnect");
    const connecting = client.connect();
    const second = await within(broker.nextConnection(), "the attempt connect() asked for", 1_000);
    await second.accept();
    const connack = await within(connecting, "connect()");
    assert.equal(connack.reasonCode, 0);
    assert.equal(client.connected, true);
    await client.disconnect();
  });

  it("maxQueued: 0 sends a QoS 1 publish there is room for and refuses one that would wait (MQTT 5)", async () => {
    const { broker, client } = setup(5, { maxQueued: 0 });
    const conn = await open(broker, client, { properties: { receiveMaximum: 1 } });
    const sent = client.publish("t", "goes", { qos: 1 });
    await assert.rejects(client.publish("t", "would wait", { qos: 1 }), QueueFullError);
    const publish = await conn.expect("publish");
    assert.equal(new TextDecoder().decode(publish.payload), "goes");
    conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    await within(sent, "the PUBACK");
    await conn.expectNothing();
    await client.disconnect();
  });

  it("nothing is sent after the DISCONNECT, even a publish right after disconnect() (MQTT 5)", async () => {
    const { broker, client } = setup(5);
    const conn = await open(broker, client);
    const disconnecting = client.disconnect();
    const publishing = client.publish("t", "late").then(() => "sent", () => "rejected");
    await within(disconnecting, "disconnect()");
    await conn.closedByClient();
    await settle();
    const types = conn.received.map((p) => p.type);
    assert.equal(types.at(-1), "disconnect", `sent ${types}`);
    assert.equal(
      await within(publishing, "publish()"),
      types.includes("publish") ? "sent" : "rejected",
    );
  });

  it("no session: a publish aborted after it was sent is not published again, as on MqttClient (MQTT 4)", async () => {
    const { broker, client, events } = setup(4);
    const conn = await open(broker, client);
    const controller = new AbortController();
    const aborted = client.publish("t", "aborted", { qos: 1, signal: controller.signal });
    const kept = client.publish("t", "kept", { qos: 2 });
    await conn.expect("publish");
    await conn.expect("publish");
    controller.abort(new Error("gave up"));
    await assert.rejects(aborted, /gave up/);
    conn.drop();
    await events.find(isDisconnect, "onDisconnect");
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: false });
    const publish = await again.expect("publish");
    assert.equal(new TextDecoder().decode(publish.payload), "kept");
    await again.expectNothing();
    await client.disconnect();
    await assert.rejects(kept);
  });

  it("a PUBREC again for a released QoS 2 message gets PUBREL 0 again, not 0x92 (MQTT 5)", async () => {
    const { broker, client } = setup(5);
    const conn = await open(broker, client);
    const publishing = client.publish("t", "x", { qos: 2 });
    const publish = await conn.expect("publish");
    const id = publish.packetId!;
    conn.send({ type: "pubrec", packetId: id, reasonCode: 0 });
    assert.equal((await ack(conn, "pubrel")).reasonCode, 0);
    conn.send({ type: "pubrec", packetId: id, reasonCode: 0 });
    assert.deepEqual(await ack(conn, "pubrel"), { type: "pubrel", packetId: id, reasonCode: 0 });
    conn.send({ type: "pubcomp", packetId: id, reasonCode: 0 });
    assert.equal((await within(publishing, "the PUBCOMP")).reasonCode, 0);
    await client.disconnect();
  });

  it("disconnect() then connect() to the same session: PUBREL again for the released QoS 2 message, as on MqttClient (MQTT 5)", async () => {
    const { broker, client } = setup(5, { clean: false });
    const conn = await open(broker, client);
    const publishing = client.publish("t", "x", { qos: 2 });
    const id = (await conn.expect("publish")).packetId!;
    conn.send({ type: "pubrec", packetId: id, reasonCode: 0 });
    await ack(conn, "pubrel");
    await client.disconnect();
    await assert.rejects(publishing, /disconnect\(\) was called/);
    const again = await open(broker, client, { sessionPresent: true });
    assert.deepEqual(await ack(again, "pubrel"), { type: "pubrel", packetId: id, reasonCode: 0 });
    again.send({ type: "pubcomp", packetId: id, reasonCode: 0 });
    await again.expectNothing();
    await client.disconnect();
  });

  it("a subscribe or unsubscribe over the server's Maximum Packet Size is refused with 0x95 before it is sent; what is in flight goes on (MQTT 5)", async () => {
    const { broker, client } = setup(5);
    const queued = client.subscribe("q/" + "x".repeat(80)); // waits for the connection
    const conn = await open(broker, client, { properties: { maximumPacketSize: 64 } });
    const tooLarge = (e: unknown) =>
      e instanceof MqttError && e.reasonCode === 0x95 && /\b64\b/.test(e.message);
    await assert.rejects(within(queued, "the queued subscribe"), tooLarge);
    const publishing = client.publish("t", "in flight", { qos: 1 });
    const publish = await conn.expect("publish");
    await assert.rejects(client.subscribe("s/" + "x".repeat(80)), tooLarge);
    await assert.rejects(
      client.unsubscribe(["u/" + "x".repeat(40), "v/" + "x".repeat(40)]),
      tooLarge,
    );
    await conn.expectNothing();
    const small = client.subscribe("s/small");
    const subscribe = await conn.expect("subscribe");
    assert.deepEqual(subscribe.subscriptions.map((s) => s.topicFilter), ["s/small"]);
    conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [0] });
    conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    await within(Promise.all([small, publishing]), "the SUBACK and the PUBACK");
    await conn.expectNothing();
    await client.disconnect();
  });
  it("session present: PUBRELs go again in the order their PUBRECs came, not first-sent order [MQTT-4.6.0-3] (MQTT 5)", async () => {
    const { broker, client, events } = setup(5, { clientId: "pubrel-order", clean: false });
    const conn = await open(broker, client);
    const results = ["A", "B", "C"].map((text) => client.publish("t", text, { qos: 2 }));
    const ids = [
      (await conn.expect("publish")).packetId!,
      (await conn.expect("publish")).packetId!,
      (await conn.expect("publish")).packetId!,
    ];
    const order = [ids[2]!, ids[0]!, ids[1]!]; // C, A, B
    for (const id of order) {
      conn.send({ type: "pubrec", packetId: id, reasonCode: 0 });
      assert.equal((await ack(conn, "pubrel")).packetId, id);
    }
    conn.drop();
    await events.find(isDisconnect, "onDisconnect");
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: true });
    const resent = [
      (await ack(again, "pubrel")).packetId,
      (await ack(again, "pubrel")).packetId,
      (await ack(again, "pubrel")).packetId,
    ];
    assert.deepEqual(resent, order);
    await again.expectNothing();
    for (const id of ids) again.send({ type: "pubcomp", packetId: id, reasonCode: 0 });
    await within(Promise.all(results), "the three PUBCOMPs");
    await client.disconnect();
  });
  it("messages() with an aborted signal ends at once and is never offered a message, as on MqttClient (MQTT 4)", async () => {
    const { broker, client } = setup(4);
    const conn = await open(broker, client);
    const signal = AbortSignal.abort();
    let offered = 0;
    for (const filter of ["t", undefined]) {
      const stream = client.messages(filter, { signal });
      const push = stream.push.bind(stream);
      stream.push = (message) => (offered++, push(message));
      assert.equal((await within(stream.next(), `the aborted stream (${filter})`)).done, true);
    }
    const live = client.messages("t");
    conn.send({
      type: "publish",
      topic: "t",
      payload: new TextEncoder().encode("x"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 3,
    });
    await within(live.next(), "the message on the live stream");
    assert.equal((await ack(conn, "puback")).packetId, 3);
    assert.equal(offered, 0, "the aborted streams were not offered the message");
    await client.disconnect();
  });
  it("a refused re-subscribe forgets the earlier grant: the filter is not restored, as on MqttClient (MQTT 4)", async () => {
    const { broker, client, events } = setup(4);
    const conn = await open(broker, client);
    const granted = client.subscribe(["s/#", "k"], { qos: 1 });
    const first = await conn.expect("subscribe");
    conn.send({ type: "suback", packetId: first.packetId, reasonCodes: [1, 1] });
    await within(granted, "the first SUBACK");
    const again = client.subscribe("s/#", { qos: 2 });
    const second = await conn.expect("subscribe");
    conn.send({ type: "suback", packetId: second.packetId, reasonCodes: [0x80] });
    assert.deepEqual((await within(again, "the second SUBACK")).reasonCodes, [0x80]);
    conn.drop();
    await events.find(isDisconnect, "onDisconnect");
    const next = await broker.nextConnection();
    await next.accept({ sessionPresent: false });
    const restore = await next.expect("subscribe");
    assert.deepEqual(restore.subscriptions.map((s) => [s.topicFilter, s.qos]), [["k", 1]]);
    await next.expectNothing();
    await client.disconnect();
  });
  it("a filter subscribed again is restored only once the new SUBACK grants it: aborted before it was sent, it is forgotten; unanswered at a reconnect, it goes alone; over the Maximum Packet Size, nothing changes, as on MqttClient (MQTT 5)", async () => {
    const { broker, client, events } = setup(5, { clientId: "resubscribe" });
    const limits = { properties: { maximumPacketSize: 100 } };
    const conn = await open(broker, client, limits);
    const granted = client.subscribe(["a", "b", "c"], { qos: 1 });
    const first = await conn.expect("subscribe");
    conn.send({ type: "suback", packetId: first.packetId, reasonCodes: [1, 1, 1] });
    await within(granted, "the first SUBACK");
    const big = { userProperties: [["k", "x".repeat(100)]] } as Properties;
    await assert.rejects(
      client.subscribe("c", { qos: 2, properties: big }),
      (e: unknown) => e instanceof MqttError && e.reasonCode === 0x95,
    );
    const unanswered = client.subscribe("b", { qos: 2 });
    await conn.expect("subscribe");
    conn.drop();
    await events.find(isDisconnect, "onDisconnect");
    const controller = new AbortController();
    const aborted = client.subscribe("a", { qos: 2, signal: controller.signal });
    controller.abort(new Error("changed my mind"));
    await assert.rejects(aborted, /changed my mind/);
    const next = await broker.nextConnection();
    await next.accept({ sessionPresent: false, ...limits });
    const sent = [await next.expect("subscribe"), await next.expect("subscribe")];
    assert.deepEqual(
      sent.map((p) => p.subscriptions.map((s) => [s.topicFilter, s.qos])),
      [[["c", 1]], [["b", 2]]],
    );
    await next.expectNothing();
    next.send({ type: "suback", packetId: sent[1]!.packetId, reasonCodes: [2] });
    assert.deepEqual((await within(unanswered, "the SUBACK")).reasonCodes, [2]);
    await client.disconnect();
  });
});
