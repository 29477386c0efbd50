/** Acknowledgement edge cases: a message from another client, messages given up under manual ack. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PublishPacket } from "../../src/codec/types.ts";
import type { Message } from "../../src/client/message.ts";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";

function publish(packetId: number, qos: 1 | 2 = 1, topic = "t"): PublishPacket {
  return {
    type: "publish",
    topic,
    payload: new TextEncoder().encode(`m${packetId}`),
    qos,
    retain: false,
    dup: false,
    packetId,
  };
}

describe("MqttClient acknowledgement edges", () => {
  it("MqttClient.ack of another client's message throws and acknowledges nothing of its own", async () => {
    const a = await connectedClient({ manualAck: true });
    const b = await connectedClient({ manualAck: true });
    const fromA: Message[] = [];
    const fromB: Message[] = [];
    a.client.onMessage = ({ message }) => fromA.push(message);
    b.client.onMessage = ({ message }) => fromB.push(message);
    a.conn.send(publish(1));
    b.conn.send(publish(9));
    await settle();
    assert.equal(fromA.length, 1);
    assert.equal(fromB.length, 1);
    let threw = false;
    try {
      a.client.ack(fromB[0]!);
    } catch (error) {
      threw = error instanceof TypeError;
    }
    await settle();
    // A must not have acknowledged its own unprocessed message 1.
    assert.deepEqual(
      a.conn.unread,
      [],
      "client A sent a PUBACK for a message its application never acked",
    );
    assert.ok(threw, "ack of a message from another client did not throw");
    await a.client.disconnect({ force: true });
    await b.client.disconnect({ force: true });
  });

  it("MqttClient with manualAck warns about messages an iterator gave up unread, and leaves them unacknowledged", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5, manualAck: true });
    const warnings: string[] = [];
    client.onLog = ({ level, message }) => level === "warn" && warnings.push(message);
    const stream = client.messages("t");
    conn.send(publish(1));
    conn.send(publish(2));
    await settle();
    const first = await stream.next();
    first.value!.ack();
    assert.deepEqual(await conn.expect("puback"), { type: "puback", packetId: 1, reasonCode: 0 });
    await stream.return(); // `break`: message 2 is given up, never seen by the application
    await conn.expectNothing();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Message 2 .*stays unacknowledged/);
  });
});

describe("MqttClient with manualAck and no consumer", () => {
  it("warns about a message no handler, callback or iterator took, and leaves it unacknowledged", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5, manualAck: true });
    const warnings: string[] = [];
    client.onLog = ({ level, message }) => level === "warn" && warnings.push(message);
    client.onMessage = undefined; // no handler, no messageCallbackAdd, no messages()
    conn.send(publish(3, 1, "nobody/listens"));
    await settle();
    await conn.expectNothing();
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /Message 3 on "nobody\/listens" reached no consumer.*stays unacknowledged/,
    );
  });
});
