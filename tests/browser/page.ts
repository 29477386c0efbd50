/**
 * The page side of the browser test (`run_chromium.ts`): bundled for the browser with korero,
 * it puts `koreroChecks` on `globalThis`; the test calls each check with `page.evaluate` and
 * asserts on the plain data it returns. Nothing here asserts: a check reports what happened.
 *
 * @module
 */

import {
  connect,
  ConnectionClosedError,
  ConnectionRefusedError,
  IndexedDbStore,
  MalformedPacketError,
  MqttClient,
  MqttError,
  payloadText,
  ProtocolError,
  type QoS,
  QueueFullError,
  TimeoutError,
} from "../../mod.ts";
import { readyLoop, type ReadyLoopResult } from "../_helpers/ready_loop.ts";

/** What a rejected promise or thrown call gave. */
export interface Failure {
  /** `error.name`. */
  name: string;
  /** `error.message`. */
  message: string;
  /** `error.constructor.name` (minified unless the class sets it). */
  constructorName: string;
  /** Whether it is an `MqttError`. */
  isMqttError: boolean;
  /** The class it is an instance of, among korero's errors (found with `instanceof`). */
  koreroClass: string | undefined;
}

/** korero's error classes, by the name each should keep in a minified bundle. */
const ERROR_CLASSES = {
  MqttError,
  MalformedPacketError,
  ProtocolError,
  ConnectionRefusedError,
  ConnectionClosedError,
  TimeoutError,
  QueueFullError,
};

function failure(error: unknown): Failure {
  const e = error instanceof Error ? error : new Error(String(error));
  // The most derived class first: MqttError last.
  const koreroClass = Object.entries(ERROR_CLASSES).reverse()
    .find(([, type]) => e instanceof type)?.[0];
  return {
    name: e.name,
    message: e.message,
    constructorName: e.constructor.name,
    isMqttError: e instanceof MqttError,
    koreroClass,
  };
}

/** Runs `attempt`, expecting it to fail; reports the failure, or `undefined` if it succeeded. */
async function failureOf(attempt: () => Promise<unknown>): Promise<Failure | undefined> {
  try {
    await attempt();
    return undefined;
  } catch (error) {
    return failure(error);
  }
}

/** The checks the browser test runs in the page. */
const koreroChecks = {
  /**
   * Connects to `url`, subscribes at QoS 2, publishes one message at each QoS, and returns what
   * arrived as `[topic, payload, qos]`, in order of arrival.
   */
  async roundTrip(url: string, topic: string): Promise<[string, string, number][]> {
    const client = await connect(url, { protocolVersion: 5, reconnect: false });
    const received: [string, string, number][] = [];
    let wake = () => {};
    client.onMessage = ({ message }) => {
      received.push([message.topic, payloadText(message), message.qos]);
      wake();
    };
    await client.subscribe(topic, { qos: 2 });
    for (const qos of [0, 1, 2] as QoS[]) await client.publish(topic, `qos ${qos}`, { qos });
    while (received.length < 3) await new Promise<void>((resolve) => (wake = resolve));
    await client.disconnect();
    return received;
  },

  /** `name` of each korero error class constructed in the bundle, by the class it should be. */
  errorNames(): Record<string, string> {
    const names: Record<string, string> = {};
    const refused = { reasonCode: 0x87, reasonName: "Not authorized" };
    for (const [name, type] of Object.entries(ERROR_CLASSES)) {
      names[name] = new (type as typeof ConnectionRefusedError)("x", refused).name;
    }
    return names;
  },

  /**
   * Connects to `url` asking for MQTT 5 enhanced authentication with a method Mosquitto does not
   * know: it refuses with 0x8C Bad authentication method.
   */
  refusedConnection(url: string): Promise<Failure | undefined> {
    const properties = { authenticationMethod: "korero-unknown" };
    return failureOf(() => connect(url, { protocolVersion: 5, properties, reconnect: false }));
  },

  /** Connects to an `mqtt://` (TCP) URL, which a browser cannot open. */
  tcpConnection(url: string): Promise<Failure | undefined> {
    return failureOf(() => connect(url, { reconnect: false }));
  },

  /**
   * A page that "dies" with a QoS 1 message accepted but never sent (published before any
   * connect, kept in IndexedDB), and its successor with the same store and client identifier:
   * returns what a subscriber on `topic` receives once the successor connects.
   */
  async storedSession(url: string, topic: string): Promise<string[]> {
    const clientId = `korero-idb-${Date.now()}`;
    const received: string[] = [];
    let wake = () => {};
    const subscriber = await connect(url, { reconnect: false });
    subscriber.onMessage = ({ message }) => {
      received.push(payloadText(message));
      wake();
    };
    await subscriber.subscribe(topic, { qos: 1 });
    const first = new MqttClient({ url, clientId, clean: false, store: new IndexedDbStore() });
    first.publish(topic, "kept across pages", { qos: 1 }).catch(() => {});
    await first.persisted(); // the page goes away here, never connected
    const second = new MqttClient({
      url,
      clientId,
      clean: false,
      reconnect: false,
      store: new IndexedDbStore(),
    });
    await second.connect();
    while (received.length < 1) await new Promise<void>((resolve) => (wake = resolve));
    await second.disconnect();
    await subscriber.disconnect();
    return received;
  },

  /**
   * Publishes `count` QoS 0 messages to `topic` the documented way (`await ready()` before each
   * `publish()`), to a subscriber on the same page: returns the WebSocket frames sent meanwhile,
   * the publishes that resolved and the messages the subscriber received.
   */
  async readyLoop(url: string, topic: string, count: number): Promise<ReadyLoopResult> {
    const subscriber = await connect(url, { reconnect: false });
    const publisher = await connect(url, { reconnect: false });
    try {
      return await readyLoop(publisher, subscriber, topic, count);
    } finally {
      await publisher.disconnect();
      await subscriber.disconnect();
    }
  },

  /** Connects to a `ws://` URL with `wsHeaders`, which a browser's WebSocket cannot send. */
  headersConnection(url: string, wsHeaders: Record<string, string>): Promise<Failure | undefined> {
    return failureOf(() => connect(url, { reconnect: false, wsHeaders }));
  },
};

/** The type of `globalThis.koreroChecks`, for the test's `page.evaluate` calls. */
export type KoreroChecks = typeof koreroChecks;

(globalThis as { koreroChecks?: KoreroChecks }).koreroChecks = koreroChecks;
