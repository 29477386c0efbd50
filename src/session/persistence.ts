/**
 * What a session store keeps, and how it changes: the session state that must survive a
 * restart (outgoing QoS 1/2 messages from `publish()` to their last acknowledgement, incoming QoS
 * 2 identifiers the server may still re-send, each identifier's last completed one, and the granted
 * subscriptions), as a list of {@link StoreChange}s the session emits in order, and
 * {@link SessionImage}, the state those changes build (what a store saves and loads).
 *
 * A session with `persist` on emits a change through its effect sink (a `store` action) before
 * the bytes it concerns: the driver hands the changes of a tick to the store and holds the
 * connection's writes until the store has them, so nothing reaches the server that a restarted
 * program would not know about.
 *
 * @example Replaying changes
 * ```ts
 * import { SessionImage } from "@korero/mqtt/session";
 *
 * const image = new SessionImage();
 * const message = { topic: "a/b", payload: new Uint8Array([1]), qos: 1 as const, retain: false };
 * image.apply([
 *   { op: "publish", seq: 1, message },
 *   { op: "sent", seq: 1, packetId: 7 },
 * ]);
 * const sent = image.snapshot().outgoing[0]?.packetId; // 7
 * image.apply([{ op: "done", seq: 1 }]);
 * const left = image.snapshot().outgoing.length; // 0
 * ```
 *
 * @module
 */

import type { Properties, Subscription } from "../codec/types.ts";
import type { InboundMessage, OutgoingMessage } from "./messages.ts";

/** One change to the persistent session state, in the order the session made them. */
export type StoreChange =
  /** `publish()` accepted a QoS 1/2 message (sequence number `seq`, not sent yet). */
  | { op: "publish"; seq: number; message: OutgoingMessage }
  /** Message `seq` was sent (again) with `packetId`. */
  | { op: "sent"; seq: number; packetId: number }
  /** QoS 2 message `seq` got its PUBREC: PUBREL sent, PUBCOMP awaited. */
  | { op: "released"; seq: number }
  /** Message `seq` left the session (acknowledged, refused, dropped unsent). */
  | { op: "done"; seq: number }
  /**
   * Incoming QoS 2 `packetId` awaits the server's PUBREL (PUBREC sent); with delivery on PUBREL,
   * `message` is the message kept until then.
   */
  | { op: "received"; packetId: number; fingerprint: number; message?: InboundMessage }
  /** Incoming QoS 2 `packetId` completed (PUBCOMP sent), or ended without one (no fingerprint). */
  | { op: "completed"; packetId: number; fingerprint?: number }
  /** A SUBACK granted `subscription` (made with `properties`). */
  | { op: "subscribed"; subscription: Subscription; properties?: Properties }
  /** `topicFilter` was unsubscribed or its subscription refused. */
  | { op: "unsubscribed"; topicFilter: string }
  /**
   * The server had no session: packet identifiers, incoming QoS 2 states and the completed
   * fingerprints are forgotten (outgoing messages stay; they are published again as new ones).
   */
  | { op: "reset" };

/** An outgoing message as stored, in the order `publish()` accepted it. */
export interface SavedOutgoing {
  /** Its sequence number (unique per client identifier, increasing). */
  seq: number;
  /** The message as given to `publish()`. */
  message: OutgoingMessage;
  /** The packet identifier it was last sent with; 0 if never sent in the current session. */
  packetId: number;
  /** QoS 2: the PUBREC arrived (PUBREL is what goes out again). */
  released: boolean;
}

/** An incoming QoS 2 exchange awaiting the server's PUBREL. */
export interface SavedIncoming {
  /** Its packet identifier. */
  packetId: number;
  /** The fingerprint of its topic and payload (`fingerprint.ts`). */
  fingerprint: number;
  /** With delivery on PUBREL: the message, delivered when the PUBREL comes. */
  message?: InboundMessage;
}

/** A granted subscription, to be made again when the server has no session. */
export interface SavedSubscription {
  /** The filter and its options. */
  subscription: Subscription;
  /** The SUBSCRIBE properties it was made with. */
  properties?: Properties;
}

/** The whole saved state of one session, as a store loads it. */
export interface SavedSession {
  /** Outgoing messages, oldest first. */
  outgoing: SavedOutgoing[];
  /** Incoming QoS 2 exchanges awaiting PUBREL. */
  incoming: SavedIncoming[];
  /** The last completed incoming QoS 2 exchange of each packet identifier (fingerprint). */
  completed: { packetId: number; fingerprint: number }[];
  /** Granted subscriptions, in the order they were made. */
  subscriptions: SavedSubscription[];
}

/** The state a list of {@link StoreChange}s builds; what a store keeps per client identifier. */
export class SessionImage {
  readonly #outgoing = new Map<number, SavedOutgoing>();
  readonly #incoming = new Map<number, SavedIncoming>();
  readonly #completed = new Map<number, number>();
  readonly #subscriptions = new Map<string, SavedSubscription>();

  /** How many records the state holds (what a compacted log would write). */
  get size(): number {
    return this.#outgoing.size + this.#incoming.size + this.#completed.size +
      this.#subscriptions.size;
  }

  /** Applies `changes` in order. Changes about unknown messages are ignored. */
  apply(changes: readonly StoreChange[]): void {
    for (const change of changes) this.#apply(change);
  }

  #apply(change: StoreChange): void {
    switch (change.op) {
      case "publish":
        this.#outgoing.set(change.seq, {
          seq: change.seq,
          message: change.message,
          packetId: 0,
          released: false,
        });
        return;
      case "sent": {
        const entry = this.#outgoing.get(change.seq);
        if (entry !== undefined) entry.packetId = change.packetId;
        return;
      }
      case "released": {
        const entry = this.#outgoing.get(change.seq);
        if (entry !== undefined) entry.released = true;
        return;
      }
      case "done":
        this.#outgoing.delete(change.seq);
        return;
      case "received": {
        const entry: SavedIncoming = {
          packetId: change.packetId,
          fingerprint: change.fingerprint,
        };
        if (change.message !== undefined) entry.message = change.message;
        this.#incoming.set(change.packetId, entry);
        return;
      }
      case "completed": {
        this.#incoming.delete(change.packetId);
        if (change.fingerprint === undefined) return;
        const completed = this.#completed;
        completed.set(change.packetId, change.fingerprint);
        return;
      }
      case "subscribed": {
        const filter = change.subscription.topicFilter;
        const entry: SavedSubscription = { subscription: change.subscription };
        if (change.properties !== undefined) entry.properties = change.properties;
        this.#subscriptions.delete(filter); // a newer subscription goes last
        this.#subscriptions.set(filter, entry);
        return;
      }
      case "unsubscribed":
        this.#subscriptions.delete(change.topicFilter);
        return;
      case "reset":
        for (const entry of this.#outgoing.values()) {
          entry.packetId = 0;
          entry.released = false;
        }
        this.#incoming.clear();
        this.#completed.clear();
        return;
    }
  }

  /** The state as plain data (the stored objects themselves, not copies). */
  snapshot(): SavedSession {
    return {
      outgoing: [...this.#outgoing.values()],
      incoming: [...this.#incoming.values()],
      completed: [...this.#completed].map(([packetId, fingerprint]) => ({ packetId, fingerprint })),
      subscriptions: [...this.#subscriptions.values()],
    };
  }

  /** The changes that rebuild this state from nothing, in order (for compaction). */
  changes(): StoreChange[] {
    const out: StoreChange[] = [];
    for (const entry of this.#outgoing.values()) {
      out.push({ op: "publish", seq: entry.seq, message: entry.message });
      if (entry.packetId !== 0) out.push({ op: "sent", seq: entry.seq, packetId: entry.packetId });
      if (entry.released) out.push({ op: "released", seq: entry.seq });
    }
    for (const [packetId, fingerprint] of this.#completed) {
      out.push({ op: "completed", packetId, fingerprint });
    }
    for (const entry of this.#incoming.values()) {
      const change: StoreChange = {
        op: "received",
        packetId: entry.packetId,
        fingerprint: entry.fingerprint,
      };
      if (entry.message !== undefined) change.message = entry.message;
      out.push(change);
    }
    for (const entry of this.#subscriptions.values()) {
      const change: StoreChange = { op: "subscribed", subscription: entry.subscription };
      if (entry.properties !== undefined) change.properties = entry.properties;
      out.push(change);
    }
    return out;
  }
}
