/**
 * User-facing options of {@link MqttClient} and `connect()`.
 *
 * @module
 */

import type { Properties, ProtocolVersion, QoS } from "../codec/types.ts";
import type { LogLevel } from "../session/types.ts";
import type { TransportOpener } from "../transport/types.ts";
import type { Clock } from "./clock.ts";

/** A will message, published by the broker when the connection ends abnormally. */
export interface WillOptions {
  topic: string;
  payload?: string | Uint8Array;
  /** @default 0 */
  qos?: QoS;
  /** @default false */
  retain?: boolean;
  /** MQTT 5 will properties, e.g. `willDelayInterval`, `messageExpiryInterval`. */
  properties?: Properties;
}

/** Options of a client. Every field is optional; `url` or `host` says where to connect. */
export interface ClientOptions {
  /** `mqtt://`, `mqtts://`, `tcp://` or `ssl://` URL; user and password may be in it. */
  url?: string;
  /** @default "localhost" */
  host?: string;
  /** @default 1883, or 8883 for TLS */
  port?: number;
  /** Connect over TLS. @default false, or true for `mqtts://` / `ssl://` */
  tls?: boolean;
  /** Path of a unix socket to connect to instead of TCP. */
  unixSocket?: string;
  /** @default 4 (MQTT 3.1.1) */
  protocolVersion?: ProtocolVersion;
  /** @default a random "korero-…" id (or "" on MQTT 5 to have the server assign one) */
  clientId?: string;
  /** Clean session / clean start; `"first"` = clean on the first connect only. @default true */
  clean?: boolean | "first";
  /** Seconds. @default 60 */
  keepalive?: number;
  username?: string;
  password?: string | Uint8Array;
  will?: WillOptions;
  /** MQTT 5 CONNECT properties, e.g. `sessionExpiryInterval`, `receiveMaximum`. */
  properties?: Properties;
  /** `false`, or backoff bounds in ms. @default { minDelay: 1000, maxDelay: 120000 } */
  reconnect?: false | { minDelay?: number; maxDelay?: number };
  /** Resubscribe after a reconnect that found no session. @default true */
  resubscribe?: boolean;
  /** ms until CONNACK. @default 30000 */
  connectTimeout?: number;
  /** ms after which publish/subscribe/unsubscribe reject with TimeoutError; 0 = never. @default 0 */
  operationTimeout?: number;
  /** Outgoing QoS 1/2 messages in flight. @default 65535 */
  maxInflight?: number;
  /** Messages waiting beyond the in-flight window or while offline. @default 10000 */
  maxQueued?: number;
  /** Payload bytes of those waiting messages. @default 64 MiB */
  maxQueuedBytes?: number;
  /** What `publish()` does when the queue is full. @default "wait" */
  queueFull?: "wait" | "reject";
  /** Queue QoS 0 publishes while disconnected. @default false */
  queueQoS0Offline?: boolean;
  /** Assign outgoing topic aliases automatically (MQTT 5). @default false */
  topicAliases?: boolean;
  /** Messages buffered per `messages()` iterator before the oldest is dropped. @default 1000 */
  messageBuffer?: number;
  /** PEM CA certificate(s) to trust. */
  ca?: string | string[];
  /** PEM client certificate. */
  cert?: string;
  /** PEM client key. */
  key?: string;
  /** TLS server name (SNI). */
  servername?: string;
  /** Receives log lines (no logging when absent). */
  logger?: (level: LogLevel, message: string) => void;
  /** Transport factory; the runtime's TCP/TLS adapter when absent. For tests and custom transports. */
  transport?: TransportOpener;
  /** Time source and timer; the real clock when absent. For tests. */
  clock?: Clock;
  /** Random numbers in [0, 1) for client ids and reconnect jitter. @default Math.random */
  random?: () => number;
}
