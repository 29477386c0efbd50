/**
 * `SubscriptionTable`: every session's subscriptions in one {@link TopicRouter}, and what a
 * published message turns into — one delivery per subscribed session (the highest QoS and
 * every subscription identifier of its matching subscriptions), no-local respected, and one
 * member per shared subscription group (round robin, connected members first).
 *
 * @module
 */

import type { QoS } from "../../codec/types.ts";
import { TopicRouter } from "../../topic_router.ts";
import type { BrokerMessage } from "./message.ts";
import type { Delivery, Session } from "./session.ts";

/** One subscription of one session. */
export interface SubscriptionRecord {
  /** The subscribing session. */
  readonly session: Session;
  /** The filter as subscribed (with its `$share/{group}/` prefix, if shared). */
  readonly filter: string;
  /** Whether it is a shared subscription. */
  readonly shared: boolean;
  /** The granted QoS. */
  readonly qos: QoS;
  /** MQTT 5: not sent the session's own messages. */
  readonly noLocal: boolean;
  /** MQTT 5: forwarded messages keep their retain flag. */
  readonly retainAsPublished: boolean;
  /** MQTT 5: 0 = retained on subscribe, 1 = only if new, 2 = never. */
  readonly retainHandling: 0 | 1 | 2;
  /** MQTT 5: the subscription identifier, if the SUBSCRIBE carried one. */
  readonly identifier: number | undefined;
}

/** A message's way to one session. */
export interface Route {
  /** The receiving session. */
  readonly session: Session;
  /** What it receives. */
  readonly delivery: Delivery;
}

/** Every subscription of every session. */
export class SubscriptionTable {
  readonly #router = new TopicRouter<SubscriptionRecord>();
  /** The next member index of each shared filter. */
  readonly #cursors = new Map<string, number>();

  /** Adds or replaces the session's subscription to `record.filter`; true if it is new. */
  add(record: SubscriptionRecord): boolean {
    const old = record.session.subscriptions.get(record.filter);
    if (old !== undefined) this.#router.remove(old.filter, old);
    record.session.subscriptions.set(record.filter, record);
    this.#router.add(record.filter, record);
    return old === undefined;
  }

  /** Removes the session's subscription to `filter`; false if it had none. */
  remove(session: Session, filter: string): boolean {
    const old = session.subscriptions.get(filter);
    if (old === undefined) return false;
    session.subscriptions.delete(filter);
    this.#router.remove(filter, old);
    if (!this.#router.has(filter)) this.#cursors.delete(filter);
    return true;
  }

  /** Removes every subscription of `session`. */
  removeAll(session: Session): void {
    for (const filter of [...session.subscriptions.keys()]) this.remove(session, filter);
  }

  /** The deliveries `message` makes. */
  route(message: BrokerMessage): Route[] {
    const merged = new Map<Session, { qos: QoS; retain: boolean; identifiers: number[] }>();
    const groups = new Map<string, SubscriptionRecord[]>();
    for (const record of this.#router.match(message.topic)) {
      if (record.shared) {
        const members = groups.get(record.filter);
        if (members === undefined) groups.set(record.filter, [record]);
        else members.push(record);
        continue;
      }
      if (record.noLocal && record.session.clientId === message.origin) continue;
      const qos = Math.min(record.qos, message.qos) as QoS;
      const retain = record.retainAsPublished && message.retain;
      let entry = merged.get(record.session);
      if (entry === undefined) {
        merged.set(record.session, entry = { qos, retain, identifiers: [] });
      } else {
        entry.qos = Math.max(entry.qos, qos) as QoS;
        entry.retain ||= retain;
      }
      if (record.identifier !== undefined) entry.identifiers.push(record.identifier);
    }
    const routes: Route[] = [];
    for (const [session, { qos, retain, identifiers }] of merged) {
      routes.push({ session, delivery: { message, qos, retain, identifiers } });
    }
    for (const [filter, members] of groups) {
      const record = this.#pick(filter, members);
      routes.push({
        session: record.session,
        delivery: {
          message,
          qos: Math.min(record.qos, message.qos) as QoS,
          retain: record.retainAsPublished && message.retain,
          identifiers: record.identifier === undefined ? [] : [record.identifier],
        },
      });
    }
    return routes;
  }

  /** The next member of a shared group, round robin, skipping offline members while any is online. */
  #pick(filter: string, members: SubscriptionRecord[]): SubscriptionRecord {
    const start = (this.#cursors.get(filter) ?? 0) % members.length;
    let chosen = start;
    for (let i = 0; i < members.length; i++) {
      const index = (start + i) % members.length;
      if (members[index]!.session.outlet !== undefined) {
        chosen = index;
        break;
      }
    }
    this.#cursors.set(filter, chosen + 1);
    return members[chosen]!;
  }
}
