/**
 * `Session.restore()`: a saved session taken back before the first call. Outgoing messages that
 * had a packet identifier are in flight again (resent with DUP on a resumed session, published
 * again otherwise, see `resume.ts`), the others queued in their order, ahead of new messages; no
 * caller waits for them. Incoming QoS 2 states, completed fingerprints and granted subscriptions
 * come back too, and one log line says how much was restored.
 *
 * @module
 */

import type { OutboxParts } from "./outbox_parts.ts";
import type { SavedSession } from "./persistence.ts";
import type { SessionParts } from "./session_parts.ts";
import type { SessionOptions, SessionState } from "./types.ts";

/**
 * Checks that `restore()` may be called now: with the persist option, before the first connect
 * and any call (`restored`: it was called already).
 */
export function checkRestore(options: SessionOptions, state: SessionState, restored: boolean) {
  if (options.persist !== true) throw new Error("restore() needs the persist option");
  if (state !== "idle" || restored) {
    throw new Error("restore() comes before the first connect and any call");
  }
}

/** Restores `saved` into the outbox and the incoming side, and logs what it restored. */
export function restoreSession(saved: SavedSession, parts: SessionParts): void {
  const messages = restoreOutgoing(saved, parts.outboxParts);
  parts.publishIn.restore(saved);
  const incoming = saved.incoming.length;
  const subscriptions = saved.subscriptions.length;
  if (messages + incoming + subscriptions > 0) {
    parts.fx.log(
      "info",
      `Session store: restored ${messages} outgoing messages, ${incoming} incoming QoS 2 exchanges and ${subscriptions} subscriptions`,
    );
  }
}

/** The outgoing side of {@link restoreSession}; returns how many messages were restored. */
export function restoreOutgoing(saved: SavedSession, parts: OutboxParts): number {
  const { journal, publishes, inflight, queue } = parts;
  let count = 0;
  for (const entry of saved.outgoing) {
    journal.continueAfter(entry.seq);
    const work = publishes.work(undefined, entry.message);
    work.seq = entry.seq;
    work.restored = true;
    work.packetId = entry.packetId;
    if (entry.packetId === 0 || !inflight.adopt(work, entry.released)) {
      work.packetId = 0;
      queue.enqueue(work); // restored before any call: ahead of new messages
    }
    count++;
  }
  parts.subscribes.restore(saved.subscriptions);
  return count;
}
