/**
 * User-facing options of {@link MqttClient} and `connect()`.
 *
 * @module
 */

import type { Properties, ProtocolVersion, QoS, Will } from "../codec/types.ts";
import { utf8Length } from "../codec/utf8.ts";
import type { LogLevel, ReconnectPolicy, SessionOptions } from "../session/types.ts";
import { validateTopicName } from "../topic.ts";
import type { TlsOptions, TransportOpener, TransportTarget } from "../transport/types.ts";
import { type Clock, realClock } from "./clock.ts";
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkObject,
  checkProperties,
  checkQoS,
  checkString,
  describe,
  toBytes,
} from "./_validate.ts";

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
  /**
   * `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, or `ws://` / `wss://` for MQTT over WebSocket;
   * user and password may be in it. A WebSocket URL's path (and query) is the request path,
   * `/mqtt` when the URL has none (`ws://host:8080`; `ws://host:8080/` asks for `/`).
   */
  url?: string;
  /** @default "localhost" */
  host?: string;
  /** @default 1883, or 8883 for TLS; 80, or 443 for TLS, with a `ws://` / `wss://` URL */
  port?: number;
  /** Connect over TLS. @default false, or true for `mqtts://`, `ssl://` and `wss://` */
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
  /** Random numbers in [0, 1) for client ids and reconnect jitter. @default Math.random */
  random?: () => number;
}

/** Everything a client needs, resolved from {@link ClientOptions}, with defaults filled in. */
export interface ResolvedOptions {
  session: SessionOptions;
  target: TransportTarget;
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

/** URL schemes: whether they mean TLS, and whether MQTT travels over a WebSocket. */
const SCHEMES: Record<string, { tls: boolean; websocket: boolean }> = {
  mqtt: { tls: false, websocket: false },
  tcp: { tls: false, websocket: false },
  mqtts: { tls: true, websocket: false },
  ssl: { tls: true, websocket: false },
  ws: { tls: false, websocket: true },
  wss: { tls: true, websocket: true },
};
const MAX_TIMER = 2_147_483_647;

/** What {@link parseBrokerUrl} finds in a URL. */
export interface UrlParts {
  tls: boolean;
  /** `ws://` or `wss://`: MQTT over a WebSocket. */
  websocket: boolean;
  host: string;
  port: number | undefined;
  username: string | undefined;
  password: string | undefined;
  /** WebSocket URLs: the request path with any query; `/mqtt` when the URL has no path. */
  path?: string;
}

/**
 * Parses an `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, `ws://` or `wss://` URL, with optional
 * `user:password@` (percent-decoded) and port, and for `ws://` / `wss://` the request path.
 *
 * @throws {TypeError} if `url` is not a string or not a URL
 * @throws {RangeError} if its scheme is not one of the six, or it has no host
 */
export function parseBrokerUrl(url: unknown): UrlParts {
  let parsed: URL;
  try {
    parsed = new URL(checkString(url, "options.url"));
  } catch {
    throw new TypeError(
      `options.url must be a URL such as "mqtt://host:1883", got ${describe(url)}`,
    );
  }
  const scheme = parsed.protocol.slice(0, -1);
  const kind = SCHEMES[scheme];
  if (kind === undefined) {
    throw new RangeError(
      `options.url has the unsupported scheme "${scheme}:" (use mqtt, mqtts, tcp, ssl, ws or ` +
        `wss), got ${describe(url)}`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new RangeError(`options.url has no host, got ${describe(url)}`);
  const port = parsed.port === "" ? undefined : Number(parsed.port);
  if (port === 0) throw new RangeError(`options.url has port 0, got ${describe(url)}`);
  const parts: UrlParts = {
    ...kind,
    host,
    port,
    username: parsed.username === "" ? undefined : percentDecode(parsed.username, "user", url),
    password: parsed.password === "" ? undefined : percentDecode(parsed.password, "password", url),
  };
  if (kind.websocket) {
    // WHATWG URLs turn "ws://h" into the path "/": only a "/" (or "\\") after the authority is one.
    const hasPath = /^[^:]+:[/\\]{2}[^/\\?#]*[/\\]/.test(url as string);
    parts.path = (hasPath ? parsed.pathname : "/mqtt") + parsed.search;
  }
  return parts;
}

/** `decodeURIComponent`, with a TypeError naming the URL part instead of a URIError. */
function percentDecode(text: string, part: string, url: unknown): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TypeError(
      `options.url has a ${part} that is not valid percent-encoded UTF-8 (${describe(text)}), got ${
        describe(url)
      }`,
    );
  }
}

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

  // Where to connect.
  const tls = o.tls === undefined ? url?.tls ?? false : checkBoolean(o.tls, "options.tls");
  const websocket = url?.websocket ?? false;
  const host = o.host === undefined
    ? url?.host ?? "localhost"
    : checkString(o.host, "options.host");
  if (host === "") throw new RangeError(`options.host must not be empty`);
  const port = o.port === undefined
    ? url?.port ?? (websocket ? (tls ? 443 : 80) : tls ? 8883 : 1883)
    : checkInteger(o.port, "options.port", 1, 65_535);
  let target: TransportTarget;
  if (o.unixSocket !== undefined) {
    if (checkString(o.unixSocket, "options.unixSocket") === "") {
      throw new RangeError("options.unixSocket must not be empty");
    }
    if (websocket) {
      throw new RangeError(
        `options.unixSocket cannot be combined with a WebSocket URL, got ${describe(o.url)}`,
      );
    }
    if (tls) throw new RangeError("options.tls cannot be combined with options.unixSocket");
    target = { kind: "unix", host, port, path: o.unixSocket };
  } else if (websocket) {
    target = { kind: tls ? "wss" : "ws", host, port, path: url?.path ?? "/mqtt" };
  } else {
    target = { kind: tls ? "tls" : "tcp", host, port };
  }
  const tlsOptions: TlsOptions = {};
  for (const field of ["cert", "key", "servername"] as const) {
    const value = o[field];
    if (value === undefined) continue;
    checkString(value, `options.${field}`);
    if (!tls) {
      throw new RangeError(
        `options.${field} needs a TLS connection (options.tls, mqtts:// or wss://)`,
      );
    }
    tlsOptions[field] = value;
  }
  if (websocket && tlsOptions.servername !== undefined && tlsOptions.servername !== host) {
    throw new RangeError(
      `options.servername must be the host over WebSocket (the URL's host is the name sent and ` +
        `verified), got ${describe(tlsOptions.servername)} for host ${describe(host)}`,
    );
  }
  if (o.ca !== undefined) {
    const list = Array.isArray(o.ca) ? o.ca : [o.ca];
    list.forEach((ca, i) =>
      checkString(ca, Array.isArray(o.ca) ? `options.ca[${i}]` : "options.ca")
    );
    if (!tls) {
      throw new RangeError("options.ca needs a TLS connection (options.tls, mqtts:// or wss://)");
    }
    tlsOptions.ca = o.ca;
  }
  if ((tlsOptions.cert === undefined) !== (tlsOptions.key === undefined)) {
    throw new RangeError("options.cert and options.key must be given together");
  }
  if (tls) target.tls = tlsOptions;
  if (o.readPacing !== undefined) {
    target.readPacing = checkBoolean(o.readPacing, "options.readPacing");
  }

  // The session.
  const clean = o.clean ?? true;
  if (clean !== true && clean !== false && clean !== "first") {
    throw new TypeError(`options.clean must be true, false or "first", got ${describe(clean)}`);
  }
  let clientId: string;
  if (o.clientId === undefined) clientId = generateClientId(random);
  else {
    clientId = checkString(o.clientId, "options.clientId");
    utf8Length(clientId, "options.clientId");
  }
  if (clientId === "" && version !== 5) {
    if (clean !== true) {
      throw new RangeError(
        `options.clientId must not be empty with a persistent session (clean: ${
          describe(clean)
        }) on MQTT 3.1/3.1.1 [MQTT-3.1.3-7]`,
      );
    }
    clientId = generateClientId(random);
  }
  if (version === 3 && encoder.encode(clientId).length > 23) {
    throw new RangeError(
      `options.clientId must be at most 23 bytes on MQTT 3.1, got ${describe(clientId)}`,
    );
  }
  const session: SessionOptions = {
    protocolVersion: version,
    clientId,
    clean,
    keepalive: o.keepalive === undefined
      ? 60
      : checkInteger(o.keepalive, "options.keepalive", 0, 65_535),
    reconnect: resolveReconnect(o.reconnect),
    connectTimeout: int(o.connectTimeout, "connectTimeout", 30_000, 1, MAX_TIMER),
    operationTimeout: int(o.operationTimeout, "operationTimeout", 0, 0, MAX_TIMER),
    maxInflight: int(o.maxInflight, "maxInflight", 65_535, 1, 65_535),
    maxQueued: int(o.maxQueued, "maxQueued", 10_000, 0, Number.MAX_SAFE_INTEGER),
    maxQueuedBytes: int(
      o.maxQueuedBytes,
      "maxQueuedBytes",
      64 * 1024 * 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    queueFull: o.queueFull ?? "wait",
    queueQoS0Offline: bool(o.queueQoS0Offline, "queueQoS0Offline", false),
    resubscribe: bool(o.resubscribe, "resubscribe", true),
    topicAliases: bool(o.topicAliases, "topicAliases", false),
  };
  if (session.queueFull !== "wait" && session.queueFull !== "reject") {
    throw new RangeError(
      `options.queueFull must be "wait" or "reject", got ${describe(o.queueFull)}`,
    );
  }
  if (session.topicAliases && version !== 5) {
    throw new RangeError("options.topicAliases needs protocolVersion 5");
  }
  const username = o.username ?? url?.username;
  if (username !== undefined) {
    utf8Length(checkString(username, "options.username"), "options.username");
    session.username = username;
  }
  const password = o.password ?? url?.password;
  if (password !== undefined) {
    session.password = toBytes(password, "options.password");
    if (session.password.length > 65_535) {
      throw new RangeError(
        `options.password must be at most 65,535 bytes, got ${session.password.length}`,
      );
    }
    if (username === undefined && version !== 5) {
      throw new RangeError(
        "options.password needs options.username on MQTT 3.1/3.1.1 [MQTT-3.1.2-22]",
      );
    }
  }
  if (o.will !== undefined) session.will = resolveWill(o.will, version);
  const properties = checkProperties(o.properties, "options.properties", version);
  if (properties !== undefined) session.properties = properties;

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
    opener: o.transport,
    clock: o.clock ?? realClock(),
    random,
    messageBuffer: int(o.messageBuffer, "messageBuffer", 1000, 1, MAX_TIMER),
    logger: o.logger,
  };
}

const encoder = new TextEncoder();
const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A random client identifier "korero-" + 12 characters (19 bytes, within MQTT 3.1's 23). */
export function generateClientId(random: () => number): string {
  let id = "korero-";
  for (let i = 0; i < 12; i++) id += ID_ALPHABET[Math.floor(random() * 36) % 36];
  return id;
}

function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  return value === undefined ? fallback : checkInteger(value, `options.${name}`, min, max);
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(value, `options.${name}`);
}

function resolveReconnect(value: ClientOptions["reconnect"]): ReconnectPolicy {
  if (value === undefined) return { minDelay: 1000, maxDelay: 120_000 };
  if (value === false) return false;
  checkObject(value, "options.reconnect");
  const minDelay = int(value.minDelay, "reconnect.minDelay", 1000, 0, MAX_TIMER);
  const maxDelay = int(
    value.maxDelay,
    "reconnect.maxDelay",
    Math.max(120_000, minDelay),
    0,
    MAX_TIMER,
  );
  if (maxDelay < minDelay) {
    throw new RangeError(
      `options.reconnect.maxDelay must be at least minDelay (${minDelay}), got ${maxDelay}`,
    );
  }
  return { minDelay, maxDelay };
}

function resolveWill(will: WillOptions, version: ProtocolVersion): Will {
  checkObject(will, "options.will");
  validateTopicName(will.topic, "options.will.topic");
  const resolved: Will = {
    topic: will.topic,
    payload: will.payload === undefined
      ? new Uint8Array(0)
      : toBytes(will.payload, "options.will.payload"),
    qos: will.qos === undefined ? 0 : checkQoS(will.qos, "options.will.qos"),
    retain: will.retain === undefined ? false : checkBoolean(will.retain, "options.will.retain"),
  };
  if (resolved.payload.length > 65_535) {
    throw new RangeError(
      `options.will.payload must be at most 65,535 bytes, got ${resolved.payload.length}`,
    );
  }
  const properties = checkProperties(will.properties, "options.will.properties", version);
  if (properties !== undefined) resolved.properties = properties;
  return resolved;
}
