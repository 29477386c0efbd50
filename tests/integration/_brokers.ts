/**
 * The brokers the client scenarios run against: a real Mosquitto, and korero's embedded broker
 * reached over TCP and in memory. {@link eachBroker} declares a `describe` block once per broker,
 * each with its own broker started before the block and stopped after it, so one scenario shows
 * the client working with Mosquitto and the embedded broker behaving as Mosquitto does.
 *
 * ```ts ignore
 * eachBroker("MqttClient QoS delivery", {}, (suite) => {
 *   it("…", async () => {
 *     const a = await suite.open({ protocolVersion: 5 });
 *   });
 * });
 * ```
 *
 * @module
 */

import { after, before, describe } from "node:test";
import type { ClientOptions } from "../../mod.ts";
import { type Broker, type BrokerOptions, startBroker } from "../../src/broker/mod.ts";
import {
  BrokerSuite,
  type BrokerSuiteOptions,
  ClientPool,
  TcpProxy,
  type TestClient,
} from "./_support.ts";

/** A broker of the scenarios: Mosquitto, or the embedded broker over TCP or in memory. */
export type BrokerKind = "mosquitto" | "embedded" | "embedded in memory";

/** Every {@link BrokerKind}. */
export const ALL_BROKERS: readonly BrokerKind[] = ["mosquitto", "embedded", "embedded in memory"];

/** The brokers reached over TCP (a {@link TcpProxy} can stand in front of them). */
export const TCP_BROKERS: readonly BrokerKind[] = ["mosquitto", "embedded"];

const LABELS: Record<BrokerKind, string> = {
  mosquitto: "Mosquitto",
  embedded: "the embedded broker over TCP",
  "embedded in memory": "the embedded broker in memory",
};

/** One `describe` block's broker, as the scenarios use it. */
export interface ScenarioSuite {
  readonly kind: BrokerKind;
  /** Clients opened by the block's tests; all disconnected after the block. */
  readonly pool: ClientPool;
  /** The broker's URL. */
  readonly url: string;
  /** The broker's TCP port (not for "embedded in memory"). */
  readonly port: number;
  /** The proxy in front of the broker, with `proxy: true`. */
  readonly proxy: TcpProxy;
  /** `mqtt://` URL of the proxy. */
  readonly proxiedUrl: string;
  /** Opens a client reaching the broker; waits for its CONNACK. */
  open(options?: ClientOptions): Promise<TestClient>;
  /** Creates a client reaching the broker, not connected yet. */
  create(options?: ClientOptions): TestClient;
}

/** What {@link eachBroker} starts. */
export interface ScenarioOptions {
  /** The brokers to run on (default: {@link ALL_BROKERS}). */
  kinds?: readonly BrokerKind[];
  /** A {@link TcpProxy} in front of the broker (TCP brokers only). */
  proxy?: boolean;
  /** Mosquitto's options, or a function (run before the block) that makes them. */
  mosquitto?: BrokerSuiteOptions | (() => BrokerSuiteOptions);
  /** The embedded broker's options. */
  embedded?: BrokerOptions;
}

/** Declares `describe("<title> (<broker>)")` for each broker of `options.kinds`, running `body`. */
export function eachBroker(
  title: string,
  options: ScenarioOptions,
  body: (suite: ScenarioSuite) => void,
): void {
  for (const kind of options.kinds ?? ALL_BROKERS) {
    describe(`${title} (${LABELS[kind]})`, () => body(useScenarioBroker(kind, options)));
  }
}

/** Starts the broker of `kind` before the enclosing `describe` block and stops it after. */
function useScenarioBroker(kind: BrokerKind, options: ScenarioOptions): ScenarioSuite {
  const proxy = options.proxy ?? false;
  if (kind === "mosquitto") {
    const suite = new BrokerSuite();
    const mosquitto = options.mosquitto;
    before(() =>
      suite.start({ ...(typeof mosquitto === "function" ? mosquitto() : mosquitto), proxy })
    );
    after(() => suite.stop());
    return {
      kind,
      pool: suite.pool,
      get url() {
        return suite.url;
      },
      get port() {
        return suite.broker.port;
      },
      get proxy() {
        return suite.proxy;
      },
      get proxiedUrl() {
        return suite.proxiedUrl;
      },
      open: (clientOptions = {}) => suite.pool.open(suite.url, clientOptions),
      create: (clientOptions = {}) => suite.pool.create(suite.url, clientOptions),
    };
  }
  if (proxy && kind === "embedded in memory") {
    throw new Error("A proxy needs a TCP broker: pass kinds: TCP_BROKERS");
  }
  const suite = new EmbeddedSuite(kind);
  before(() => suite.start(options.embedded ?? {}, proxy));
  after(() => suite.stop());
  return suite;
}

/** The embedded broker of one `describe` block. */
class EmbeddedSuite implements ScenarioSuite {
  readonly kind: BrokerKind;
  readonly pool: ClientPool = new ClientPool();
  #broker: Broker | undefined;
  #proxy: TcpProxy | undefined;

  constructor(kind: BrokerKind) {
    this.kind = kind;
  }

  get #running(): Broker {
    if (this.#broker === undefined) throw new Error("The suite's broker has not started");
    return this.#broker;
  }

  get url(): string {
    return this.#running.url;
  }

  get port(): number {
    return this.#running.port;
  }

  get proxy(): TcpProxy {
    if (this.#proxy === undefined) throw new Error("The suite has no proxy: pass proxy: true");
    return this.#proxy;
  }

  get proxiedUrl(): string {
    return `mqtt://127.0.0.1:${this.proxy.port}`;
  }

  open(options: ClientOptions = {}): Promise<TestClient> {
    return this.pool.open(this.url, this.#reach(options));
  }

  create(options: ClientOptions = {}): TestClient {
    return this.pool.create(this.url, this.#reach(options));
  }

  /** In memory, clients connect through the broker's own transport. */
  #reach(options: ClientOptions): ClientOptions {
    return this.kind === "embedded in memory"
      ? { ...options, transport: this.#running.opener }
      : options;
  }

  async start(options: BrokerOptions, proxy: boolean): Promise<void> {
    const tcp = this.kind === "embedded";
    this.#broker = await startBroker({ port: 0, ...options, tcp });
    if (proxy) this.#proxy = await TcpProxy.start("127.0.0.1", this.#broker.port);
  }

  async stop(): Promise<void> {
    await this.pool.closeAll();
    await this.#proxy?.close();
    await this.#broker?.close();
  }
}
