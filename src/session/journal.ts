/**
 * The session's side of a session store: it numbers the outgoing QoS 1/2 messages and emits a
 * {@link StoreChange} (through the effect sink, as a `store` action) at each step of the state
 * a restarted program needs (`persistence.ts`). Off (the `persist` option unset), every method
 * returns at once and nothing is numbered.
 *
 * @module
 */

import type { Properties, Subscription } from "../codec/types.ts";
import type { Effects } from "./effects.ts";
import { type InboundMessage, PLAIN_MESSAGES, remake } from "./messages.ts";
import type { StoreChange } from "./persistence.ts";
import type { PublishWork } from "./work.ts";

/** Emits the store changes of one session. */
export class Journal {
  /** Whether changes are emitted (the `persist` option). */
  readonly on: boolean;
  readonly #fx: Effects;
  #nextSeq = 1;

  constructor(fx: Effects, on: boolean) {
    this.#fx = fx;
    this.on = on;
  }

  /** Restored messages used sequence numbers up to `seq`: new ones continue after it. */
  continueAfter(seq: number): void {
    if (seq >= this.#nextSeq) this.#nextSeq = seq + 1;
  }

  #emit(change: StoreChange): void {
    this.#fx.emit({ type: "store", change });
  }

  /** `publish()` accepted QoS 1/2 `work`: it gets its sequence number. */
  accepted(work: PublishWork): void {
    if (!this.on || work.message.qos === 0) return;
    work.seq = this.#nextSeq++;
    let message = work.message;
    // A user-set topic alias means nothing after a restart: the topic it stands for is kept.
    if (message.topic === "" && work.aliasTopic !== undefined) {
      message = { ...message, topic: work.aliasTopic };
    }
    this.#emit({ op: "publish", seq: work.seq, message });
  }

  /** `work` was given a packet identifier and is about to be sent. */
  sent(work: PublishWork): void {
    if (work.seq !== 0) this.#emit({ op: "sent", seq: work.seq, packetId: work.packetId });
  }

  /** QoS 2 `work` got its PUBREC. */
  released(work: PublishWork): void {
    if (work.seq !== 0) this.#emit({ op: "released", seq: work.seq });
  }

  /** `work` left the session for good (once; later calls do nothing). */
  done(work: PublishWork): void {
    if (work.seq === 0) return;
    this.#emit({ op: "done", seq: work.seq });
    work.seq = 0;
  }

  /**
   * Incoming QoS 2 `packetId` awaits PUBREL (PUBREC written); `message` with delivery on it, kept
   * as a plain copy of its fields (the session's messages may be a client's objects, which refer to
   * their client: a store must not keep that alive).
   */
  received(packetId: number, fingerprint: number, message?: InboundMessage): void {
    if (!this.on) return;
    const change: StoreChange = { op: "received", packetId, fingerprint };
    if (message !== undefined) change.message = remake(PLAIN_MESSAGES, message);
    this.#emit(change);
  }

  /** Incoming QoS 2 `packetId` completed (PUBCOMP written). */
  completed(packetId: number, fingerprint: number): void {
    if (this.on) this.#emit({ op: "completed", packetId, fingerprint });
  }

  /** A SUBACK granted `subscription`. */
  subscribed(subscription: Subscription, properties: Properties | undefined): void {
    if (!this.on) return;
    const change: StoreChange = { op: "subscribed", subscription };
    if (properties !== undefined) change.properties = properties;
    this.#emit(change);
  }

  /** `topicFilter` is no longer subscribed. */
  unsubscribed(topicFilter: string): void {
    if (this.on) this.#emit({ op: "unsubscribed", topicFilter });
  }

  /** The server kept no session: identifiers and incoming QoS 2 states are forgotten. */
  reset(): void {
    if (this.on) this.#emit({ op: "reset" });
  }
}
