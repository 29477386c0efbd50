/**
 * A scripted fake broker over the in-memory transport. A test awaits the packets the client
 * sends (`expect`), sends packets or raw bytes back (`send`), and drops or closes connections,
 * so it can play scenarios a real broker will not: malformed packets, unknown packet ids, a
 * broker exceeding our Receive Maximum, a connection lost in the middle of a QoS 2 flow.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodePacket, PacketDecoder } from "../../src/codec/mod.ts";
import type {
  ConnackPacket,
  Packet,
  PacketType,
  Properties,
  ProtocolVersion,
} from "../../src/codec/types.ts";
import { type MemoryConnection, memoryPair } from "../../src/transport/memory.ts";
import type { TransportOpener } from "../../src/transport/types.ts";
import { type Clock, manualClock } from "../../src/client/clock.ts";
import { MqttClient } from "../../src/client/client.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import type { ConnectEvent, ConnectFailEvent, DisconnectEvent } from "../../src/client/events.ts";

/** How long `expect` waits (real time) before failing the test instead of hanging it. */
const EXPECT_LIMIT_MS = 2000;

/** Lets every queued microtask and pending I/O callback run. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The broker side of one connection the client opened. */
export class BrokerConnection {
  readonly memory: MemoryConnection;
  /** Every packet the client sent on this connection, in order. */
  readonly received: Packet[] = [];
  /** How many transport writes (chunks) the client made. */
  writes = 0;
  /** Set when the client's bytes could not be decoded. */
  decodeError: unknown;
  #version: ProtocolVersion;
  #decoder: PacketDecoder;
  #next = 0;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(memory: MemoryConnection, version: ProtocolVersion) {
    this.memory = memory;
    this.#version = version;
    this.#decoder = new PacketDecoder({ protocolVersion: version });
    memory.onData = (bytes) => {
      this.writes++;
      try {
        for (const packet of this.#decoder.push(bytes)) this.received.push(packet);
      } catch (error) {
        this.decodeError = error;
      }
      this.#wake?.();
    };
    memory.onClose = () => {
      this.#closed = true;
      this.#wake?.();
    };
  }

  /** Whether the client closed this connection. */
  get clientClosed(): boolean {
    return this.#closed;
  }

  /** Packets received and not yet taken by `expect`. */
  get unread(): Packet[] {
    return this.received.slice(this.#next);
  }

  /** Resolves with the next packet the client sends, which must be of type `type`. */
  async expect<T extends PacketType>(type: T): Promise<Extract<Packet, { type: T }>> {
    const packet = await this.next();
    assert.equal(packet.type, type, `expected ${type}, got ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { type: T }>;
  }

  /** Resolves with the next packet the client sends. */
  async next(): Promise<Packet> {
    const started = Date.now();
    while (this.#next >= this.received.length) {
      if (this.decodeError !== undefined) throw this.decodeError;
      if (this.#closed) throw new Error("The client closed the connection");
      if (Date.now() - started > EXPECT_LIMIT_MS) throw new Error("No packet from the client");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 10);
      });
    }
    return this.received[this.#next++]!;
  }

  /** Asserts that the client sent nothing more (after letting pending work run). */
  async expectNothing(): Promise<void> {
    await settle();
    assert.deepEqual(this.unread, []);
  }

  /** Resolves when the client closed the connection. */
  async closedByClient(): Promise<void> {
    const started = Date.now();
    while (!this.#closed) {
      if (Date.now() - started > EXPECT_LIMIT_MS) throw new Error("The client did not close");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 10);
      });
    }
  }

  /** Sends a packet (encoded for the connection's version) or raw bytes. */
  send(packet: Packet | Uint8Array): void {
    this.memory.write(packet instanceof Uint8Array ? packet : encodePacket(packet, this.#version));
  }

  /** Sends a CONNACK (success unless `reasonCode` says otherwise). */
  connack(fields: Partial<Omit<ConnackPacket, "type">> = {}): void {
    this.send({ type: "connack", sessionPresent: false, reasonCode: 0, ...fields });
  }

  /** Reads the CONNECT and answers it with a CONNACK. */
  async accept(fields: Partial<Omit<ConnackPacket, "type">> = {}): Promise<Packet> {
    const connect = await this.expect("connect");
    this.connack(fields);
    return connect;
  }

  /** Breaks the connection abruptly (the client sees an error). */
  drop(error?: Error): void {
    this.memory.drop(error);
  }

  /** Closes the connection cleanly from the broker side. */
  close(): void {
    this.memory.close();
  }
}

/** A fake broker: hands out a {@link BrokerConnection} for every connection the client opens. */
export class FakeBroker {
  readonly opener: TransportOpener;
  readonly connections: BrokerConnection[] = [];
  /** When set, connection attempts fail with this error. */
  refuseWith: Error | undefined;
  #version: ProtocolVersion;
  #wake: (() => void) | undefined;
  #taken = 0;

  constructor(version: ProtocolVersion = 4) {
    this.#version = version;
    const { opener, server } = memoryPair();
    this.opener = opener;
    server.onOpen = () => this.refuseWith;
    server.onConnection = (memory) => {
      this.connections.push(new BrokerConnection(memory, this.#version));
      this.#wake?.();
    };
  }

  /** Resolves with the next connection the client opens. */
  async nextConnection(): Promise<BrokerConnection> {
    const started = Date.now();
    while (this.#taken >= this.connections.length) {
      if (Date.now() - started > EXPECT_LIMIT_MS) throw new Error("The client did not connect");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 10);
      });
    }
    return this.connections[this.#taken++]!;
  }
}

/** A client connected to a fake broker, on a manual clock. */
export interface Connected {
  client: MqttClient;
  broker: FakeBroker;
  conn: BrokerConnection;
  clock: Clock & { advance(ms: number): void };
  connect: Packet;
}

/**
 * Creates a client on a fake broker and a manual clock (reconnect off unless `options` says
 * otherwise), connects it and answers CONNECT with a CONNACK.
 */
export async function connectedClient(
  options: ClientOptions = {},
  connack: Partial<Omit<ConnackPacket, "type">> & { properties?: Properties } = {},
): Promise<Connected> {
  const broker = new FakeBroker(options.protocolVersion ?? 4);
  const clock = manualClock(0);
  const client = new MqttClient({
    transport: broker.opener,
    clock,
    reconnect: false,
    clientId: "test",
    ...options,
  });
  const connecting = client.connect();
  const conn = await broker.nextConnection();
  const connect = await conn.accept(connack);
  await connecting;
  return { client, broker, conn, clock, connect };
}

/**
 * A client on a fake broker and a manual clock (reconnect off unless `options` says otherwise),
 * not connected yet, with its connection events recorded (and, in `log`, as short lines).
 */
export function recordedClient(options: ClientOptions = {}) {
  const broker = new FakeBroker(options.protocolVersion ?? 4);
  const clock = manualClock();
  const client = new MqttClient({
    transport: broker.opener,
    clock,
    clientId: "c",
    reconnect: false,
    ...options,
  });
  const log: string[] = [];
  const connects: ConnectEvent[] = [];
  const fails: ConnectFailEvent[] = [];
  const disconnects: DisconnectEvent[] = [];
  client.onConnect = (event) => (connects.push(event), log.push(`connect ${event.reasonCode}`));
  client.onConnectFail = (event) => (fails.push(event), log.push(`fail ${event.willReconnect}`));
  client.onDisconnect = (event) => disconnects.push(event);
  return { broker, clock, client, log, connects, fails, disconnects };
}
