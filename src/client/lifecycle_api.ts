/**
 * The connection-control part of `MqttClient` (its base class): what the client was configured
 * with (`host`, `port`, `protocolVersion`, `keepalive`, `transport`), the credentials and will
 * of the next CONNECT (`setCredentials`, `setWill`, `clearWill`), `reconnect()`, and the
 * `onPreConnect` and `suppressExceptions` properties — paho's `username_pw_set`, `will_set`,
 * `will_clear`, `reconnect`, `on_pre_connect` and `suppress_exceptions`.
 *
 * @module
 */

import type { ConnackPacket, ProtocolVersion } from "../codec/types.ts";
import { utf8Length } from "../codec/utf8.ts";
import { Session } from "../session/session.ts";
import { openDefault } from "../transport/defaults/detect.ts";
import type { TransportTarget } from "../transport/types.ts";
import type { ConnectCallOptions } from "./call_options.ts";
import type { ClientLink } from "./_client_link.ts";
import { Driver } from "./driver.ts";
import { serverOpener } from "./_server_opener.ts";
import type { PreConnectEvent } from "./events.ts";
import type { WillOptions } from "./will_options.ts";
import { resolveWill, toPassword } from "./session_options.ts";
import { checkBoolean, checkObject, checkString } from "./_validate.ts";

/** How a client's transport reaches the broker (see {@link ClientLifecycle.transport}). */
export type TransportKind = TransportTarget["kind"];

/** The link (options, driver, callback caller) of each client, set by {@link startDriver}. */
const bound = new WeakMap<ClientLifecycle, ClientLink>();

/**
 * The driver of `link`'s client (called by `MqttClient`'s constructor): a session for the
 * link's options, reporting to the link (which calls `onPreConnect` before each attempt, and
 * `onConnect` also for a refusing CONNACK, before `onConnectFail`).
 */
export function startDriver(link: ClientLink): Driver {
  const { options } = link;
  const { session, random, opener, target, readPacing, webSocket, clock, store, highWaterMark } =
    options;
  const base = opener ?? openDefault;
  const { servers, transformWsUrl, wsHeaders } = options;
  const list = servers ?? [target];
  const hooked = list.length > 1 || transformWsUrl !== undefined || wsHeaders !== undefined;
  const driver = new Driver(new Session(session, random, link), {
    opener: hooked
      ? serverOpener(base, list, {
        transformWsUrl,
        wsHeaders,
        // Each server gets its share of the attempt, at least 1 s.
        perServerMs: Math.max(1000, Math.floor(session.connectTimeout / list.length)),
      })
      : base,
    target,
    readPacing,
    webSocket,
    clock,
    highWaterMark,
    ...(store === undefined ? {} : { store }),
    events: link,
  });
  link.driver = driver;
  bound.set(link.client, link);
  return driver;
}

/**
 * The connection lifecycle API every `MqttClient` has: configuration getters, the credentials
 * and will of the next CONNECT, and `reconnect()`. Not constructed on its own.
 */
export class ClientLifecycle {
  /**
   * Called before each connection attempt opens its transport (the first, every retry and every
   * reconnect), like paho's `on_pre_connect`. Credentials or a will set inside it (e.g. a
   * refreshed token) go into that attempt's CONNECT. It must not block: fetch a token
   * beforehand, or set it for the next attempt from `onConnectFail`.
   */
  onPreConnect: ((event: PreConnectEvent) => void) | undefined = undefined;

  /**
   * When a callback throws: `false` logs the exception (`onLog`, level `error`) and re-throws
   * it outside the client's loop; `true` only logs it (paho's `suppress_exceptions`). Starts as
   * the `suppressExceptions` option.
   */
  get suppressExceptions(): boolean {
    return this.#bound().suppressExceptions;
  }

  set suppressExceptions(value: boolean) {
    this.#bound().suppressExceptions = checkBoolean(value, "suppressExceptions");
  }

  #bound(): ClientLink {
    const b = bound.get(this);
    if (b === undefined) throw new TypeError("ClientLifecycle is used through an MqttClient");
    return b;
  }

  /** The broker's host name or address, as configured (with a unix socket: the `host` option). */
  get host(): string {
    return this.#bound().options.target.host;
  }

  /** The broker's port, as configured (or the default for the scheme). */
  get port(): number {
    return this.#bound().options.target.port;
  }

  /** 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5, as configured. */
  get protocolVersion(): ProtocolVersion {
    return this.#bound().options.session.protocolVersion;
  }

  /** The keepalive interval in seconds, as configured (a Server Keep Alive may override it). */
  get keepalive(): number {
    return this.#bound().options.session.keepalive;
  }

  /**
   * How the client reaches the broker: `"tcp"`, `"tls"`, `"unix"` (a unix socket), `"ws"` or
   * `"wss"` (MQTT over WebSocket, plain or TLS). paho's `transport` says `"websockets"` for the
   * last two and `"tcp"` for TLS.
   */
  get transport(): TransportKind {
    return this.#bound().options.target.kind;
  }

  /**
   * Sets the user name and password of the next CONNECT (paho's `username_pw_set`); `undefined`
   * leaves the user name (and the password) out. While connected it applies from the next
   * connection; inside `onPreConnect` it applies to the attempt about to open.
   *
   * @throws {TypeError} for a user name that is not a string or a password that is neither a
   * string nor a Uint8Array (the message never shows the password)
   * @throws {RangeError} for one too long, or a password without a user name before MQTT 5
   */
  setCredentials(username: string | undefined, password?: string | Uint8Array): void {
    const driver = this.#bound().driver;
    if (username !== undefined) {
      utf8Length(checkString(username, "setCredentials username"), "setCredentials username");
    }
    const bytes = password === undefined
      ? undefined
      : toPassword(password, "setCredentials password");
    driver.setCredentials(username, bytes); // the session admits it ([MQTT-3.1.2-22])
  }

  /**
   * Sets the will of the next CONNECT (paho's `will_set`); checked like the `will` option. While
   * connected it applies from the next connection.
   *
   * @throws {TypeError | RangeError} when `will` is invalid (properties need MQTT 5)
   */
  setWill(will: WillOptions): void {
    const driver = this.#bound().driver;
    driver.setWill(resolveWill(will, "setWill will")); // the session admits it (version rules)
  }

  /** Removes the will from the next CONNECT (paho's `will_clear`). */
  clearWill(): void {
    this.#bound().driver.setWill(undefined);
  }

  /**
   * Drops the connection without DISCONNECT — so the broker publishes the will — and connects
   * again at once, keeping queued and in-flight work (paho's `reconnect()`); an attempt under
   * way is replaced by a new one. `onDisconnect` fires with `willReconnect: true` when a
   * connection was up. Resolves with the new CONNACK; rejects like `connect()` (the attempt's
   * failure, unless `retryFirstConnect`; an abort; `disconnect()`). Before `connect()`, or
   * after `disconnect()`, it is `connect()`.
   */
  reconnect(options: ConnectCallOptions = {}): Promise<ConnackPacket> {
    try {
      checkObject(options, "reconnect options");
      return this.#bound().driver.reconnect(options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
