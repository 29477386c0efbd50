/**
 * Outgoing work: one PUBLISH, SUBSCRIBE or UNSUBSCRIBE from the call that made it to its last
 * acknowledgement ({@link OutgoingAck}). Work objects are plain records tagged by `type`; the session's parts move
 * them between stages.
 *
 * @module
 */

import type {
  Properties,
  PubAckPacket,
  SubackPacket,
  Subscription,
  UnsubackPacket,
} from "../codec/types.ts";
import type { StoredSubscription } from "./subscriptions.ts";
import type { OutgoingMessage, Token } from "./types.ts";

/**
 * Where a piece of work is: `new` (not placed yet), `waiting` (for room in the queue), `queued`,
 * `inflight` (sent, awaiting PUBACK/PUBREC/SUBACK/UNSUBACK), `resend` (in flight from an earlier
 * connection, held back on resume until the window has room), `released` (QoS 2: PUBREL sent,
 * awaiting PUBCOMP), `done` (finished, dropped or cancelled before sending).
 */
export type Stage = "new" | "waiting" | "queued" | "inflight" | "resend" | "released" | "done";

interface WorkBase {
  /** The caller's token while unsettled; undefined once settled (the flow may go on silently). */
  token: Token | undefined;
  /** 0 until sent (or for QoS 0). */
  packetId: number;
  stage: Stage;
  /** Bytes counted against `maxQueuedBytes`: the payload of a PUBLISH, 0 otherwise. */
  cost: number;
}

/** An outgoing application message. */
export interface PublishWork extends WorkBase {
  type: "publish";
  message: OutgoingMessage;
  /** With a user-set topic alias: the topic it stands for (the message's topic may be ""). */
  aliasTopic?: string;
  /** In flight: its place in the order the PUBLISH were first sent (they resend in it). */
  sentOrder?: number;
  /** QoS 2 past PUBREC: its place in the order the PUBRECs arrived (PUBRELs resend in it). */
  releasedOrder?: number;
  /** Its sequence number in the session store (`journal.ts`); 0 when not stored. */
  seq: number;
  /** Loaded from the session store: no caller waits, but it is not to be dropped. */
  restored?: true;
}

/** An outgoing SUBSCRIBE. */
export interface SubscribeWork extends WorkBase {
  type: "subscribe";
  subscriptions: Subscription[];
  properties: Properties | undefined;
  /** Its entries in the subscription store (for resubscribe bookkeeping). */
  entries: StoredSubscription[];
}

/** An outgoing UNSUBSCRIBE. */
export interface UnsubscribeWork extends WorkBase {
  type: "unsubscribe";
  topicFilters: string[];
  properties: Properties | undefined;
  /** The store entry of each filter when `unsubscribe()` was called, forgotten on success. */
  entries: (StoredSubscription | undefined)[];
}

/** SUBSCRIBE or UNSUBSCRIBE. */
export type ControlWork = SubscribeWork | UnsubscribeWork;

/** Any outgoing work. */
export type Work = PublishWork | ControlWork;

/** The acknowledgements of outgoing flows (a PUBREL belongs to an incoming one). */
export type OutgoingAck =
  | (PubAckPacket & { type: "puback" | "pubrec" | "pubcomp" })
  | SubackPacket
  | UnsubackPacket;

/** "PUBLISH to "a/b"", "SUBSCRIBE to "x", "y"", … for messages. */
export function describeWork(work: Work): string {
  if (work.type === "publish") return `PUBLISH to "${work.message.topic}"`;
  if (work.type === "subscribe") {
    return `SUBSCRIBE to ${work.subscriptions.map((s) => `"${s.topicFilter}"`).join(", ")}`;
  }
  return `UNSUBSCRIBE from ${work.topicFilters.map((f) => `"${f}"`).join(", ")}`;
}
