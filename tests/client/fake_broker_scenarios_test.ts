/**
 * Scenarios a real broker will not play, scripted with the fake broker: unknown packet ids,
 * a broker exceeding our Receive Maximum, malformed bytes, and connections lost in the middle
 * of a QoS 2 flow.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";
import type { DisconnectEvent } from "../../src/client/events.ts";
import { ProtocolError } from "../../src/errors.ts";

const payload = new TextEncoder().encode("x");

describe("MqttClient against a misbehaving broker", () => {
  it("MqttClient answers a PUBREL for an unknown id with PUBCOMP 0x92 on MQTT 5", async () => {
    const { conn } = await connectedClient({ protocolVersion: 5 });
    conn.send({ type: "pubrel", packetId: 77, reasonCode: 0 });
    assert.deepEqual(await conn.expect("pubcomp"), {
      type: "pubcomp",
      packetId: 77,
      reasonCode: 0x92,
    });
  });

  it("MqttClient answers a PUBREL for an unknown id with a plain PUBCOMP on MQTT 3.1.1", async () => {
    const { conn } = await connectedClient();
    conn.send({ type: "pubrel", packetId: 5, reasonCode: 0 });
    assert.deepEqual(await conn.expect("pubcomp"), { type: "pubcomp", packetId: 5, reasonCode: 0 });
  });

  it("MqttClient disconnects with 0x93 when the broker exceeds our Receive Maximum", async () => {
    const { client, conn } = await connectedClient({
      protocolVersion: 5,
      properties: { receiveMaximum: 2 },
    });
    const events: DisconnectEvent[] = [];
    client.onDisconnect = (event) => events.push(event);
    for (const packetId of [1, 2, 3]) {
      conn.send({
        type: "publish",
        topic: "t",
        payload,
        qos: 2,
        retain: false,
        dup: false,
        packetId,
      });
    }
    await conn.expect("pubrec");
    await conn.expect("pubrec");
    assert.equal((await conn.expect("disconnect")).reasonCode, 0x93);
    await conn.closedByClient();
    assert.ok(events[0]!.error instanceof ProtocolError);
    assert.equal(events[0]!.reasonCode, 0x93);
  });

  it("MqttClient with manualAck disconnects with 0x93 when unacknowledged QoS 1 messages exceed our Receive Maximum", async () => {
    const { client, conn } = await connectedClient({
      protocolVersion: 5,
      manualAck: true,
      properties: { receiveMaximum: 2 },
    });
    const events: DisconnectEvent[] = [];
    const mids: number[] = [];
    client.onDisconnect = (event) => events.push(event);
    client.onMessage = ({ message }) => mids.push(message.mid);
    const publish = (packetId: number, dup = false) =>
      conn.send({ type: "publish", topic: "t", payload, qos: 1, retain: false, dup, packetId });
    publish(1);
    publish(2);
    publish(1, true); // a re-sent message the application still holds does not count again
    publish(3);
    assert.equal((await conn.expect("disconnect")).reasonCode, 0x93, "no PUBACK before it");
    await conn.closedByClient();
    assert.deepEqual(mids, [1, 2]);
    assert.ok(events[0]!.error instanceof ProtocolError);
    assert.equal(events[0]!.reasonCode, 0x93);
  });

  it("MqttClient delivers a QoS 2 message once although the broker sends it again", async () => {
    const { client, conn } = await connectedClient();
    let count = 0;
    client.onMessage = () => count++;
    const publish = {
      type: "publish",
      topic: "t",
      payload,
      qos: 2,
      retain: false,
      packetId: 4,
    } as const;
    conn.send({ ...publish, dup: false });
    await conn.expect("pubrec");
    conn.send({ ...publish, dup: true });
    await conn.expect("pubrec");
    conn.send({ type: "pubrel", packetId: 4, reasonCode: 0 });
    await conn.expect("pubcomp");
    assert.equal(count, 1);
  });

  it("MqttClient resends an unacknowledged QoS 2 PUBLISH with DUP after reconnecting to its session", async () => {
    const { client, conn, broker, clock } = await connectedClient({
      clean: false,
      reconnect: { minDelay: 100, maxDelay: 100 },
    });
    const publishing = client.publish("q2", "x", { qos: 2 });
    const first = await conn.expect("publish");
    assert.equal(first.dup, false);
    conn.drop();
    await settle();
    clock.advance(100);
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: true });
    const resent = await again.expect("publish");
    assert.deepEqual(resent, { ...first, dup: true });
    again.send({ type: "pubrec", packetId: first.packetId!, reasonCode: 0 });
    await again.expect("pubrel");
    again.send({ type: "pubcomp", packetId: first.packetId!, reasonCode: 0 });
    assert.deepEqual(await publishing, { mid: 1, reasonCode: 0 });
  });

  it("MqttClient resends PUBREL, not PUBLISH, when the connection dropped after PUBREC", async () => {
    const { client, conn, broker, clock } = await connectedClient({
      clean: false,
      reconnect: { minDelay: 100, maxDelay: 100 },
    });
    const publishing = client.publish("q2", "x", { qos: 2 });
    const { packetId } = await conn.expect("publish");
    conn.send({ type: "pubrec", packetId: packetId!, reasonCode: 0 });
    await conn.expect("pubrel");
    conn.drop();
    await settle();
    clock.advance(100);
    const again = await broker.nextConnection();
    await again.accept({ sessionPresent: true });
    assert.deepEqual(await again.expect("pubrel"), { type: "pubrel", packetId, reasonCode: 0 });
    again.send({ type: "pubcomp", packetId: packetId!, reasonCode: 0 });
    assert.deepEqual(await publishing, { mid: packetId, reasonCode: 0 });
    await again.expectNothing();
  });

  it("MqttClient disconnects when the broker answers CONNECT with something other than CONNACK", async () => {
    const { FakeBroker } = await import("../_helpers/fake_broker.ts");
    const { MqttClient } = await import("../../src/client/client.ts");
    const { manualClock } = await import("../../src/client/clock.ts");
    const broker = new FakeBroker();
    const client = new MqttClient({ transport: broker.opener, clock: manualClock() });
    const connecting = client.connect();
    const conn = await broker.nextConnection();
    await conn.expect("connect");
    conn.send({ type: "pingresp" });
    await assert.rejects(connecting, ProtocolError);
    await conn.closedByClient();
  });
});
