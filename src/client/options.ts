/**
 * User-facing options of {@link MqttClient} and `connect()`.
 *
 * @module
 */

import type { Properties, ProtocolVersion, QoS } from "../codec/types.ts";
import type { LogLevel, SessionOptions } from "../session/types.ts";
import type { TransportOpener, TransportTarget } from "../transport/types.ts";
import { parseBrokerUrl } from "./broker_url.ts";
import { type Clock, realClock } from "./clock.ts";
import { resolveSession } from "./session_options.ts";
import { resolveTarget } from "./transport_target.ts";
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkObject,
  describe,
  MAX_TIMER,
} from "./_validate.ts";

/** A will message, published by the broker when the connection ends abnormally. */
export interface WillOptions {
  /** The topic the will is published to. */
  topic: string;
  /**
   * The will's payload (a string is sent as UTF-8).
   * @default empty
   */
  payload?: string | Uint8Array;
  /**
   * The QoS the broker publishes the will with.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether the broker publishes the will as a retained message.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 will properties, e.g. `willDelayInterval`, `messageExpiryInterval`. */
  properties?: Properties;
}

/** Options of a client. Every field is optional; `url` or `host` says where to connect. */
export interface ClientOptions {
  /**
   * `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, or `ws://` / `wss://` for MQTT over WebSocket;
   * user and password may be in it. A WebSocket URL's path (and query) is the request path,
   * `/mqtt` when the URL has none (`ws://host:8080`; `ws://host:8080/` asks for `/`).
   */
  url?: string;
  /**
   * The broker's host name or address (overrides the URL's).
   * @default "localhost"
   */
  host?: string;
  /**
   * The broker's port.
   * @default 1883, or 8883 for TLS; with a `ws://` / `wss://` URL 80, or 443
   */
  port?: number;
  /**
   * Connect over TLS.
   * @default false, or true for `mqtts://`, `ssl://` and `wss://`
   */
  tls?: boolean;
  /** Path of a unix socket to connect to instead of TCP. */
  unixSocket?: string;
  /**
   * 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0.
   * @default 4
   */
  protocolVersion?: ProtocolVersion;
  /**
   * The client identifier; "" on MQTT 5 has the server assign one.
   * @default a random "korero-…" id
   */
  clientId?: string;
  /**
   * Clean session / clean start; `"first"` = clean on the first connect only.
   * @default true
   */
  clean?: boolean | "first";
  /**
   * Keepalive interval in seconds; 0 = none.
   * @default 60
   */
  keepalive?: number;
  /** User name for the broker's authentication (overrides the URL's). */
  username?: string;
  /** Password for the broker's authentication (overrides the URL's). */
  password?: string | Uint8Array;
  /** A message the broker publishes when the connection ends without a DISCONNECT. */
  will?: WillOptions;
  /** MQTT 5 CONNECT properties, e.g. `sessionExpiryInterval`, `receiveMaximum`. */
  properties?: Properties;
  /**
   * `false`, or backoff bounds in ms.
   * @default { minDelay: 1000, maxDelay: 120000 }
   */
  reconnect?: false | { minDelay?: number; maxDelay?: number };
  /**
   * Resubscribe after a reconnect that found no session.
   * @default true
   */
  resubscribe?: boolean;
  /**
   * Milliseconds from the start of an attempt until its CONNACK.
   * @default 30000
   */
  connectTimeout?: number;
  /**
   * Milliseconds after which an operation rejects with TimeoutError; 0 = never.
   * @default 0
   */
  operationTimeout?: number;
  /**
   * Outgoing QoS 1/2 messages in flight.
   * @default 65535
   */
  maxInflight?: number;
  /**
   * Messages waiting beyond the in-flight window or while offline.
   * @default 10000
   */
  maxQueued?: number;
  /**
   * Payload bytes of those waiting messages.
   * @default 64 MiB
   */
  maxQueuedBytes?: number;
  /**
   * What `publish()` does when the queue is full.
   * @default "wait"
   */
  queueFull?: "wait" | "reject";
  /**
   * Queue QoS 0 publishes while disconnected.
   * @default false
   */
  queueQoS0Offline?: boolean;
  /**
   * Assign outgoing topic aliases automatically (MQTT 5).
   * @default false
   */
  topicAliases?: boolean;
  /**
   * Messages buffered per `messages()` iterator before the oldest is dropped.
   * @default 1000
   */
  messageBuffer?: number;
  /** PEM CA certificate(s) to trust. */
  ca?: string | string[];
  /** PEM client certificate. */
  cert?: string;
  /** PEM client key. */
  key?: string;
  /** TLS server name (SNI). Over WebSocket only the host itself. */
  servername?: string;
  /**
   * Batch socket reads under a dense incoming stream: while packets arrive faster than ~8,000
   * reads a second, the transport waits one timer tick (1–2 ms) between reads so one read takes
   * many packets (much less CPU per message). Set `false` when every message must be read the
   * moment it arrives. Only Deno's TCP/TLS/unix transport paces; Bun's and WebSocket ignore this.
   * @default true
   */
  readPacing?: boolean;
  /** Receives log lines (no logging when absent). */
  logger?: (level: LogLevel, message: string) => void;
  /** Transport factory; the runtime's TCP/TLS adapter when absent. For tests and custom transports. */
  transport?: TransportOpener;
  /** Time source and timer; the real clock when absent. For tests. */
  clock?: Clock;
  /**
   * Random numbers in [0, 1) for client ids and reconnect jitter.
   * @default Math.random
   */
  random?: () => number;
}

/** Everything a client needs, resolved from {@link ClientOptions}, with defaults filled in. */
export interface ResolvedOptions {
  session: SessionOptions;
  target: TransportTarget;
  /** How the transport reads (see {@link ClientOptions.readPacing}). */
  readPacing: boolean;
  /** The transport factory, or undefined for the runtime's own. */
  opener: TransportOpener | undefined;
  clock: Clock;
  random: () => number;
  messageBuffer: number;
  logger: ((level: LogLevel, message: string) => void) | undefined;
}

/** Every option name; `Record` makes the compiler insist this list is complete. */
const OPTION_NAMES: Record<keyof ClientOptions, true> = {
  url: true,
  host: true,
  port: true,
  tls: true,
  unixSocket: true,
  protocolVersion: true,
  clientId: true,
  clean: true,
  keepalive: true,
  username: true,
  password: true,
  will: true,
  properties: true,
  reconnect: true,
  resubscribe: true,
  connectTimeout: true,
  operationTimeout: true,
  maxInflight: true,
  maxQueued: true,
  maxQueuedBytes: true,
  queueFull: true,
  queueQoS0Offline: true,
  topicAliases: true,
  messageBuffer: true,
  ca: true,
  cert: true,
  key: true,
  servername: true,
  readPacing: true,
  logger: true,
  transport: true,
  clock: true,
  random: true,
};

/**
 * Validates `options` and fills in every default. Nothing is connected or queued: every
 * problem is reported here, as a `TypeError` (wrong type) or `RangeError` (wrong value) whose
 * message names the option and quotes the value.
 */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  checkObject(options, "options");
  for (const key of Object.keys(options)) {
    if (!(key in OPTION_NAMES)) throw new TypeError(`Unknown option ${describe(key)}`);
  }
  const o = options;
  const url = o.url === undefined ? undefined : parseBrokerUrl(o.url);

  const version = o.protocolVersion ?? 4;
  if (version !== 3 && version !== 4 && version !== 5) {
    throw new RangeError(`options.protocolVersion must be 3, 4 or 5, got ${describe(version)}`);
  }
  const random = o.random ?? Math.random;
  checkFunction(random, "options.random");

  const target = resolveTarget(o, url);
  const readPacing = o.readPacing === undefined
    ? true
    : checkBoolean(o.readPacing, "options.readPacing");

  const session = resolveSession(o, url, version, random);

  // The client itself.
  if (o.logger !== undefined) checkFunction(o.logger, "options.logger");
  if (o.transport !== undefined) checkFunction(o.transport, "options.transport");
  if (o.clock !== undefined) {
    checkObject(o.clock, "options.clock");
    for (const method of ["now", "setTimer", "clearTimer"] as const) {
      checkFunction(o.clock[method], `options.clock.${method}`);
    }
  }
  return {
    session,
    target,
    readPacing,
    opener: o.transport,
    clock: o.clock ?? realClock(),
    random,
    messageBuffer: o.messageBuffer === undefined
      ? 1000
      : checkInteger(o.messageBuffer, "options.messageBuffer", 1, MAX_TIMER),
    logger: o.logger,
  };
}
