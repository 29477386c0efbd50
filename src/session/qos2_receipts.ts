/**
 * Incoming QoS 2, exactly once (MQTT 5 §4.3.3, method B of MQTT 3.1.1 §4.3.3): a PUBLISH is
 * delivered when its packet identifier is first seen, the identifier is remembered until the
 * server's PUBREL, and a PUBLISH with a remembered identifier is a re-delivery that is answered
 * with PUBREC again but not delivered again.
 *
 * The remembered identifiers are the unacknowledged incoming QoS 2 messages that our Receive
 * Maximum bounds (MQTT 5 §3.3.4): one more than that is a protocol error, 0x93 Receive Maximum
 * exceeded. (QoS 1 messages are acknowledged as soon as they are delivered, so they never add up.)
 *
 * @module
 */

/** Outcome of an incoming QoS 2 PUBLISH. */
export type Qos2Arrival = "new" | "duplicate" | "exceeded";

/** The incoming QoS 2 identifiers awaiting PUBREL. */
export class Qos2Receipts {
  #awaitingRelease = new Set<number>();

  /** How many QoS 2 messages await PUBREL. */
  get size(): number {
    return this.#awaitingRelease.size;
  }

  /** Registers a QoS 2 PUBLISH with `packetId`; `receiveMaximum` bounds the new ones. */
  arrive(packetId: number, receiveMaximum: number): Qos2Arrival {
    if (this.#awaitingRelease.has(packetId)) return "duplicate";
    if (this.#awaitingRelease.size >= receiveMaximum) return "exceeded";
    this.#awaitingRelease.add(packetId);
    return "new";
  }

  /** Handles PUBREL for `packetId`; false when the identifier was not awaiting one. */
  release(packetId: number): boolean {
    return this.#awaitingRelease.delete(packetId);
  }

  /** Forgets everything (session not present). */
  clear(): void {
    this.#awaitingRelease.clear();
  }
}
