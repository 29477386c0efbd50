/**
 * What korero may deliver of the QoS 2 messages a broker sends it, worked out from the packets a
 * capturing relay saw (tests/_helpers/relay.ts) — so a test can tell a duplicate korero made
 * from one the broker made.
 *
 * It replays korero's documented rules (README, "What it does on the wire"; `receipts.ts`) on the
 * wire: a PUBLISH on an identifier held for the same message (same key) is a re-send, not
 * delivered; on an identifier held for another message, it is a new message, delivered; a DUP=1
 * PUBLISH of the message whose exchange last completed on that identifier (the broker's PUBREL)
 * is a re-send; anything else is delivered. A CONNACK without a session forgets it all.
 *
 * Each PUBLISH korero must deliver is reported to `deliverable`, each it must not to
 * `recognised`: korero delivering a message more often than `deliverable` was called for it is
 * korero's duplicate; `deliverable` called more than once for a message is the broker's.
 *
 * @module
 */

import type { CapturedPacket } from "../_helpers/relay.ts";
import type { PublishPacket } from "../../src/codec/types.ts";

/** Replays korero's QoS 2 receiving rules over one subscriber's captured packets. */
export class Qos2Oracle<K> {
  #held = new Map<number, K>();
  #completed = new Map<number, K>();
  #keyOf: (publish: PublishPacket) => K | undefined;
  #deliverable: (key: K) => void;
  #recognised: (key: K) => void;

  /**
   * `keyOf` names a message (e.g. by its payload; undefined: not tracked); `deliverable` and
   * `recognised` receive the verdict on each QoS 2 PUBLISH the broker sent.
   */
  constructor(
    keyOf: (publish: PublishPacket) => K | undefined,
    deliverable: (key: K) => void,
    recognised: (key: K) => void = () => {},
  ) {
    this.#keyOf = keyOf;
    this.#deliverable = deliverable;
    this.#recognised = recognised;
  }

  /** Feeds one captured packet (every one of the subscriber's relay, in order). */
  observe({ direction, packet, forwarded }: CapturedPacket): void {
    if (direction !== "toClient" || !forwarded) return;
    if (packet.type === "connack") {
      if (!packet.sessionPresent) {
        this.#held.clear();
        this.#completed.clear();
      }
    } else if (packet.type === "pubrel") {
      // korero answers a PUBREL for an exchange it holds with PUBCOMP: completed.
      const key = this.#held.get(packet.packetId);
      if (key === undefined) return;
      this.#held.delete(packet.packetId);
      this.#completed.set(packet.packetId, key);
    } else if (packet.type === "publish" && packet.qos === 2) {
      const key = this.#keyOf(packet);
      if (key === undefined) return;
      const id = packet.packetId!;
      const held = this.#held.get(id);
      const resend = held !== undefined
        ? held === key
        : packet.dup && this.#completed.get(id) === key;
      this.#held.set(id, key);
      if (resend) this.#recognised(key);
      else this.#deliverable(key);
    }
  }
}
