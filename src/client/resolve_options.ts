/**
 * {@link resolveOptions}: a client's options checked, with every default filled in, split into
 * what the session, the transport and the client itself need.
 *
 * @module
 */

import type { SessionOptions } from "../session/types.ts";
import type { TransportOpener, TransportTarget, WebSocketConstructor } from "../transport/types.ts";
import type { LogLevel } from "../session/types.ts";
import { parseBrokerUrl, redactUrl } from "./broker_url.ts";
import { type Clock, realClock } from "./clock.ts";
import type { ClientOptions } from "./options.ts";
import type { SessionStore } from "../store/session_store.ts";
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

/** Everything a client needs, resolved from {@link ClientOptions}, with defaults filled in. */
export interface ResolvedOptions {
  session: SessionOptions;
  /** Where to connect (the first of `servers`). */
  target: TransportTarget;
  /** Every server to try, in order, from `options.servers`; undefined without it (`target` only). */
  servers: TransportTarget[] | undefined;
  /** Called before each attempt on a WebSocket target (see {@link ClientOptions.transformWsUrl}). */
  transformWsUrl: ((url: string) => string | Promise<string>) | undefined;
  /** Handshake headers made before each attempt (`wsHeaders` given as a function). */
  wsHeaders: (() => Record<string, string> | Promise<Record<string, string>>) | undefined;
  /** How the transport reads (see {@link ClientOptions.readPacing}). */
  readPacing: boolean;
  /** The transport factory, or undefined for the runtime's own. */
  opener: TransportOpener | undefined;
  /** The WebSocket class for `ws`/`wss` (see {@link ClientOptions.webSocket}). */
  webSocket: WebSocketConstructor | undefined;
  clock: Clock;
  random: () => number;
  messageBuffer: number;
  /** Unacknowledged messages from which `ready()` waits (see {@link ClientOptions.highWaterMark}). */
  highWaterMark: number;
  /** Acknowledge only on `ack()` (see {@link ClientOptions.manualAck}). */
  manualAck: boolean;
  logger: ((level: LogLevel, message: string) => void) | undefined;
  /** Swallow a callback's exception (see {@link ClientOptions.suppressExceptions}). */
  suppressExceptions: boolean;
  /** Where the session is kept (see {@link ClientOptions.store}). */
  store: SessionStore | undefined;
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
  retryFirstConnect: true,
  resubscribe: true,
  connectTimeout: true,
  operationTimeout: true,
  maxInflight: true,
  maxQueued: true,
  maxQueuedBytes: true,
  queueFull: true,
  highWaterMark: true,
  queueQoS0Offline: true,
  topicAliases: true,
  messageBuffer: true,
  manualAck: true,
  trace: true,
  qos2Delivery: true,
  disconnectTimeout: true,
  store: true,
  ca: true,
  cert: true,
  key: true,
  servername: true,
  wsHeaders: true,
  transformWsUrl: true,
  servers: true,
  alpnProtocols: true,
  insecure: true,
  rejectUnauthorized: true,
  passphrase: true,
  minVersion: true,
  maxVersion: true,
  ciphers: true,
  proxy: true,
  bindAddress: true,
  bindPort: true,
  webSocket: true,
  readPacing: true,
  logger: true,
  suppressExceptions: true,
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

  const servers = o.servers === undefined ? undefined : resolveServers(o);
  const target = servers === undefined ? resolveTarget(o, url) : servers[0]!;
  const readPacing = o.readPacing === undefined
    ? true
    : checkBoolean(o.readPacing, "options.readPacing");

  const session = resolveSession(o, url, version, random);
  if (o.store !== undefined) {
    checkObject(o.store, "options.store");
    for (const method of ["load", "save", "close"] as const) {
      checkFunction(o.store[method], `options.store.${method}`);
    }
    if (o.clientId === undefined || o.clientId === "") {
      throw new RangeError(
        "options.store needs options.clientId: the session is saved under the client identifier, so a restarted process must use the same one",
      );
    }
    session.persist = true;
  }

  // The client itself.
  if (o.logger !== undefined) checkFunction(o.logger, "options.logger");
  if (o.transport !== undefined) checkFunction(o.transport, "options.transport");
  if (o.webSocket !== undefined) {
    if (typeof o.webSocket !== "function") {
      throw new TypeError(
        `options.webSocket must be a WebSocket class (e.g. WebSocket from the ws package), got ${
          describe(o.webSocket)
        }`,
      );
    }
    if (target.kind !== "ws" && target.kind !== "wss") {
      const got = o.url === undefined ? "" : `, got ${redactUrl(o.url)}`;
      throw new RangeError(`options.webSocket needs a WebSocket URL (ws:// or wss://)${got}`);
    }
  }
  if (o.clock !== undefined) {
    checkObject(o.clock, "options.clock");
    for (const method of ["now", "setTimer", "clearTimer"] as const) {
      checkFunction(o.clock[method], `options.clock.${method}`);
    }
  }
  return {
    session,
    target,
    servers,
    transformWsUrl: o.transformWsUrl,
    wsHeaders: typeof o.wsHeaders === "function" ? o.wsHeaders : undefined,
    readPacing,
    opener: o.transport,
    webSocket: o.webSocket,
    clock: o.clock ?? realClock(),
    random,
    messageBuffer: o.messageBuffer === undefined
      ? 1000
      : checkInteger(o.messageBuffer, "options.messageBuffer", 1, MAX_TIMER),
    highWaterMark: o.highWaterMark === undefined
      ? 1000
      : checkInteger(o.highWaterMark, "options.highWaterMark", 1, Number.MAX_SAFE_INTEGER),
    manualAck: o.manualAck === undefined ? false : checkBoolean(o.manualAck, "options.manualAck"),
    logger: o.logger,
    suppressExceptions: checkBoolean(o.suppressExceptions ?? false, "options.suppressExceptions"),
    store: o.store,
  };
}

/** The targets of `options.servers`, each with its own TLS settings over the shared options. */
function resolveServers(o: ClientOptions): TransportTarget[] {
  const list = o.servers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(
      `options.servers must be a non-empty list of URLs or { url, … }, got ${describe(list)}`,
    );
  }
  for (const name of ["url", "host", "port", "unixSocket"] as const) {
    if (o[name] !== undefined) {
      throw new RangeError(
        `options.${name} cannot be combined with options.servers (the list says where)`,
      );
    }
  }
  return list.map((server, i) => {
    const entry = typeof server === "string" ? { url: server } : server;
    checkObject(entry, `options.servers[${i}]`);
    for (const key of Object.keys(entry)) {
      if (!SERVER_FIELDS.has(key)) {
        throw new TypeError(`Unknown field ${describe(key)} in options.servers[${i}]`);
      }
    }
    if (typeof entry.url !== "string") {
      throw new TypeError(`options.servers[${i}].url must be a string, got ${describe(entry.url)}`);
    }
    const { servers: _servers, ...shared } = o;
    const url = parseBrokerUrl(entry.url);
    // The shared TLS settings are for the TLS servers of the list.
    if (!url.tls) { for (const field of TLS_FIELDS) delete shared[field]; }
    return resolveTarget({ ...shared, ...entry }, url);
  });
}

const TLS_FIELDS = [
  "ca",
  "cert",
  "key",
  "servername",
  "alpnProtocols",
  "insecure",
  "rejectUnauthorized",
  "passphrase",
  "minVersion",
  "maxVersion",
  "ciphers",
] as const;

/** What a `servers` entry may set: its URL and the TLS settings. */
const SERVER_FIELDS: ReadonlySet<string> = new Set(["url", ...TLS_FIELDS]);
