/**
 * The embedded broker over a raw TCP socket (node:net), where a korero client would not
 * misbehave: keepalive enforced by the broker's own timer, protocol errors, refusals.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { encodePacket, type Packet, PacketDecoder } from "../../src/codec/mod.ts";
import { startBroker } from "../../src/broker/mod.ts";
import { it, Recorder, within } from "../integration/_support.ts";

/** A raw connection: the packets it received (decoded as `version`), and its close. */
async function dial(port: number, version: 3 | 4 | 5 = 5) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const decoder = new PacketDecoder({ protocolVersion: version });
  const packets = new Recorder<Packet>();
  socket.on(
    "data",
    (chunk: Uint8Array) => decoder.push(new Uint8Array(chunk)).forEach(packets.push),
  );
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) =>
    socket.once("close", () => resolve(performance.now()))
  );
  return {
    packets,
    closed: () => within(closed, "the broker to close the connection"),
    send: (packet: Packet | Uint8Array) =>
      socket.write(packet instanceof Uint8Array ? packet : encodePacket(packet, version)),
    destroy: () => socket.destroy(),
  };
}

describe("Embedded broker on the wire", () => {
  it("startBroker's timer disconnects a silent client after 1.5 × keepalive with 0x8D", async () => {
    await using broker = await startBroker({ port: 0 });
    const client = await dial(broker.port);
    client.send({
      type: "connect",
      protocolVersion: 5,
      clientId: "quiet",
      clean: true,
      keepalive: 1,
    });
    await client.packets.count(1, "CONNACK");
    const connectedAt = performance.now();
    const closedAt = await client.closed();
    assert.ok(closedAt - connectedAt >= 1_400, `closed after ${closedAt - connectedAt} ms`);
    assert.deepEqual(client.packets.items.map((p) => p.type), ["connack", "disconnect"]);
    const disconnect = client.packets.items[1];
    assert.ok(disconnect?.type === "disconnect" && disconnect.reasonCode === 0x8d);
  });

  it("startBroker answers a malformed packet with DISCONNECT 0x81 and closes (MQTT 5)", async () => {
    await using broker = await startBroker({ port: 0 });
    const client = await dial(broker.port);
    client.send({
      type: "connect",
      protocolVersion: 5,
      clientId: "bad",
      clean: true,
      keepalive: 0,
    });
    await client.packets.count(1, "CONNACK");
    client.send(new Uint8Array([0x30, 0x01, 0x00])); // PUBLISH whose topic length is cut off
    await client.closed();
    const last = client.packets.items.at(-1);
    assert.ok(last?.type === "disconnect" && last.reasonCode === 0x81, JSON.stringify(last));
  });

  it("startBroker closes an MQTT 3.1.1 connection on a malformed packet, with no DISCONNECT", async () => {
    await using broker = await startBroker({ port: 0 });
    const client = await dial(broker.port, 4);
    client.send({
      type: "connect",
      protocolVersion: 4,
      clientId: "bad",
      clean: true,
      keepalive: 0,
    });
    await client.packets.count(1, "CONNACK");
    client.send(new Uint8Array([0x30, 0x01, 0x00]));
    await client.closed();
    assert.deepEqual(client.packets.items.map((p) => p.type), ["connack"]);
  });

  it("startBroker closes a connection that sends a non-CONNECT packet first", async () => {
    await using broker = await startBroker({ port: 0 });
    const client = await dial(broker.port, 4);
    client.send({ type: "pingreq" });
    await client.closed();
    assert.deepEqual(client.packets.items, []);
    assert.equal(broker.stats.connections, 0);
  });
});
