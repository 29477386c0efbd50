/**
 * The integration suite's helpers pointed at the embedded broker: {@link useEmbeddedBroker}
 * starts one before a `describe` block (reached over TCP, or in memory) with a client pool that
 * is closed after it, and a {@link TcpProxy} in front for tests that cut connections.
 *
 * @module
 */

import { after, before } from "node:test";
import type { ClientOptions } from "../../mod.ts";
import { type Broker, type BrokerOptions, startBroker } from "../../src/broker/mod.ts";
import { ClientPool, TcpProxy, type TestClient } from "../integration/_support.ts";

/** How clients reach the broker. */
export type Reach = "tcp" | "memory";

/** The embedded broker of one `describe` block. */
export class EmbeddedSuite {
  /** Clients opened by the tests; all disconnected after the block. */
  readonly pool: ClientPool = new ClientPool();
  readonly reach: Reach;
  #broker: Broker | undefined;
  #proxy: TcpProxy | undefined;

  constructor(reach: Reach) {
    this.reach = reach;
  }

  /** The running broker. */
  get broker(): Broker {
    if (this.#broker === undefined) throw new Error("The suite's broker has not started");
    return this.#broker;
  }

  /** The broker's URL. */
  get url(): string {
    return this.broker.url;
  }

  /** The proxy in front of the TCP listener. */
  get proxy(): TcpProxy {
    if (this.#proxy === undefined) throw new Error("The suite has no proxy");
    return this.#proxy;
  }

  /** `mqtt://` URL of the proxy. */
  get proxiedUrl(): string {
    return `mqtt://127.0.0.1:${this.proxy.port}`;
  }

  /** Opens a client reaching the broker the suite's way; waits for CONNACK. */
  open(options: ClientOptions = {}): Promise<TestClient> {
    return this.pool.open(this.url, this.#with(options));
  }

  /** Creates a client reaching the broker the suite's way, not connected yet. */
  create(options: ClientOptions = {}): TestClient {
    return this.pool.create(this.url, this.#with(options));
  }

  #with(options: ClientOptions): ClientOptions {
    return this.reach === "memory" ? { ...options, transport: this.broker.opener } : options;
  }

  async start(options: BrokerOptions, proxy: boolean): Promise<void> {
    this.#broker = await startBroker({ port: 0, ...options, tcp: this.reach === "tcp" });
    if (proxy) this.#proxy = await TcpProxy.start("127.0.0.1", this.#broker.port);
  }

  async stop(): Promise<void> {
    await this.pool.closeAll();
    await this.#proxy?.close();
    await this.#broker?.close();
  }
}

/** Starts an embedded broker before the enclosing `describe` block and stops it after. */
export function useEmbeddedBroker(
  reach: Reach = "tcp",
  options: BrokerOptions & { proxy?: boolean } = {},
): EmbeddedSuite {
  const { proxy = false, ...brokerOptions } = options;
  const suite = new EmbeddedSuite(reach);
  before(() => suite.start(brokerOptions, proxy));
  after(() => suite.stop());
  return suite;
}
