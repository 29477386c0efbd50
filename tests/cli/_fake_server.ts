/**
 * A scripted MQTT server for the command line tests: a `node:net` listener on 127.0.0.1 that
 * splits what each client sends into packets (type and bytes) and lets the test answer them,
 * for what a real broker will not do on cue (hold back a PUBACK, drop the connection on a
 * PUBLISH), and records the first bytes a client sends (a TLS ClientHello starts 0x16 0x03).
 *
 * @module
 */

import * as net from "node:net";
import { PACKET_TYPE_NAMES } from "../../src/codec/constants.ts";
import type { PacketType } from "../../src/codec/types.ts";

/** A packet type as the tests name it: the codec's tag in capitals ("?" for type 0). */
type TypeName = Uppercase<PacketType> | "?";

/** Packet type names by the high nibble of the first byte. */
const TYPES: readonly TypeName[] = PACKET_TYPE_NAMES.map((name) =>
  name === undefined ? "?" : name.toUpperCase() as Uppercase<PacketType>
);

/** One packet a client sent. */
export interface Packet {
  type: TypeName;
  /** The whole packet, fixed header included. */
  bytes: Uint8Array;
  /** The bytes after the fixed header. */
  body: Uint8Array;
}

/** What a client of the {@link FakeServer} sent, and a way to answer it. */
export interface FakeConnection {
  readonly socket: net.Socket;
  /** The packets so far, in order. */
  readonly packets: Packet[];
  /** Every byte received so far. */
  readonly received: Uint8Array[];
}

/** A scripted server; `onPacket` answers each packet (the CONNECT included). */
export class FakeServer {
  readonly connections: FakeConnection[] = [];
  readonly #server: net.Server;
  #waiters: (() => void)[] = [];

  private constructor(
    server: net.Server,
    onPacket: (connection: FakeConnection, packet: Packet) => void,
  ) {
    this.#server = server;
    server.on("connection", (socket) => {
      const connection: FakeConnection = { socket, packets: [], received: [] };
      this.connections.push(connection);
      let buffer = new Uint8Array(0);
      socket.on("error", () => {});
      socket.on("data", (chunk: Uint8Array) => {
        connection.received.push(new Uint8Array(chunk));
        const joined = new Uint8Array(buffer.length + chunk.length);
        joined.set(buffer);
        joined.set(chunk, buffer.length);
        buffer = joined;
        for (let packet = split(buffer); packet !== undefined; packet = split(buffer)) {
          buffer = buffer.subarray(packet.bytes.length);
          connection.packets.push(packet);
          onPacket(connection, packet);
        }
        this.#wake();
      });
      socket.on("close", () => this.#wake());
      this.#wake();
    });
  }

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  static async listen(
    onPacket: (connection: FakeConnection, packet: Packet) => void,
    port = 0,
  ): Promise<FakeServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return new FakeServer(server, onPacket);
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Waits (at most `ms`) until `condition` holds; checked on every packet and connection. */
  async until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake server: no ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async close(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** The first whole packet of `buffer`, if it holds one. */
function split(buffer: Uint8Array): Packet | undefined {
  let length = 0;
  let multiplier = 1;
  for (let index = 1; index < 5; index++) {
    if (index >= buffer.length) return undefined;
    const byte = buffer[index]!;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) {
      const end = index + 1 + length;
      if (buffer.length < end) return undefined;
      return {
        type: TYPES[buffer[0]! >> 4]!,
        bytes: buffer.slice(0, end),
        body: buffer.slice(index + 1, end),
      };
    }
  }
  throw new Error("fake server: malformed remaining length");
}

/** A CONNACK accepting the session (MQTT 3.1.1 form, or MQTT 5 with no properties). */
export function connack(connect: Packet): Uint8Array {
  // The protocol level is after the protocol name (2-byte length + name).
  const nameLength = (connect.body[0]! << 8) | connect.body[1]!;
  const level = connect.body[2 + nameLength];
  return level === 5 ? Uint8Array.of(0x20, 3, 0, 0, 0) : Uint8Array.of(0x20, 2, 0, 0);
}

/** The packet identifier of a QoS 1/2 PUBLISH (after its topic). */
export function packetId(publish: Packet): number {
  const topicLength = (publish.body[0]! << 8) | publish.body[1]!;
  return (publish.body[2 + topicLength]! << 8) | publish.body[3 + topicLength]!;
}

/** A PUBACK (MQTT 3.1.1 form, which MQTT 5 accepts too) for `publish`. */
export function puback(publish: Packet): Uint8Array {
  const id = packetId(publish);
  return Uint8Array.of(0x40, 2, id >> 8, id & 0xff);
}
