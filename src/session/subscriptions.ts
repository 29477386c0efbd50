/**
 * The subscriptions made on this client, for `resubscribe`: after a reconnect whose CONNACK says
 * the server kept no session, they are sent again.
 *
 * An entry is recorded when `subscribe()` is called and marked `acknowledged` by a successful
 * SUBACK code; a failure code, a SUBSCRIBE dropped before it was sent, or an UNSUBACK that
 * reports success for the filter (any code below 0x80; an MQTT 3.1/3.1.1 UNSUBACK means success
 * for every filter) forgets it. A cancelled, timed-out or refused UNSUBSCRIBE forgets nothing:
 * the server may still hold the subscription. Only acknowledged entries are re-sent: one still pending goes out with its
 * own SUBSCRIBE anyway. A later subscription to the same filter replaces the entry.
 *
 * @module
 */

import type { Properties, Subscription } from "../codec/types.ts";

/** One remembered subscription. */
export interface StoredSubscription {
  readonly subscription: Subscription;
  /** The SUBSCRIBE properties it was made with (subscription identifier, user properties). */
  readonly properties: Properties | undefined;
  /** Whether a SUBACK granted it. */
  acknowledged: boolean;
}

/** Subscriptions that can be re-sent in one SUBSCRIBE (same properties). */
export interface ResubscribeGroup {
  subscriptions: Subscription[];
  properties: Properties | undefined;
  entries: StoredSubscription[];
}

/** Remembered subscriptions by topic filter. */
export class SubscriptionStore {
  #byFilter = new Map<string, StoredSubscription>();

  /** Number of remembered filters. */
  get size(): number {
    return this.#byFilter.size;
  }

  /** Records a SUBSCRIBE about to be made; returns its entries, in order. */
  remember(
    subscriptions: readonly Subscription[],
    properties: Properties | undefined,
  ): StoredSubscription[] {
    return subscriptions.map((subscription) => {
      const entry = { subscription, properties, acknowledged: false };
      this.#byFilter.set(subscription.topicFilter, entry);
      return entry;
    });
  }

  /** The entry remembered for `filter`, if any. */
  entry(filter: string): StoredSubscription | undefined {
    return this.#byFilter.get(filter);
  }

  /** Forgets `entry` unless a newer subscription replaced it. */
  forgetEntry(entry: StoredSubscription): void {
    const filter = entry.subscription.topicFilter;
    if (this.#byFilter.get(filter) === entry) this.#byFilter.delete(filter);
  }

  /** The acknowledged entries, grouped by identical SUBSCRIBE properties, in recording order. */
  groups(): ResubscribeGroup[] {
    const groups = new Map<string, ResubscribeGroup>();
    for (const entry of this.#byFilter.values()) {
      if (!entry.acknowledged) continue;
      const key = entry.properties === undefined ? "" : JSON.stringify(entry.properties);
      let group = groups.get(key);
      if (group === undefined) {
        group = { subscriptions: [], properties: entry.properties, entries: [] };
        groups.set(key, group);
      }
      group.subscriptions.push(entry.subscription);
      group.entries.push(entry);
    }
    return [...groups.values()];
  }
}
