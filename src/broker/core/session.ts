/**
 * `Session`: what the broker keeps for one client identifier across connections —
 * subscriptions, outgoing QoS 1/2 messages in flight and queued (flow control by the client's
 * Receive Maximum), incoming QoS 2 identifiers awaiting PUBREL, expiry and a delayed will.
 *
 * @module
 */

import type { Packet, ProtocolVersion, PublishPacket, QoS, Will } from "../../codec/types.ts";
import { type BrokerMessage, remainingExpiry } from "./message.ts";
import type { SubscriptionRecord } from "./subscriptions.ts";
import type { LogLevel } from "./types.ts";

/** Session Expiry Interval meaning "never" (MQTT 5 §3.1.2.11.2). */
export const NEVER_EXPIRES = 0xffffffff;

/** The live connection of a session, as the session sends through it. */
export interface Outlet {
  /** The connection's protocol level. */
  readonly protocolVersion: ProtocolVersion;
  /** The client's Receive Maximum (65535 before MQTT 5). */
  readonly receiveMaximum: number;
  /** Writes one packet; returns false (writing nothing) if it exceeds the client's maximum size. */
  send(packet: Packet): boolean;
}

/** One message on its way to one session. */
export interface Delivery {
  /** The message. */
  readonly message: BrokerMessage;
  /** The QoS to deliver with: the lower of the message's and the subscription's. */
  readonly qos: QoS;
  /** The retain flag to deliver with. */
  readonly retain: boolean;
  /** The subscription identifiers of the matching subscriptions (MQTT 5). */
  readonly identifiers: readonly number[];
}

interface Outgoing {
  packet: PublishPacket;
  /** "publish": awaiting PUBACK/PUBREC; "pubrel": PUBREL sent, awaiting PUBCOMP. */
  state: "publish" | "pubrel";
}

/** A will waiting for its delay (or the end of its session). */
export interface PendingWill {
  /** The will. */
  readonly will: Will;
  /** When it is due (ms). */
  readonly at: number;
}

/** The state of one client identifier. */
export class Session {
  /** The client identifier. */
  readonly clientId: string;
  /** Subscriptions by filter as subscribed. */
  readonly subscriptions: Map<string, SubscriptionRecord> = new Map();
  /** Incoming QoS 2 identifiers received (and routed) but not yet released by PUBREL. */
  readonly incomingQos2: Set<number> = new Set();
  /** The connection the session is attached to, if any. */
  outlet: Outlet | undefined;
  /** Session Expiry Interval in seconds ({@link NEVER_EXPIRES} = never). */
  expiryInterval = 0;
  /** When a detached session expires (ms); `undefined` while attached or never. */
  expiresAt: number | undefined;
  /** A will published when its delay has passed or the session ends, whichever is first. */
  pendingWill: PendingWill | undefined;
  readonly #outgoing = new Map<number, Outgoing>();
  readonly #queue: Delivery[] = [];
  readonly #maxQueued: number;
  readonly #log: (level: LogLevel, message: string) => void;
  #nextId = 1;

  /** A new, empty session. */
  constructor(
    clientId: string,
    maxQueued: number,
    log: (level: LogLevel, message: string) => void,
  ) {
    this.clientId = clientId;
    this.#maxQueued = maxQueued;
    this.#log = log;
  }

  /** Outgoing QoS 1/2 messages not yet completed, and queued ones. */
  get pending(): { inflight: number; queued: number } {
    return { inflight: this.#outgoing.size, queued: this.#queue.length };
  }

  /**
   * Sends `delivery` now if the client is connected and its window has room, else queues it
   * (QoS 1/2 only; QoS 0 to an offline client is dropped).
   */
  deliver(delivery: Delivery, now: number): void {
    const outlet = this.outlet;
    if (delivery.qos === 0) {
      if (outlet !== undefined) this.#transmit(outlet, delivery, now);
      return;
    }
    if (
      outlet === undefined || this.#queue.length > 0 ||
      this.#outgoing.size >= outlet.receiveMaximum
    ) {
      if (this.#queue.length >= this.#maxQueued) {
        this.#log("warn", `Dropped a message to "${this.clientId}": its queue is full`);
        return;
      }
      this.#queue.push(delivery);
      return;
    }
    this.#transmit(outlet, delivery, now);
  }

  /** Sends queued messages while the client's window has room. */
  pump(now: number): void {
    const outlet = this.outlet;
    if (outlet === undefined) return;
    while (this.#queue.length > 0 && this.#outgoing.size < outlet.receiveMaximum) {
      this.#transmit(outlet, this.#queue.shift()!, now);
    }
  }

  /**
   * After a resumed CONNECT: re-sends every unacknowledged PUBLISH with DUP set and every
   * PUBREL, in their original order [MQTT-4.4.0-1], then the queue.
   */
  resume(now: number): void {
    const outlet = this.outlet;
    if (outlet === undefined) return;
    for (const [packetId, entry] of this.#outgoing) {
      if (entry.state === "publish") outlet.send({ ...entry.packet, dup: true });
      else outlet.send({ type: "pubrel", packetId, reasonCode: 0 });
    }
    this.pump(now);
  }

  /**
   * Handles the client's PUBACK, PUBREC or PUBCOMP for `packetId`; returns false if no
   * message of that stage was in flight under it.
   */
  acknowledge(
    type: "puback" | "pubrec" | "pubcomp",
    packetId: number,
    reasonCode: number,
    now: number,
  ): boolean {
    const entry = this.#outgoing.get(packetId);
    const expected = type === "pubcomp" ? "pubrel" : "publish";
    if (entry === undefined || entry.state !== expected) return false;
    if ((type === "puback") !== (entry.packet.qos === 1) && type !== "pubcomp") return false;
    if (type === "pubrec" && reasonCode < 0x80) {
      entry.state = "pubrel";
      this.outlet?.send({ type: "pubrel", packetId, reasonCode: 0 });
      return true;
    }
    this.#outgoing.delete(packetId);
    this.pump(now);
    return true;
  }

  /** Forgets everything in flight and queued (the session ends). */
  clear(): void {
    this.#outgoing.clear();
    this.#queue.length = 0;
    this.incomingQos2.clear();
    this.subscriptions.clear();
  }

  #transmit(outlet: Outlet, delivery: Delivery, now: number): void {
    const { message, qos } = delivery;
    const expiry = remainingExpiry(message, now);
    if (expiry === -1) return; // expired while queued [MQTT-3.3.2-5]
    const packet: PublishPacket = {
      type: "publish",
      topic: message.topic,
      payload: message.payload,
      qos,
      retain: delivery.retain,
      dup: false,
    };
    if (outlet.protocolVersion === 5) {
      const properties = { ...message.properties };
      if (expiry !== undefined) properties.messageExpiryInterval = expiry;
      const ids = delivery.identifiers;
      if (ids.length > 0) properties.subscriptionIdentifier = ids.length === 1 ? ids[0]! : [...ids];
      if (Object.keys(properties).length > 0) packet.properties = properties;
    }
    if (qos > 0) packet.packetId = this.#allocateId();
    if (!outlet.send(packet)) {
      this.#log(
        "warn",
        `Dropped a message on "${message.topic}" to "${this.clientId}": larger than its ` +
          `Maximum Packet Size [MQTT-3.1.2-25]`,
      );
      return;
    }
    if (qos > 0) this.#outgoing.set(packet.packetId!, { packet, state: "publish" });
  }

  /** The next identifier not in flight (the window is never 65,535 full when this is called). */
  #allocateId(): number {
    while (this.#outgoing.has(this.#nextId)) this.#nextId = (this.#nextId % 65535) + 1;
    const id = this.#nextId;
    this.#nextId = (id % 65535) + 1;
    return id;
  }
}
