/**
 * The lite client's options: a subset of the full client's `ClientOptions`, with the same names,
 * defaults and meanings, and their checks.
 *
 * @module
 */

import type { ConnectPacket, Properties, QoS, Will } from "../codec/types.ts";
import type { TransportTarget, WebSocketConstructor } from "../transport/types.ts";
import type { BackoffBounds } from "../session/reconnect.ts";
import { checkBoolean, checkInteger } from "../checks.ts";
import { toBytes } from "../client/payload.ts";
import type { Payload } from "../client/payload.ts";
import { describe } from "../format.ts";
import { parseBrokerUrl, redactUrl } from "../client/broker_url.ts";
import { shownUrl, webSocketUrl } from "../transport/_websocket_create.ts";

/** A last will, as `LiteOptions.will` takes it. */
export interface LiteWill {
  /** The topic the broker publishes the will to. */
  topic: string;
  /** The will's payload. */
  payload?: Payload;
  /**
   * The will's QoS.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether the broker retains the will.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 will properties (`willDelayInterval`, `messageExpiryInterval`, …). */
  properties?: Properties;
}

/** What `new LiteClient(options)` and `connect(url, options)` take. */
export interface LiteOptions {
  /** The broker's `ws://` or `wss://` URL, with `user:password@` allowed; the path defaults to `/mqtt`. */
  url?: string;
  /**
   * 4 = MQTT 3.1.1, 5 = MQTT 5.0.
   * @default 4
   */
  protocolVersion?: 4 | 5;
  /**
   * The client identifier; "" on MQTT 5 has the server assign one.
   * @default a random "korero-…" id
   */
  clientId?: string;
  /**
   * Clean session (MQTT 3.1.1) / clean start (MQTT 5).
   * @default true
   */
  clean?: boolean;
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
  will?: LiteWill;
  /** MQTT 5 CONNECT properties, e.g. `sessionExpiryInterval`, `receiveMaximum`. */
  properties?: Properties;
  /**
   * `false`, or backoff bounds in ms for reconnecting after a lost connection.
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
  /** The `WebSocket` class to use where the runtime has no global one (e.g. `ws` on Node 20). */
  webSocket?: WebSocketConstructor;
  /**
   * QoS 1/2 messages waiting for room in the broker's Receive Maximum or for a connection; one
   * more rejects with `QueueFullError`.
   * @default 10000
   */
  maxQueued?: number;
}

/** The options checked and defaulted, ready for the client. */
export interface LiteSettings {
  target: TransportTarget;
  shown: string;
  connect: ConnectPacket;
  version: 4 | 5;
  reconnect: BackoffBounds | false;
  resubscribe: boolean;
  connectTimeout: number;
  webSocket: WebSocketConstructor | undefined;
  maxQueued: number;
}

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Checks `options` and gives the client what it needs.
 *
 * @throws {TypeError | RangeError} naming the option that is wrong (never its secret value)
 */
export function resolveLiteOptions(options: LiteOptions): LiteSettings {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const { target, shown, username, password } = parseUrl(options.url);
  const version = options.protocolVersion ?? 4;
  if (version !== 4 && version !== 5) {
    throw new RangeError(`options.protocolVersion must be 4 or 5, got ${describe(version)}`);
  }
  let clientId = options.clientId;
  if (clientId === undefined) {
    clientId = "korero-";
    for (let i = 0; i < 12; i++) clientId += ID_ALPHABET[Math.floor(Math.random() * 36)];
  }
  // The client encodes this CONNECT once when it is made: the codec checks each field then.
  const connect: ConnectPacket = {
    type: "connect",
    protocolVersion: version,
    clientId,
    clean: options.clean ?? true,
    keepalive: options.keepalive ?? 60,
  };
  const user = options.username ?? username;
  if (user !== undefined) connect.username = user;
  const secret = options.password ?? password;
  if (secret !== undefined) connect.password = toBytes(secret, "options.password");
  if (options.will !== undefined) connect.will = resolveWill(options.will);
  if (options.properties !== undefined) connect.properties = options.properties;
  return {
    target,
    shown,
    connect,
    version,
    reconnect: resolveReconnect(options.reconnect),
    resubscribe: bool(options.resubscribe, "resubscribe", true),
    connectTimeout: int(options.connectTimeout, "connectTimeout", 30_000, 1, 2_147_483_647),
    webSocket: options.webSocket,
    maxQueued: int(options.maxQueued, "maxQueued", 10_000, 0, 2_147_483_647),
  };
}

/** `ws://` / `wss://` URL → the WebSocket target and the URL's credentials. */
function parseUrl(url: unknown): {
  target: TransportTarget;
  shown: string;
  username: string | undefined;
  password: string | undefined;
} {
  const parts = parseBrokerUrl(url);
  const kind = parts.tls ? "wss" : "ws";
  if (!parts.websocket) {
    throw new RangeError(
      `options.url must be ws:// or wss:// for the lite client (TCP and TLS: @korero/mqtt), ` +
        `got ${redactUrl(url)}`,
    );
  }
  const target: TransportTarget = {
    kind,
    host: parts.host,
    port: parts.port ?? (parts.tls ? 443 : 80),
    path: parts.path ?? "/mqtt",
  };
  return {
    target,
    shown: shownUrl(webSocketUrl(target)),
    username: parts.username,
    password: parts.password,
  };
}

function resolveWill(will: LiteWill): Will {
  if (typeof will !== "object" || will === null) {
    throw new TypeError(`options.will must be an object, got ${describe(will)}`);
  }
  const resolved: Will = {
    topic: will.topic,
    payload: toBytes(will.payload, "options.will.payload"),
    qos: will.qos ?? 0,
    retain: will.retain ?? false,
  };
  if (will.properties !== undefined) resolved.properties = will.properties;
  return resolved;
}

function resolveReconnect(value: LiteOptions["reconnect"]): BackoffBounds | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== "object" || value === null)) {
    throw new TypeError(`options.reconnect must be false or an object, got ${describe(value)}`);
  }
  const minDelay = int(value?.minDelay, "reconnect.minDelay", 1000, 0, 2_147_483_647);
  const maxDelay = int(value?.maxDelay, "reconnect.maxDelay", 120_000, minDelay, 2_147_483_647);
  return { minDelay, maxDelay };
}

function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  return value === undefined ? fallback : checkInteger(value, `options.${name}`, min, max);
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(value, `options.${name}`);
}
