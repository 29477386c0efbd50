/**
 * Drives a {@link BrokerCore} with a fake clock and fake clients: each client writes encoded
 * packets into its connection and reads back, decoded, the packets the core wrote to it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodePacket, encodePacket } from "../../src/codec/mod.ts";
import type {
  ConnackPacket,
  ConnectPacket,
  Packet,
  Properties,
  ProtocolVersion,
  PublishPacket,
  QoS,
  Subscription,
} from "../../src/codec/types.ts";
import { BrokerCore } from "../../src/broker/core/broker_core.ts";
import type { Connection } from "../../src/broker/core/connection.ts";
import type { BrokerLimits } from "../../src/broker/core/limits.ts";
import type { CoreHooks } from "../../src/broker/core/types.ts";

/** The packet object whose `type` can be `T`. */
export type PacketOf<T extends Packet["type"]> = Packet extends infer P
  ? P extends { type: infer U } ? T extends U ? P : never : never
  : never;

/** A core, its fake clock and its log. */
export class Harness {
  readonly core: BrokerCore;
  readonly log: string[] = [];
  now = 1_000_000;

  constructor(limits: BrokerLimits = {}, hooks: Omit<CoreHooks, "log"> = {}) {
    this.core = new BrokerCore(limits, {
      ...hooks,
      log: (level, message) => this.log.push(`${level}: ${message}`),
    });
  }

  /** A new connection that has sent nothing yet. */
  open(protocolVersion: ProtocolVersion = 5): FakeClient {
    return new FakeClient(this, protocolVersion);
  }

  /** Connects a client and checks that it was accepted; returns it with the CONNACK taken. */
  connect(
    clientId: string,
    options: Partial<Omit<ConnectPacket, "type">> = {},
  ): FakeClient & { connack: ConnackPacket } {
    const client = this.open(options.protocolVersion ?? 5);
    client.send({
      type: "connect",
      protocolVersion: client.version,
      clientId,
      clean: true,
      keepalive: 0,
      ...options,
    });
    const connack = client.expect("connack");
    assert.equal(connack.reasonCode, 0, `CONNACK of ${clientId}`);
    return Object.assign(client, { connack });
  }

  /** Moves the clock by `ms` and runs the core's timer if a deadline is due. */
  advance(ms: number): void {
    this.now += ms;
    const deadline = this.core.nextDeadline();
    if (deadline !== undefined && deadline <= this.now) this.core.timer(this.now);
  }
}

/** One fake client connection. */
export class FakeClient {
  readonly connection: Connection;
  readonly received: Packet[] = [];
  closed = false;
  #harness: Harness;
  version: ProtocolVersion;
  #nextId = 1;

  constructor(harness: Harness, version: ProtocolVersion) {
    this.#harness = harness;
    this.version = version;
    this.connection = harness.core.open({
      write: (bytes) => {
        assert.equal(this.closed, false, "a write after close");
        this.received.push(decodePacket(bytes, this.version));
      },
      close: () => (this.closed = true),
    }, harness.now);
  }

  /** Sends one packet (or raw bytes). */
  send(packet: Packet | Uint8Array): void {
    const bytes = packet instanceof Uint8Array ? packet : encodePacket(packet, this.version);
    this.connection.data(bytes, this.#harness.now);
  }

  /** Every packet received and not yet taken. */
  take(): Packet[] {
    return this.received.splice(0);
  }

  /** Takes the next packet, which must be of `type`. */
  expect<T extends Packet["type"]>(type: T): PacketOf<T> {
    const packet = this.received.shift();
    assert.equal(packet?.type, type, `expected ${type}, got ${JSON.stringify(packet)}`);
    return packet as PacketOf<T>;
  }

  /** Asserts nothing more was received. */
  expectNothing(): void {
    assert.deepEqual(this.received.map((p) => p.type), []);
  }

  /** Takes the DISCONNECT the core sent and checks it closed the connection. */
  expectDisconnect(reasonCode: number): void {
    const packet = this.expect("disconnect");
    assert.equal(packet.reasonCode, reasonCode, `DISCONNECT reason ${packet.reasonCode}`);
    assert.equal(this.closed, true, "closed after DISCONNECT");
  }

  /** Subscribes and returns the SUBACK's reason codes. */
  subscribe(
    filter: string | Subscription[],
    qos: QoS = 0,
    properties?: Properties,
  ): number[] {
    const subscriptions = typeof filter === "string" ? [{ topicFilter: filter, qos }] : filter;
    const packetId = this.#nextId++;
    this.send({
      type: "subscribe",
      packetId,
      subscriptions,
      ...(properties !== undefined && { properties }),
    });
    const suback = this.expect("suback");
    assert.equal(suback.packetId, packetId);
    return suback.reasonCodes;
  }

  /** Publishes (QoS 1 and 2 completed at once) and returns the PUBACK / PUBREC reason code. */
  publish(
    topic: string,
    payload: string,
    options: { qos?: QoS; retain?: boolean; properties?: Properties } = {},
  ): number | undefined {
    const qos = options.qos ?? 0;
    const packet: PublishPacket = {
      type: "publish",
      topic,
      payload: new TextEncoder().encode(payload),
      qos,
      retain: options.retain ?? false,
      dup: false,
      ...(qos > 0 && { packetId: this.#nextId++ }),
      ...(options.properties !== undefined && { properties: options.properties }),
    };
    this.send(packet);
    if (qos === 0) return undefined;
    const ack = this.expect(qos === 1 ? "puback" : "pubrec");
    if (qos === 2) {
      this.send({ type: "pubrel", packetId: packet.packetId!, reasonCode: 0 });
      this.expect("pubcomp");
    }
    return ack.reasonCode;
  }

  /** The PUBLISH packets received (taken), as `topic payload` strings. */
  messages(): string[] {
    return this.takePublishes().map((p) => `${p.topic} ${new TextDecoder().decode(p.payload)}`);
  }

  /** The PUBLISH packets received (taken); fails on any other packet. */
  takePublishes(): PublishPacket[] {
    const packets = this.take();
    for (const p of packets) assert.equal(p.type, "publish", JSON.stringify(p));
    return packets as PublishPacket[];
  }

  /** Acknowledges `publish` as a client does (PUBACK, or PUBREC then PUBCOMP after PUBREL). */
  ack(publish: PublishPacket): void {
    const packetId = publish.packetId!;
    if (publish.qos === 1) this.send({ type: "puback", packetId, reasonCode: 0 });
    if (publish.qos === 2) {
      this.send({ type: "pubrec", packetId, reasonCode: 0 });
      this.expect("pubrel");
      this.send({ type: "pubcomp", packetId, reasonCode: 0 });
    }
  }

  /** Sends a DISCONNECT (reason 0 unless given). */
  disconnect(reasonCode = 0, properties?: Properties): void {
    this.send({
      type: "disconnect",
      reasonCode,
      ...(properties !== undefined && { properties }),
    });
    assert.equal(this.closed, true);
  }

  /** The connection broke (no DISCONNECT). */
  drop(): void {
    this.closed = true;
    this.connection.closed(this.#harness.now);
  }
}
