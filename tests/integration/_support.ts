/**
 * Shared pieces of the integration suite: bounded waits, recorders for messages and connection
 * events, a client pool that always cleans up, and a TCP proxy that can sever or stall a
 * connection without the client's cooperation.
 *
 * Every wait here rejects after a timeout (10 s unless told); nothing sleeps and hopes.
 *
 * @module
 */

import * as net from "node:net";
import { after, before, it as nodeIt } from "node:test";
import { type ClientOptions, type Message, MqttClient, type ProtocolVersion } from "../../mod.ts";
import {
  type MosquittoBroker,
  type MosquittoOptions,
  startMosquitto,
} from "../_helpers/mosquitto.ts";

/** Generous bound for anything that should happen "soon" on a loopback broker. */
export const WAIT = 10_000;

/** True when running under Bun. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * `it` from node:test for tests that talk to a broker, given a 30 s limit so that the bounded
 * waits inside fail with their own message first (Bun's default limit is 5 s).
 */
export function it(name: string, fn: () => Promise<void>): void {
  nodeIt(name, { timeout: 30_000 }, fn);
}

/** Rejects with a message naming `what` if `promise` does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects items pushed by a callback and lets a test wait for a condition on them. */
export class Recorder<T> {
  /** Everything pushed so far, in order. */
  readonly items: T[] = [];
  #wake = new Set<() => void>();

  /** Appends an item and re-checks every pending wait. */
  push = (item: T): void => {
    this.items.push(item);
    for (const wake of [...this.#wake]) wake();
  };

  /** Resolves with the items once `predicate` holds for them; rejects after `ms`. */
  until(
    predicate: (items: readonly T[]) => boolean,
    what: string,
    ms = WAIT,
  ): Promise<readonly T[]> {
    if (predicate(this.items)) return Promise.resolve(this.items);
    let wake!: () => void;
    const done = new Promise<readonly T[]>((resolve) => {
      wake = () => {
        if (!predicate(this.items)) return;
        this.#wake.delete(wake);
        resolve(this.items);
      };
      this.#wake.add(wake);
    });
    return within(done, `${what} (have ${this.items.length})`, ms).finally(() => {
      this.#wake.delete(wake);
    });
  }

  /** Resolves once at least `n` items arrived. */
  count(n: number, what = `${n} items`, ms = WAIT): Promise<readonly T[]> {
    return this.until((items) => items.length >= n, what, ms);
  }

  /** Resolves with the first item (from index `from`) that satisfies `match`. */
  async find(match: (item: T) => boolean, what: string, from = 0, ms = WAIT): Promise<T> {
    const items = await this.until((all) => all.slice(from).some(match), what, ms);
    return items.slice(from).find(match) as T;
  }
}

/** A connection event seen by `onConnect` / `onDisconnect`. */
export type ConnectionEvent =
  | { kind: "connect"; sessionPresent: boolean; reconnect: boolean }
  | {
    kind: "disconnect";
    reasonCode: number;
    /** The reason code of the server's DISCONNECT, if it sent one. */
    packetReasonCode: number | undefined;
    error: unknown;
    willReconnect: boolean;
  };

/** A client with its message inbox and connection events, recorded from before it connected. */
export interface TestClient {
  client: MqttClient;
  inbox: Recorder<Message>;
  events: Recorder<ConnectionEvent>;
}

/** Creates clients with recorders attached and disconnects all of them in `closeAll()`. */
export class ClientPool {
  #clients: MqttClient[] = [];

  /** Creates a client, attaches recorders (before connecting, so nothing is missed). */
  create(url: string, options: ClientOptions = {}): TestClient {
    const client = new MqttClient({ ...options, url });
    const inbox = new Recorder<Message>();
    const events = new Recorder<ConnectionEvent>();
    client.onMessage = ({ message }) => inbox.push(message);
    client.onConnect = ({ sessionPresent, reconnect }) =>
      events.push({ kind: "connect", sessionPresent, reconnect });
    client.onDisconnect = ({ reasonCode, packet, error, willReconnect }) =>
      events.push({
        kind: "disconnect",
        reasonCode,
        packetReasonCode: packet?.reasonCode,
        error,
        willReconnect,
      });
    this.#clients.push(client);
    return { client, inbox, events };
  }

  /** Creates a client and waits for its first CONNACK. */
  async open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const created = this.create(url, options);
    await within(created.client.connect(), `${options.clientId ?? "a client"} to connect`);
    return created;
  }

  /** Registers a client made elsewhere (e.g. with `connect()`) for cleanup. */
  track<C extends MqttClient>(client: C): C {
    this.#clients.push(client);
    return client;
  }

  /** Disconnects every client (errors ignored: some are already gone by design). */
  async closeAll(): Promise<void> {
    const clients = this.#clients.splice(0);
    await Promise.all(
      clients.map((client) => within(client.disconnect(), "disconnect", 5_000).catch(() => {})),
    );
  }
}

/**
 * Shows that nothing more is on its way to `receiver` on `topic`: `publisher` sends a plain
 * "fence" message there and this waits for it (the broker forwards in order, so whatever was
 * due before it has arrived). Resolves with every payload `receiver` got so far, as text.
 */
export async function fence(
  publisher: MqttClient,
  receiver: TestClient,
  topic: string,
): Promise<string[]> {
  const from = receiver.inbox.items.length;
  await publisher.publish(topic, "fence", { qos: 1 });
  await receiver.inbox.find((m) => text(m.payload) === "fence", `the fence on ${topic}`, from);
  return receiver.inbox.items.map((m) => text(m.payload));
}

/** Deterministic bytes 0..255 repeating, offset by `seed`. */
export function pattern(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + seed) & 0xff;
  return bytes;
}

/** UTF-8 decode. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** UTF-8 encode. */
export function utf8(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

let topicCounter = 0;

/** A topic unique within this process, so tests in one file never see each other's messages. */
export function uniqueTopic(name: string): string {
  return `korero-it/${name}/${++topicCounter}`;
}

/**
 * A TCP relay between the client and the broker. It can `sever()` every relayed connection
 * (both ends destroyed, no DISCONNECT: the broker sees an abrupt close, as after a crash),
 * `stall()` them (the broker's bytes are held, as if it hung, while the client's still go
 * through) until `resume()`, or `refuse()` new connections.
 */
export class TcpProxy {
  #server: net.Server;
  #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  #stalled = false;
  #refusing = false;
  /** Connections accepted so far. */
  readonly accepted = new Recorder<number>();
  /** Bytes relayed from clients to the broker so far. */
  bytesUp = 0;
  /** The chunks relayed from clients to the broker, as they were read. */
  readonly chunksUp = new Recorder<Uint8Array>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  /** Listens on a free 127.0.0.1 port and relays to `host:port`. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server);
    server.on("connection", (client) => proxy.#relay(client, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  /** The port clients should connect to. */
  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Connections currently relayed. */
  get open(): number {
    return this.#pairs.size;
  }

  #relay(client: net.Socket, host: string, port: number): void {
    if (this.#refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    if (this.#stalled) upstream.pause();
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Uint8Array) => {
      this.bytesUp += chunk.length;
      this.chunksUp.push(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
    this.accepted.push(this.accepted.items.length + 1);
  }

  /** Destroys every relayed connection at once, on both sides. */
  sever(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Holds everything the broker sends (existing and new connections) until `resume()`. */
  stall(): void {
    this.#stalled = true;
    for (const { upstream } of this.#pairs) upstream.pause();
  }

  /** Relays the broker's bytes again after `stall()`. */
  resume(): void {
    this.#stalled = false;
    for (const { upstream } of this.#pairs) upstream.resume();
  }

  /** Closes new connections as soon as they are accepted (`true`), or relays them again. */
  refuse(refusing: boolean): void {
    this.#refusing = refusing;
  }

  /** Severs everything and stops listening. */
  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Options of {@link useBroker}: the broker's, plus `proxy` to put a {@link TcpProxy} in front. */
export interface BrokerSuiteOptions extends MosquittoOptions {
  proxy?: boolean;
}

/** A broker for one `describe` block, with a pool of clients that are closed after it. */
export class BrokerSuite {
  /** Clients opened by the suite's tests; all disconnected after the suite. */
  readonly pool: ClientPool = new ClientPool();
  #broker: MosquittoBroker | undefined;
  #proxy: TcpProxy | undefined;

  /** The running broker (available inside tests). */
  get broker(): MosquittoBroker {
    if (this.#broker === undefined) throw new Error("The suite's broker has not started");
    return this.#broker;
  }

  /** `mqtt://` URL of the broker's plain listener. */
  get url(): string {
    return `mqtt://${this.broker.host}:${this.broker.port}`;
  }

  /** The TCP proxy in front of the broker (when asked for with `{ proxy: true }`). */
  get proxy(): TcpProxy {
    if (this.#proxy === undefined) {
      throw new Error("The suite has no proxy: useBroker({ proxy: true })");
    }
    return this.#proxy;
  }

  /** `mqtt://` URL of the proxy, for clients whose connection a test cuts or stalls. */
  get proxiedUrl(): string {
    return `mqtt://127.0.0.1:${this.proxy.port}`;
  }

  /** Starts the broker, and the proxy if asked (called from `before`). */
  async start(options: BrokerSuiteOptions): Promise<void> {
    const { proxy, ...broker } = options;
    this.#broker = await startMosquitto(broker);
    if (proxy === true) this.#proxy = await TcpProxy.start(this.#broker.host, this.#broker.port);
  }

  /** Disconnects the pool's clients, closes the proxy, stops the broker (called from `after`). */
  async stop(): Promise<void> {
    await this.pool.closeAll();
    await this.#proxy?.close();
    await this.#broker?.stop();
  }
}

/**
 * Starts a Mosquitto before the enclosing `describe` block and, after it, disconnects the
 * pool's clients and stops the broker. Call it at the top of the `describe` callback.
 */
export function useBroker(options: BrokerSuiteOptions = {}): BrokerSuite {
  const suite = new BrokerSuite();
  before(() => suite.start(options));
  after(() => suite.stop());
  return suite;
}

/** Options of a client that keeps its session (for a minute on MQTT 5). */
export function persistent(protocolVersion: ProtocolVersion, clientId: string): ClientOptions {
  return {
    protocolVersion,
    clientId,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
  };
}
