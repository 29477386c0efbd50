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
  /**
   * The entries by filter, made for a second filter: until then {@link #only} holds the one
   * entry (a `Map` costs ~0.2 KB, which counts with thousands of clients of one subscription).
   */
  #byFilter: Map<string, StoredSubscription> | undefined;
  #only: StoredSubscription | undefined;

  /** Number of remembered filters. */
  get size(): number {
    return this.#byFilter?.size ?? (this.#only === undefined ? 0 : 1);
  }

  /** Records a SUBSCRIBE about to be made; returns its entries, in order. */
  remember(
    subscriptions: readonly Subscription[],
    properties: Properties | undefined,
  ): StoredSubscription[] {
    return subscriptions.map((subscription) => {
      const entry = { subscription, properties, acknowledged: false };
      this.#set(subscription.topicFilter, entry);
      return entry;
    });
  }

  #set(filter: string, entry: StoredSubscription): void {
    let map = this.#byFilter;
    if (map === undefined) {
      const only = this.#only;
      if (only === undefined || only.subscription.topicFilter === filter) {
        this.#only = entry;
        return;
      }
      map = this.#byFilter = new Map([[only.subscription.topicFilter, only]]);
      this.#only = undefined;
    }
    map.set(filter, entry);
  }

  /** The entry remembered for `filter`, if any. */
  entry(filter: string): StoredSubscription | undefined {
    const map = this.#byFilter;
    if (map !== undefined) return map.get(filter);
    const only = this.#only;
    return only?.subscription.topicFilter === filter ? only : undefined;
  }

  /** Forgets `entry` unless a newer subscription replaced it. */
  forgetEntry(entry: StoredSubscription): void {
    const filter = entry.subscription.topicFilter;
    const map = this.#byFilter;
    if (map === undefined) {
      if (this.#only === entry) this.#only = undefined;
    } else if (map.get(filter) === entry) map.delete(filter);
  }

  /** The acknowledged entries, grouped by identical SUBSCRIBE properties, in recording order. */
  groups(): ResubscribeGroup[] {
    const groups = new Map<string, ResubscribeGroup>();
    const entries = this.#byFilter?.values() ?? (this.#only === undefined ? [] : [this.#only]);
    for (const entry of entries) {
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
