/**
 * A TCP relay between a client and a broker, for fault injection: it passes bytes through, or
 * black-holes them, stalls them or cuts the connections, and it can decode what it forwards so a
 * test can tell what the broker sent from what the client delivered.
 *
 * - `pass()`: bytes flow both ways (with backpressure). A side that closes has what was already
 *   read flushed to the other side, which is then closed gracefully: nothing the relay read from
 *   the broker is lost on the way to the client.
 * - `blackHole()`: every connection (and every new one) accepts bytes in both directions and
 *   forwards none, and closes are not passed on either — as a link whose packets vanish. The
 *   bytes are gone, so a black-holed connection stays black-holed after `pass()`; new
 *   connections relay again.
 * - `stall()`: the relay stops reading from both sides (TCP flow control then holds both
 *   peers); `pass()` resumes the connections and nothing is lost.
 * - `cut()`: destroys every relayed connection on both sides at once (no DISCONNECT; the peers
 *   see an abrupt close).
 * - `refuse(true)`: new connections are closed as soon as they are accepted.
 *
 * With `capture`, each direction of each connection is decoded (korero's `PacketDecoder`; the
 * version comes from the client's CONNECT) and every packet is reported with whether the relay
 * forwarded it or dropped it (black hole).
 *
 * Only `node:net`, so it runs on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * const relay = await Relay.start({ port: broker.port, capture: true });
 * const client = await connect(relay.url, { keepalive: 1 });
 * relay.blackHole();
 * // … the client notices within its keepalive …
 * relay.pass();
 * const sent = relay.packets.filter((p) => p.direction === "toClient" && p.forwarded);
 * await relay.close();
 * ```
 * @module
 */

import * as net from "node:net";
import { PacketDecoder } from "../../src/codec/mod.ts";
import type { Packet } from "../../src/codec/types.ts";

/** What the relay does with the bytes of its connections. */
export type RelayMode = "pass" | "blackhole" | "stall";

/** Which way a packet went: from the client to the broker or back. */
export type Direction = "toBroker" | "toClient";

/** A packet seen by a capturing relay. */
export interface CapturedPacket {
  /** The relayed connection (1 for the first one accepted). */
  connection: number;
  direction: Direction;
  packet: Packet;
  /** False when the relay dropped it (black hole). */
  forwarded: boolean;
  /** `Date.now()` when its last byte was read. */
  at: number;
}

/** Options of {@link Relay.start}. */
export interface RelayOptions {
  /** The broker's host (default 127.0.0.1). */
  host?: string;
  /** The broker's port. */
  port: number;
  /** Decode both directions; keep the packets in `packets` (default false). */
  capture?: boolean;
  /** Called for every captured packet (implies `capture`), e.g. to count without keeping. */
  onPacket?: (packet: CapturedPacket) => void;
}

/** The largest packet the capture decodes (the protocol's maximum). */
const MAX_PACKET = 268_435_460;

interface Pair {
  id: number;
  client: net.Socket;
  upstream: net.Socket | undefined;
  state: RelayMode;
  clientClosed: boolean;
  upstreamClosed: boolean;
  decoders: Record<Direction, PacketDecoder> | undefined;
}

/** A TCP relay on 127.0.0.1 in front of a broker; see the module documentation. */
export class Relay {
  /** Every captured packet, in the order read (with `capture`). */
  readonly packets: CapturedPacket[] = [];
  /** Decoding failures of the capture (malformed streams), per connection and direction. */
  readonly captureErrors: { connection: number; direction: Direction; error: unknown }[] = [];
  /** Bytes relayed (or dropped) so far, per direction. */
  readonly bytes: Record<Direction, number> = { toBroker: 0, toClient: 0 };
  /** Bytes dropped so far: by the black hole, or read for a side that had closed. */
  dropped = 0;
  /** Sockets (either side of any connection) the relay saw close so far. */
  socketsClosed = 0;
  #server: net.Server;
  #host: string;
  #port: number;
  #capture: boolean;
  #keep: boolean;
  #onPacket: ((packet: CapturedPacket) => void) | undefined;
  #pairs = new Set<Pair>();
  #mode: RelayMode = "pass";
  #refusing = false;
  #accepted = 0;
  #waiters = new Set<() => void>();

  private constructor(server: net.Server, options: RelayOptions) {
    this.#server = server;
    this.#host = options.host ?? "127.0.0.1";
    this.#port = options.port;
    this.#onPacket = options.onPacket;
    this.#keep = options.capture === true;
    this.#capture = this.#keep || options.onPacket !== undefined;
  }

  /** Listens on a free 127.0.0.1 port and relays to `options.host:options.port`. */
  static async start(options: RelayOptions): Promise<Relay> {
    const server = net.createServer();
    const relay = new Relay(server, options);
    server.on("connection", (client) => relay.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return relay;
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** `mqtt://127.0.0.1:<port>`. */
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** The mode new connections get. */
  get mode(): RelayMode {
    return this.#mode;
  }

  /** Connections accepted so far (refused ones included). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Connections currently held (relayed, black-holed or stalled). */
  get open(): number {
    return this.#pairs.size;
  }

  /** Relays again: stalled connections resume; black-holed ones stay so; new ones relay. */
  pass(): void {
    this.#mode = "pass";
    for (const pair of this.#pairs) {
      if (pair.state !== "stall") continue;
      pair.state = "pass";
      pair.client.resume();
      pair.upstream?.resume();
    }
  }

  /** Drops every byte from now on, both directions, on every connection and new ones. */
  blackHole(): void {
    this.#mode = "blackhole";
    for (const pair of this.#pairs) {
      pair.state = "blackhole";
      pair.client.resume();
      pair.upstream?.resume();
    }
  }

  /** Stops reading from both sides of every connection (and of new ones) until `pass()`. */
  stall(): void {
    this.#mode = "stall";
    for (const pair of this.#pairs) {
      if (pair.state === "blackhole") continue;
      pair.state = "stall";
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  /** Destroys every connection on both sides at once. */
  cut(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.#pairs.clear();
    this.#wake();
  }

  /** Closes new connections as soon as they are accepted (`true`), or relays them again. */
  refuse(refusing: boolean): void {
    this.#refusing = refusing;
  }

  /** Resolves once `condition()` holds (checked on every relay event); rejects after `ms`. */
  until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  /** Cuts everything and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #accept(client: net.Socket): void {
    const id = ++this.#accepted;
    if (this.#refusing) {
      client.destroy();
      this.#wake();
      return;
    }
    const pair: Pair = {
      id,
      client,
      upstream: undefined,
      state: this.#mode,
      clientClosed: false,
      upstreamClosed: false,
      decoders: this.#capture
        ? {
          toBroker: new PacketDecoder({ protocolVersion: 4, maximumPacketSize: MAX_PACKET }),
          toClient: new PacketDecoder({ protocolVersion: 4, maximumPacketSize: MAX_PACKET }),
        }
        : undefined,
    };
    this.#pairs.add(pair);
    client.setNoDelay(true);
    // A connection accepted into a black hole never reaches the broker.
    if (pair.state !== "blackhole") {
      const upstream = net.connect(this.#port, this.#host);
      upstream.setNoDelay(true);
      pair.upstream = upstream;
      this.#wire(pair, upstream, client, "toClient");
    } else {
      pair.upstreamClosed = true;
    }
    this.#wire(pair, client, pair.upstream, "toBroker");
    if (pair.state === "stall") {
      client.pause();
      pair.upstream?.pause();
    }
    this.#wake();
  }

  /** Moves bytes from `from` to `to` (when the pair passes), decoding them with `capture`. */
  #wire(pair: Pair, from: net.Socket, to: net.Socket | undefined, direction: Direction): void {
    const fromClient = direction === "toBroker";
    from.on("data", (chunk: Uint8Array) => {
      this.bytes[direction] += chunk.length;
      // Bytes for a side that already closed are not forwarded either.
      const forwarded = pair.state !== "blackhole" && to !== undefined && to.writable;
      if (this.#capture) this.#decode(pair, direction, chunk, forwarded);
      if (!forwarded) {
        this.dropped += chunk.length;
      } else if (!to.write(chunk) && pair.state === "pass") {
        from.pause();
        to.once("drain", () => {
          if (pair.state === "pass") from.resume();
        });
      }
      this.#wake();
    });
    let seen = false;
    const closed = () => {
      if (!seen) this.socketsClosed++;
      seen = true;
      if (fromClient) pair.clientClosed = true;
      else pair.upstreamClosed = true;
      // Passing on a close is passing on information: a black hole or a stall does not.
      if (pair.state === "pass" && to !== undefined && !to.destroyed) to.end();
      if (pair.clientClosed && pair.upstreamClosed) this.#pairs.delete(pair);
      this.#wake();
    };
    from.on("end", closed);
    from.on("close", closed);
    from.on("error", () => {}); // "close" follows
  }

  #decode(pair: Pair, direction: Direction, chunk: Uint8Array, forwarded: boolean): void {
    const decoders = pair.decoders;
    if (decoders === undefined) return;
    const decoder = decoders[direction];
    let packets: Packet[];
    try {
      // The decoder keeps views into the chunk; the socket may reuse its memory.
      packets = decoder.push(new Uint8Array(chunk));
    } catch (error) {
      // A failed decoder throws again on every push: report the first failure only.
      if (!this.captureErrors.some((e) => e.connection === pair.id && e.direction === direction)) {
        this.captureErrors.push({ connection: pair.id, direction, error });
      }
      return;
    }
    const at = Date.now();
    for (const packet of packets) {
      if (packet.type === "connect") decoders.toClient.protocolVersion = packet.protocolVersion;
      const captured: CapturedPacket = { connection: pair.id, direction, packet, forwarded, at };
      if (this.#keep) this.packets.push(captured);
      this.#onPacket?.(captured);
    }
  }
}
