/**
 * The lite client's options: a subset of the full client's `ClientOptions`, with the same names,
 * defaults and meanings, and their checks.
 *
 * @module
 */

import type { ConnectPacket, Properties, QoS, Will } from "../codec/types.ts";
import type { TransportTarget, WebSocketConstructor } from "../transport/types.ts";
import type { ReconnectPolicy } from "../session/types.ts";
import {
  booleanOption,
  generateClientId,
  integerOption,
  resolveReconnect,
} from "../client/option_values.ts";
import { toBytes } from "../client/payload.ts";
import type { Payload } from "../client/payload.ts";
import { checkObject, describe } from "../client/_validate.ts";
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
  reconnect: ReconnectPolicy;
  resubscribe: boolean;
  connectTimeout: number;
  webSocket: WebSocketConstructor | undefined;
  maxQueued: number;
}

/**
 * Checks `options` and gives the client what it needs.
 *
 * @throws {TypeError | RangeError} naming the option that is wrong (never its secret value)
 */
export function resolveLiteOptions(options: LiteOptions): LiteSettings {
  checkObject(options, "options");
  const { target, shown, username, password } = parseUrl(options.url);
  const version = options.protocolVersion ?? 4;
  if (version !== 4 && version !== 5) {
    throw new RangeError(`options.protocolVersion must be 4 or 5, got ${describe(version)}`);
  }
  const clientId = options.clientId ?? generateClientId(Math.random);
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
    resubscribe: booleanOption(options.resubscribe, "resubscribe", true),
    connectTimeout: integerOption(
      options.connectTimeout,
      "connectTimeout",
      30_000,
      1,
      2_147_483_647,
    ),
    webSocket: options.webSocket,
    maxQueued: integerOption(options.maxQueued, "maxQueued", 10_000, 0, 2_147_483_647),
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
  checkObject(will, "options.will");
  const resolved: Will = {
    topic: will.topic,
    payload: toBytes(will.payload, "options.will.payload"),
    qos: will.qos ?? 0,
    retain: will.retain ?? false,
  };
  if (will.properties !== undefined) resolved.properties = will.properties;
  return resolved;
}
