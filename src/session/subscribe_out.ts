/**
 * Outgoing SUBSCRIBE and UNSUBSCRIBE: the packets, their acknowledgements, and the
 * subscriptions remembered for `resubscribe` (see `subscriptions.ts`).
 *
 * SUBACK / UNSUBACK resolve with one reason code per filter; a filter the SUBACK refused leaves
 * the store, and one the UNSUBACK reports gone (any code below 0x80, 0x11 No subscription
 * existed included) is forgotten. An MQTT 3.1/3.1.1 UNSUBACK carries no codes: it means success
 * for every filter.
 *
 * @module
 */

import { clientEncodedLength } from "../codec/client_codec.ts";
import type {
  Packet,
  Properties,
  ProtocolVersion,
  SubackPacket,
  Subscription,
  UnsubackPacket,
} from "../codec/types.ts";
import { props, tooLarge } from "./admission.ts";
import type { Effects } from "./effects.ts";
import type { InflightTable } from "./inflight.ts";
import type { Journal } from "./journal.ts";
import type { SavedSubscription } from "./persistence.ts";
import type { ServerLimits } from "./limits.ts";
import type { Operations } from "./operations.ts";
import { unexpected } from "./publish_out.ts";
import {
  type ResubscribeGroup,
  type StoredSubscription,
  SubscriptionStore,
} from "./subscriptions.ts";
import type { AckResult, Token } from "./types.ts";
import {
  type ControlWork,
  describeWork,
  type SubscribeWork,
  type UnsubscribeWork,
} from "./work.ts";
import { hex } from "../format.ts";
import { ProtocolError } from "../errors.ts";

/** The SUBSCRIBE / UNSUBSCRIBE flows of one session and its remembered subscriptions. */
export class SubscribeOut {
  readonly #version: ProtocolVersion;
  readonly #store = new SubscriptionStore();
  readonly #inflight: InflightTable;
  readonly #ops: Operations;
  readonly #journal: Journal;

  constructor(
    version: ProtocolVersion,
    inflight: InflightTable,
    ops: Operations,
    journal: Journal,
  ) {
    this.#version = version;
    this.#inflight = inflight;
    this.#ops = ops;
    this.#journal = journal;
  }

  /** Takes back the granted subscriptions a session store saved. */
  restore(saved: readonly SavedSubscription[]): void {
    for (const { subscription, properties } of saved) {
      for (const entry of this.#store.remember([subscription], properties)) {
        entry.acknowledged = true;
      }
    }
  }

  /** The work of an admitted `subscribe()`; its filters are remembered from now on. */
  subscribeWork(
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
  ): SubscribeWork {
    const entries = this.#store.remember(subscriptions, properties);
    return control({ type: "subscribe", subscriptions, properties, entries }, token);
  }

  /** The work of an admitted `unsubscribe()`. */
  unsubscribeWork(
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
  ): UnsubscribeWork {
    const entries = topicFilters.map((filter) => this.#store.entry(filter));
    return control({ type: "unsubscribe", topicFilters, properties, entries }, token);
  }

  /** Sends `work` now (a packet identifier is free). */
  start(fx: Effects, work: ControlWork, limits: ServerLimits): void {
    this.#inflight.start(work);
    const packet: Packet = work.type === "subscribe"
      ? { type: "subscribe", packetId: work.packetId, subscriptions: work.subscriptions }
      : { type: "unsubscribe", packetId: work.packetId, topicFilters: work.topicFilters };
    if (work.properties !== undefined && this.#version === 5) packet.properties = work.properties;
    const size = clientEncodedLength(packet, this.#version);
    const max = limits.maximumPacketSize;
    if (max !== undefined && size > max) {
      this.#inflight.finish(work);
      this.forget(work);
      this.#ops.reject(fx, work, tooLarge(describeWork(work), size, max));
      return;
    }
    fx.send(packet);
  }

  /**
   * SUBACK / UNSUBACK: resolves with the reason codes; updates the remembered filters. Returns
   * the fault (0x82) of an acknowledgement whose reason codes do not match the filters one to
   * one [MQTT-3.8.4-6], [MQTT-3.9.3-1], [MQTT-3.11.3-1]; the call then settles with the link.
   */
  onAck(fx: Effects, packet: SubackPacket | UnsubackPacket): ProtocolError | undefined {
    const work = this.#inflight.control(packet.packetId);
    const expected = packet.type === "suback" ? "subscribe" : "unsubscribe";
    if (work === undefined || work.type !== expected) {
      unexpected(fx, packet);
      return undefined;
    }
    const filters = work.type === "subscribe"
      ? work.subscriptions.length
      : work.topicFilters.length;
    const given = packet.reasonCodes.length;
    // An MQTT 3.1.1 UNSUBACK carries no reason codes.
    const matches = given === filters ||
      (work.type === "unsubscribe" && this.#version < 5 && given === 0);
    if (!matches) {
      const rule = packet.type === "suback" ? "[MQTT-3.9.3-1]" : "[MQTT-3.11.3-1]";
      return new ProtocolError(
        `${packet.type.toUpperCase()} ${packet.packetId} has ${given} reason codes for ` +
          `${filters} topic filters ${rule}`,
      );
    }
    this.#inflight.finish(work);
    let reasonCodes = packet.reasonCodes;
    if (work.type === "subscribe") {
      const failed: string[] = [];
      reasonCodes.forEach((code, i) => {
        const entry = work.entries[i];
        if (entry === undefined) return;
        if (code >= 0x80) {
          this.#forget(entry);
          failed.push(`"${entry.subscription.topicFilter}" (${hex(code)})`);
        } else {
          entry.acknowledged = true;
          this.#journal.subscribed(entry.subscription, entry.properties);
        }
      });
      if (failed.length > 0 && work.token === undefined) {
        fx.log("warn", `Resubscribe refused for ${failed.join(", ")}`);
      }
    } else {
      if (reasonCodes.length === 0) reasonCodes = work.topicFilters.map(() => 0);
      // Forget only what the server reports gone, and only the entry seen at the call: a later
      // subscribe to the filter stays.
      work.entries.forEach((entry, i) => {
        const code = reasonCodes[i];
        if (entry !== undefined && code !== undefined && code < 0x80) this.#forget(entry);
      });
    }
    const result: AckResult = { mid: work.packetId, reasonCodes };
    if (packet.properties !== undefined) result.properties = packet.properties;
    this.#ops.resolve(fx, work, result);
    return undefined;
  }

  /** Forgets the remembered filters of `work` when it is a SUBSCRIBE that will not happen. */
  forget(work: ControlWork): void {
    if (work.type !== "subscribe") return;
    for (const entry of work.entries) this.#forget(entry);
  }

  #forget(entry: StoredSubscription): void {
    if (this.#store.entry(entry.subscription.topicFilter) !== entry) return;
    this.#store.forgetEntry(entry);
    this.#journal.unsubscribed(entry.subscription.topicFilter);
  }

  /**
   * The SUBSCRIBE work that makes the remembered subscriptions again: one per set of SUBSCRIBE
   * properties, split into one per filter if it would exceed the server's Maximum Packet Size.
   */
  resubscribeWork(fx: Effects, limits: ServerLimits): SubscribeWork[] {
    const works: SubscribeWork[] = [];
    const max = limits.maximumPacketSize;
    let filters = 0;
    for (const group of this.#store.groups()) {
      let packets: ResubscribeGroup[] = [group];
      if (max !== undefined && group.subscriptions.length > 1) {
        const size = clientEncodedLength(
          {
            type: "subscribe",
            packetId: 1,
            subscriptions: group.subscriptions,
            ...props(group.properties),
          },
          this.#version,
        );
        if (size > max) {
          packets = group.entries.map((entry) => ({
            subscriptions: [entry.subscription],
            properties: group.properties,
            entries: [entry],
          }));
        }
      }
      for (const { subscriptions, properties, entries } of packets) {
        filters += subscriptions.length;
        works.push(
          control({ type: "subscribe", subscriptions, properties, entries }, undefined),
        );
      }
    }
    if (filters > 0) fx.log("info", `Resubscribing to ${filters} topic filters`);
    return works;
  }
}

/** A new piece of control work with `token`. */
function control<W extends ControlWork>(
  fields: Omit<W, "token" | "packetId" | "stage" | "cost">,
  token: Token | undefined,
): W {
  return { ...fields, token, packetId: 0, stage: "new", cost: 0 } as W;
}
