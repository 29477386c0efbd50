/**
 * `BrokerCore`: the broker as a pure state machine. The host hands it connections (a
 * {@link Link} to write to), their bytes and closes, and the time (`now`, ms) with every input;
 * it writes packets to the links, and says through {@link BrokerCore.nextDeadline} when it next
 * needs {@link BrokerCore.timer}. No clock, timer, socket or promise in here.
 *
 * @module
 */

import type {
  ConnackPacket,
  ConnectPacket,
  Properties,
  SubscribePacket,
  UnsubscribePacket,
} from "../../codec/types.ts";
import { connackRefusal, connackSuccess } from "./connack.ts";
import { Connection } from "./connection.ts";
import type { BrokerLimits, ResolvedLimits } from "./limits.ts";
import { resolveLimits } from "./limits.ts";
import { type BrokerMessage, messageFromWill } from "./message.ts";
import { RetainedStore } from "./retained.ts";
import { NEVER_EXPIRES, Session } from "./session.ts";
import { SubscriptionTable } from "./subscriptions.ts";
import { handleSubscribe, handleUnsubscribe, type SubscribeScope } from "./subscribe.ts";
import type { AuthResult, CoreHooks, Link, LogLevel } from "./types.ts";

/** The whole broker state: connections, sessions, subscriptions and retained messages. */
export class BrokerCore {
  /** The limits in force. */
  readonly limits: ResolvedLimits;
  readonly #hooks: CoreHooks;
  readonly #connections = new Set<Connection>();
  readonly #sessions = new Map<string, Session>();
  readonly #subscriptions = new SubscriptionTable();
  readonly #retained = new RetainedStore();
  readonly #scope: SubscribeScope;
  #assigned = 0;

  /**
   * A broker with `limits` calling `hooks`.
   *
   * @throws {TypeError | RangeError} a limit of the wrong type or out of range.
   */
  constructor(limits: BrokerLimits = {}, hooks: CoreHooks = {}) {
    this.limits = resolveLimits(limits);
    this.#hooks = hooks;
    this.#scope = {
      limits: this.limits,
      subscriptions: this.#subscriptions,
      retained: this.#retained,
      log: (level, message) => this.log(level, message),
    };
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Sessions held (connected or not). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Retained messages held. */
  get retainedCount(): number {
    return this.#retained.size;
  }

  /** The session of `clientId`, if the broker holds one. */
  session(clientId: string): Session | undefined {
    return this.#sessions.get(clientId);
  }

  /** A client connected at `now`: returns the connection to feed its bytes and close to. */
  open(link: Link, now: number): Connection {
    const connection = new Connection(this, link, now);
    this.#connections.add(connection);
    return connection;
  }

  /** Writes a log line through the hook. */
  log(level: LogLevel, message: string): void {
    this.#hooks.log?.(level, message);
  }

  /**
   * Publishes `message` at `now`: stores it if retained, and delivers it to every matching
   * subscription. Returns the number of sessions it goes to.
   */
  publish(message: BrokerMessage, now: number): number {
    if (message.retain && this.limits.retainAvailable) this.#retained.store(message);
    const routes = this.#subscriptions.route(message);
    for (const { session, delivery } of routes) session.deliver(delivery, now);
    return routes.length;
  }

  /** The earliest time {@link timer} has work: a keepalive, a delayed will, a session expiry. */
  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const connection of this.#connections) {
      next = Math.min(next, connection.deadline() ?? next);
    }
    for (const session of this.#sessions.values()) {
      if (session.pendingWill !== undefined) next = Math.min(next, session.pendingWill.at);
      if (session.expiresAt !== undefined) next = Math.min(next, session.expiresAt);
    }
    return next === Infinity ? undefined : next;
  }

  /** Does whatever is due at `now`. */
  timer(now: number): void {
    for (const connection of [...this.#connections]) connection.timer(now);
    for (const session of [...this.#sessions.values()]) {
      const will = session.pendingWill;
      if (will !== undefined && will.at <= now) {
        session.pendingWill = undefined;
        this.publish(messageFromWill(will.will, session.clientId, now), now);
      }
      if (session.expiresAt !== undefined && session.expiresAt <= now) {
        this.log("info", `Session "${session.clientId}" expired`);
        this.#endSession(session, now);
      }
    }
  }

  /** Disconnects every client (MQTT 5: DISCONNECT 0x8B Server shutting down), without wills. */
  shutdown(now: number): void {
    for (const connection of [...this.#connections]) {
      connection.fail(0x8b, "The broker is shutting down", now, false);
    }
  }

  /** Handles a CONNECT (from {@link Connection}): checks, authenticates, then accepts. */
  connect(connection: Connection, packet: ConnectPacket, now: number): void {
    const v5 = packet.protocolVersion === 5;
    const properties = packet.properties ?? {};
    if (properties.authenticationMethod !== undefined) {
      return this.#refuse(connection, 0x8c, "Enhanced authentication is not supported", now);
    }
    if (packet.clientId === "" && !v5 && !(packet.protocolVersion === 4 && packet.clean)) {
      return this.#refuse(connection, 0x85, "An empty client identifier [MQTT-3.1.3-8]", now);
    }
    const will = packet.will;
    if (will !== undefined && will.qos > this.limits.maximumQoS) {
      return this.#refuse(connection, 0x9b, "Will QoS above Maximum QoS [MQTT-3.2.2-12]", now);
    }
    if (will?.retain === true && !this.limits.retainAvailable) {
      return this.#refuse(connection, 0x9a, "A retained will without retain [MQTT-3.2.2-13]", now);
    }
    const authenticate = this.#hooks.authenticate;
    if (authenticate === undefined) return this.#accept(connection, packet, now);
    connection.holdPackets();
    const request = {
      clientId: packet.clientId,
      protocolVersion: packet.protocolVersion,
      ...(packet.username !== undefined && { username: packet.username }),
      ...(packet.password !== undefined && { password: packet.password }),
    };
    let decided = false;
    authenticate(request, (result: AuthResult, later: number) => {
      if (decided || connection.state !== "authenticating") return;
      decided = true;
      if (result === true) return this.#accept(connection, packet, later);
      const code = typeof result === "number" && result >= 0x80 ? result : 0x86;
      this.#refuse(connection, code, `Authentication refused "${packet.clientId}"`, later);
    });
  }

  /** Detaches `connection` (closed at `now`): its will, and its session's expiry or end. */
  detach(connection: Connection, now: number, publishWill: boolean): void {
    this.#connections.delete(connection);
    const session = connection.session;
    if (session === undefined || session.outlet !== connection) return;
    session.outlet = undefined;
    const will = publishWill ? connection.will : undefined;
    if (will !== undefined) {
      const delay = will.properties?.willDelayInterval ?? 0;
      if (delay === 0) this.publish(messageFromWill(will, session.clientId, now), now);
      else session.pendingWill = { will, at: now + delay * 1000 };
    }
    if (session.expiryInterval === 0) this.#endSession(session, now);
    else if (session.expiryInterval !== NEVER_EXPIRES) {
      session.expiresAt = now + session.expiryInterval * 1000;
    }
  }

  /** Handles a SUBSCRIBE: SUBACK, then the retained messages the new subscriptions receive. */
  subscribe(connection: Connection, packet: SubscribePacket, now: number): void {
    handleSubscribe(this.#scope, connection, packet, now);
  }

  /** Handles an UNSUBSCRIBE. */
  unsubscribe(connection: Connection, packet: UnsubscribePacket, _now: number): void {
    handleUnsubscribe(this.#subscriptions, connection, packet);
  }

  #accept(connection: Connection, packet: ConnectPacket, now: number): void {
    const v5 = packet.protocolVersion === 5;
    const properties: Properties = packet.properties ?? {};
    let clientId = packet.clientId;
    const assigned = clientId === "";
    if (assigned) {
      do clientId = `korero-${(++this.#assigned).toString(36)}`; while (
        this.#sessions.has(clientId)
      );
    }
    const previous = this.#sessions.get(clientId)?.outlet;
    if (previous instanceof Connection) {
      previous.fail(0x8e, `Session taken over by a new connection`, now); // [MQTT-3.1.4-3]
    }
    let session = this.#sessions.get(clientId);
    if (session !== undefined && packet.clean) {
      this.#endSession(session, now);
      session = undefined;
    }
    const sessionPresent = session !== undefined;
    if (session === undefined) {
      session = new Session(
        clientId,
        this.limits.maxQueuedMessages,
        (level, message) => this.log(level, message),
      );
      this.#sessions.set(clientId, session);
    }
    session.pendingWill = undefined; // a new connection in time cancels a delayed will
    session.expiresAt = undefined;
    session.expiryInterval = v5
      ? properties.sessionExpiryInterval ?? 0
      : packet.clean
      ? 0
      : NEVER_EXPIRES;
    if (v5) {
      connection.receiveMaximum = properties.receiveMaximum ?? 65535;
      if (properties.maximumPacketSize !== undefined) {
        connection.maximumPacketSize = properties.maximumPacketSize;
      }
    }
    // Server Keep Alive exists in MQTT 5 only: older clients keep their own.
    const keepalive = v5 ? this.limits.serverKeepAlive ?? packet.keepalive : packet.keepalive;
    connection.attach(session, packet, clientId, keepalive);
    const connack: ConnackPacket = connackSuccess(this.limits, sessionPresent, v5, {
      ...(assigned && { assignedClientIdentifier: clientId }),
    });
    connection.send(connack);
    this.log(
      "info",
      `"${clientId}" connected (MQTT ${["3.1", "3.1.1", "5.0"][packet.protocolVersion - 3]}` +
        `${sessionPresent ? ", session resumed" : ""})`,
    );
    if (sessionPresent) session.resume(now);
    connection.releaseHeld(now);
  }

  #refuse(connection: Connection, reasonCode: number, reason: string, now: number): void {
    this.log("warn", `Refused a connection (reason code 0x${reasonCode.toString(16)}): ${reason}`);
    connection.refuse(connackRefusal(reasonCode, connection.protocolVersion === 5), now);
  }

  /** Ends `session` at `now`: its pending will goes out, its subscriptions and messages go. */
  #endSession(session: Session, now: number): void {
    const will = session.pendingWill;
    session.pendingWill = undefined;
    if (will !== undefined) this.publish(messageFromWill(will.will, session.clientId, now), now);
    this.#subscriptions.removeAll(session);
    session.clear();
    if (this.#sessions.get(session.clientId) === session) this.#sessions.delete(session.clientId);
  }
}
