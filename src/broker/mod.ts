/**
 * An embedded MQTT broker, **for demos, tests and local development**: a small, single-process
 * broker written on korero's own codec and `TopicRouter`, with no dependencies, that runs on
 * Deno, Bun and Node (TCP), serves MQTT over WebSocket on Deno and Bun, and can be reached in
 * memory (browsers and workers too). In production run a real broker: Mosquitto, EMQX, HiveMQ….
 *
 * It speaks MQTT 3.1, 3.1.1 and 5.0: CONNACK with the limits it announces, an authentication
 * hook, QoS 0/1/2 both ways with flow control (Receive Maximum), retained messages (retain
 * handling, retain-as-published), wills (Will Delay Interval), clean and persistent sessions
 * with Session Expiry (in memory), offline queueing, wildcards, shared subscriptions
 * (`$share/group/…`), no-local, subscription identifiers, topic aliases from clients, message
 * expiry, keepalive (1.5×), session takeover (DISCONNECT 0x8E) and protocol errors answered with
 * DISCONNECT and the reason code on MQTT 5 (a plain close before). Nothing is written to disk.
 *
 * @example
 * ```ts
 * import { connect } from "@korero/mqtt";
 * import { startBroker } from "@korero/mqtt/broker";
 *
 * await using broker = await startBroker({ port: 0 });
 * const client = await connect(broker.url);
 * const topics: string[] = [];
 * client.onMessage = ({ message }) => topics.push(message.topic);
 * await client.subscribe("greetings");
 * await client.publish("greetings", "hello", { qos: 1 });
 * await client.disconnect();
 * ```
 *
 * @example In memory: no port
 * ```ts
 * import { MqttClient } from "@korero/mqtt";
 * import { startBroker } from "@korero/mqtt/broker";
 *
 * await using broker = await startBroker({ tcp: false });
 * const client = new MqttClient({ url: broker.url, transport: broker.opener });
 * await client.connect();
 * await client.disconnect();
 * ```
 * @module
 */

import { validateTopicName } from "../topic.ts";
import type { Properties, QoS } from "../codec/types.ts";
import { checkBoolean, checkInteger, checkQoS } from "../checks.ts";
import type { TransportOpener } from "../transport/types.ts";
import { messageFromPublish } from "./core/message.ts";
import type { Listener } from "./listener.ts";
import { memoryListener } from "./memory.ts";
import type { BrokerOptions } from "./options.ts";
import { BrokerServer } from "./server.ts";
import { listenTcp } from "./tcp.ts";
import { listenWebSocket } from "./websocket.ts";

export type { AuthHook, BrokerLogHook, BrokerOptions } from "./options.ts";
export type { BrokerLimits } from "./core/limits.ts";
export type { AuthRequest, AuthResult, LogLevel } from "./core/types.ts";
export type { Properties, ProtocolVersion, QoS, UserProperties } from "../codec/types.ts";
export type {
  ProxySettings,
  TlsOptions,
  Transport,
  TransportHandlers,
  TransportOpener,
  TransportOpenOptions,
  TransportTarget,
  WebSocketConstructor,
  WebSocketHandler,
  WebSocketLike,
  WebSocketOptions,
} from "../transport/types.ts";

/** What the broker itself publishes with {@link Broker.publish}. */
export interface BrokerPublishOptions {
  /**
   * The QoS subscribers receive it with (at most their subscription's).
   * @default 0
   */
  qos?: QoS;
  /**
   * Keep it as the topic's retained message (an empty payload clears it).
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 properties forwarded to subscribers (e.g. `messageExpiryInterval`). */
  properties?: Properties;
}

/** How many of each thing the broker holds. */
export interface BrokerStats {
  /** Open connections. */
  connections: number;
  /** Sessions, connected or not. */
  sessions: number;
  /** Retained messages. */
  retained: number;
}

/** A running broker, from {@link startBroker}. */
export interface Broker {
  /** `mqtt://host:port` of the TCP listener, or `"mqtt://memory"` without one. */
  readonly url: string;
  /** The TCP port (0 without a TCP listener). */
  readonly port: number;
  /** `ws://host:port/mqtt` of the WebSocket listener, if one was asked for. */
  readonly wsUrl: string | undefined;
  /**
   * A transport opener that connects a client in memory:
   * `new MqttClient({ url: broker.url, transport: broker.opener })`.
   */
  readonly opener: TransportOpener;
  /** How many connections, sessions and retained messages the broker holds. */
  readonly stats: BrokerStats;
  /**
   * Publishes a message from the broker itself, as if a client had.
   *
   * @throws {TypeError | RangeError} an invalid topic name or option.
   */
  publish(topic: string, payload: string | Uint8Array, options?: BrokerPublishOptions): void;
  /** Disconnects every client (MQTT 5: DISCONNECT 0x8B) and stops listening. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link Broker.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts an embedded MQTT broker — for demos, tests and local development, not production.
 * By default it listens on TCP at 127.0.0.1:1883; `{ port: 0 }` picks a free port.
 *
 * @throws {TypeError | RangeError} an option of the wrong type or out of range.
 * @throws {Error} the port is in use, or a WebSocket listener was asked for on Node.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`options.host must be a non-empty string, got ${JSON.stringify(host)}`);
  }
  const port = checkInteger(options.port ?? 1883, "options.port", 0, 65535);
  const tcp = checkBoolean(options.tcp ?? true, "options.tcp");
  const websocket = options.websocket ?? false;
  if (typeof websocket !== "boolean") checkInteger(websocket, "options.websocket", 0, 65535);
  const server = new BrokerServer(options);
  const listeners: Listener[] = [];
  let tcpPort = 0;
  let wsUrl: string | undefined;
  const urlHost = host === "0.0.0.0" || host === "::"
    ? "localhost"
    : host.includes(":")
    ? `[${host}]`
    : host;
  try {
    if (tcp) {
      const listener = await listenTcp({ hostname: host, port }, server.accept);
      listeners.push(listener);
      tcpPort = listener.port;
    }
    if (websocket !== false) {
      const wsPort = websocket === true ? 0 : websocket;
      const listener = listenWebSocket({ hostname: host, port: wsPort }, server.accept);
      listeners.push(listener);
      wsUrl = `ws://${urlHost}:${listener.port}/mqtt`;
    }
  } catch (error) {
    server.shutdown();
    await Promise.all(listeners.map((listener) => listener.close()));
    throw error;
  }
  const opener = memoryListener(server.accept);
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      server.shutdown();
      await Promise.all(listeners.map((listener) => listener.close()));
    })();
  const core = server.core;
  return {
    url: tcp ? `mqtt://${urlHost}:${tcpPort}` : "mqtt://memory",
    port: tcpPort,
    wsUrl,
    opener,
    get stats() {
      return {
        connections: core.connectionCount,
        sessions: core.sessionCount,
        retained: core.retainedCount,
      };
    },
    publish(topic, payload, publishOptions = {}) {
      validateTopicName(topic);
      const qos = checkQoS(publishOptions.qos ?? 0, "options.qos");
      const retain = checkBoolean(publishOptions.retain ?? false, "options.retain");
      if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
        throw new TypeError("payload must be a string or a Uint8Array");
      }
      // A copy: the caller may reuse its buffer while the message is queued.
      const bytes = typeof payload === "string"
        ? new TextEncoder().encode(payload)
        : payload.slice();
      const now = Date.now();
      const packet = {
        type: "publish" as const,
        topic,
        payload: bytes,
        qos,
        retain,
        dup: false,
        ...(publishOptions.properties !== undefined && { properties: publishOptions.properties }),
      };
      core.publish(messageFromPublish(packet, topic, "", now), now);
      server.poke();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
