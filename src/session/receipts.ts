/**
 * What the session remembers about incoming QoS 1/2 messages: the deliveries the application
 * has not acknowledged yet (by receipt), and the state of each incoming QoS 2 packet identifier
 * (exactly once: MQTT 5 §4.3.3, method B of MQTT 3.1.1 §4.3.3).
 *
 * QoS 2 states of a packet identifier:
 * - `delivered`: delivered on PUBLISH, awaiting the application's acknowledgement (then PUBREC);
 * - `received`: PUBREC sent, awaiting the server's PUBREL (then PUBCOMP);
 * - `stored`: (delivery on PUBREL) PUBREC sent, the message kept until PUBREL delivers it;
 * - `released`: (delivery on PUBREL) delivered, awaiting the acknowledgement (then PUBCOMP).
 *
 * QoS 2 states, and the acknowledgements the application still owes for QoS 2 deliveries,
 * survive a reconnect that resumes the session: a re-sent PUBLISH or PUBREL is then not
 * delivered again, and the application's acknowledgement is answered on the new connection
 * (exactly once). Acknowledgements of QoS 1 deliveries end with their connection (the server
 * sends the message again).
 *
 * Each QoS 2 state keeps the fingerprint of its message (`fingerprint.ts`), so that a PUBLISH on
 * a held identifier can be told a re-send (same fingerprint) from a different message on a reused
 * identifier (a broker's fault). For every packet identifier, the fingerprint of its last
 * completed exchange (PUBCOMP written) is remembered: a broker that re-sends, with DUP=1, a
 * message whose exchange had completed (Mosquitto after a restart from a state saved up to its
 * `autosave_interval` earlier, which can be tens of thousands of exchanges back) is answered
 * without a second delivery. One slot per identifier (a 256 KiB table, made by the first
 * completed exchange) covers everything until the identifier is used again. It belongs to the
 * session: it survives a resumed session and is forgotten with it.
 *
 * Every remembered QoS 2 identifier and every QoS 1 identifier whose delivery is not acknowledged
 * yet (its PUBACK not written) counts against our Receive Maximum (MQTT 5 §3.3.4), each once: the
 * server must not exceed it, so an application that does not acknowledge stops the flow instead
 * of losing messages.
 *
 * @module
 */

import type { InboundMessage } from "./types.ts";
import { TokenTable } from "./_token_table.ts";
import { PacketIds } from "./packet_ids.ts";

/** A fingerprint as a table slot keeps it: 0 means "none", so a fingerprint of 0 is kept as 1. */
function slot(fingerprint: number): number {
  return fingerprint === 0 ? 1 : fingerprint >>> 0;
}

/** The state of an incoming QoS 2 packet identifier (see the module documentation). */
export type Qos2State = "delivered" | "received" | "stored" | "released";

/**
 * An incoming QoS 2 packet identifier's state, and its message while it is `stored`. One entry
 * lives through the whole exchange: `Receipts.advanceQos2` moves it on.
 */
export interface Qos2Entry {
  /** Where the exchange is. */
  readonly state: Qos2State;
  /** The fingerprint of the message's topic and payload (`fingerprint.ts`). */
  readonly fingerprint: number;
  /** The receipt of its delivery while the acknowledgement is awaited (`delivered`, `released`); else 0. */
  readonly receipt: number;
  /** The message kept until PUBREL (`stored`). */
  readonly message: InboundMessage | undefined;
}

/** The fields of a `Qos2Entry` as `Receipts` changes them. */
type Qos2Slot = { -readonly [K in keyof Qos2Entry]: Qos2Entry[K] };

/**
 * A delivery awaiting the application's acknowledgement, as one number: its packet identifier
 * times 4 plus its QoS (a number per message, where an object was garbage for the collector).
 */
export type PendingAck = number;

/** The packet identifier of a `PendingAck`. */
export function pendingPacketId(pending: PendingAck): number {
  return pending >>> 2;
}

/** The QoS of a `PendingAck`. */
export function pendingQos(pending: PendingAck): 1 | 2 {
  return (pending & 3) as 1 | 2;
}

function awaitsRelease(state: Qos2State): boolean {
  return state === "received" || state === "stored";
}

/** Unacknowledged deliveries and QoS 2 identifier states of one session. */
export class Receipts {
  // Made on first use: a connection no QoS 1/2 message reached keeps none. Receipts are handed
  // out in increasing order and mostly taken back in that order, and brokers mostly number
  // their packets upwards: array windows (`TokenTable`) and a bitset (`PacketIds`), where
  // `Map`s rebuilt their tables as entries came and went (~265 bytes of garbage per QoS 1
  // message; bench/README.md "Client").
  #pending: TokenTable<PendingAck> | undefined;
  #qos2: TokenTable<Qos2Entry> | undefined;
  #nextReceipt = 1;
  /** Packet identifiers of QoS 1 deliveries awaiting acknowledgement. */
  #qos1: PacketIds | undefined;
  /** QoS 2 identifiers awaiting the server's PUBREL (`received`, `stored`). */
  #awaitingRelease = 0;
  /** The fingerprint of each identifier's last completed exchange (0: none), made on first use. */
  #completed: Uint32Array | undefined;
  #completedCount = 0;

  /** Deliveries and identifiers that count against our Receive Maximum. */
  get inFlight(): number {
    return (this.#qos1?.size ?? 0) + (this.#qos2?.size ?? 0);
  }

  /** Whether a QoS 1 delivery of `packetId` still awaits the application's acknowledgement. */
  holdsQos1(packetId: number): boolean {
    return this.#qos1?.has(packetId) ?? false;
  }

  /** Incoming QoS 2 exchanges that wait for the server (a PUBREL to answer). */
  get awaitingRelease(): number {
    return this.#awaitingRelease;
  }

  /** The QoS 2 state of `packetId`. */
  qos2(packetId: number): Qos2Entry | undefined {
    return this.#qos2?.get(packetId);
  }

  /**
   * Starts (or, on a reused identifier, replaces) the QoS 2 state of `packetId`: a message of
   * `fingerprint` in `state`, with the receipt of its delivery or the message it keeps.
   */
  setQos2(
    packetId: number,
    state: Qos2State,
    fingerprint: number,
    receipt = 0,
    message?: InboundMessage,
  ): void {
    const qos2 = this.#qos2 ??= new TokenTable();
    const before = qos2.get(packetId);
    if (before !== undefined && awaitsRelease(before.state)) this.#awaitingRelease--;
    if (awaitsRelease(state)) this.#awaitingRelease++;
    const entry: Qos2Entry = { state, fingerprint, receipt, message };
    qos2.set(packetId, entry);
  }

  /**
   * Moves a held QoS 2 `entry` on to `state`, with the receipt of its delivery in `released`
   * (the message it kept is let go).
   */
  advanceQos2(entry: Qos2Entry, state: "received" | "released", receipt = 0): void {
    if (awaitsRelease(entry.state)) this.#awaitingRelease--;
    if (awaitsRelease(state)) this.#awaitingRelease++;
    const slot = entry as Qos2Slot;
    slot.state = state;
    slot.receipt = receipt;
    slot.message = undefined;
  }

  /** Forgets the QoS 2 state of `packetId`. */
  deleteQos2(packetId: number): void {
    const before = this.#qos2?.get(packetId);
    if (before === undefined) return;
    if (awaitsRelease(before.state)) this.#awaitingRelease--;
    this.#qos2!.delete(packetId);
  }

  /**
   * The exchange of `packetId` completed (PUBCOMP written) for a message of `fingerprint`: its
   * state is forgotten, and `fingerprint` is remembered as the identifier's last completed one.
   */
  completeQos2(packetId: number, fingerprint: number): void {
    this.deleteQos2(packetId);
    const completed = this.#completed ??= new Uint32Array(65_536);
    if (completed[packetId] === 0) this.#completedCount++;
    completed[packetId] = slot(fingerprint);
  }

  /** Whether the last completed exchange of `packetId` was a message of `fingerprint`. */
  completedQos2(packetId: number, fingerprint: number): boolean {
    return this.#completed !== undefined && this.#completed[packetId] === slot(fingerprint);
  }

  /** How many identifiers have a completed exchange remembered. */
  get completedCount(): number {
    return this.#completedCount;
  }

  /** A new delivery of `packetId` at `qos`, to be acknowledged; returns its receipt. */
  expectAck(packetId: number, qos: 1 | 2): number {
    const receipt = this.#nextReceipt++;
    (this.#pending ??= new TokenTable()).set(receipt, packetId * 4 + qos);
    if (qos === 1) (this.#qos1 ??= new PacketIds()).take(packetId);
    return receipt;
  }

  /** Takes the delivery of `receipt` (undefined when unknown or taken already). */
  takeAck(receipt: number): PendingAck | undefined {
    const pending = this.#pending?.get(receipt);
    if (pending === undefined) return undefined;
    this.#pending!.delete(receipt);
    if (pendingQos(pending) === 1) this.#qos1?.release(pendingPacketId(pending));
    return pending;
  }

  /**
   * A new connection: QoS 1 deliveries of the last one can no longer be acknowledged (the
   * server sends them again); QoS 2 deliveries and states stay when the session was resumed,
   * and are forgotten, with every QoS 2 identifier and the completed fingerprints, when it was
   * not.
   */
  newConnection(sessionPresent: boolean): void {
    this.#qos1?.clear();
    if (!sessionPresent) {
      this.#pending?.clear();
      this.#qos2?.clear();
      this.#completed = undefined;
      this.#completedCount = 0;
      this.#awaitingRelease = 0;
      return;
    }
    this.#pending?.deleteIf((pending) => pendingQos(pending) === 1);
  }
}
