/**
 * `RetainedStore`: the last retained message of each topic, and the ones a new subscription
 * receives.
 *
 * @module
 */

import { topicMatches } from "../../topic.ts";
import { type BrokerMessage, expired } from "./message.ts";

/** Retained messages by topic. */
export class RetainedStore {
  readonly #messages = new Map<string, BrokerMessage>();

  /** The number of retained messages held. */
  get size(): number {
    return this.#messages.size;
  }

  /**
   * Keeps `message` as its topic's retained message, or clears the topic's when the payload
   * is empty [MQTT-3.3.1-6]. The payload is copied, so it does not pin a receive buffer.
   */
  store(message: BrokerMessage): void {
    if (message.payload.length === 0) {
      this.#messages.delete(message.topic);
      return;
    }
    this.#messages.set(message.topic, { ...message, payload: message.payload.slice() });
  }

  /** The unexpired retained messages whose topics match `filter` (expired ones are dropped). */
  match(filter: string, now: number): BrokerMessage[] {
    const found: BrokerMessage[] = [];
    for (const [topic, message] of this.#messages) {
      if (expired(message, now)) {
        this.#messages.delete(topic);
        continue;
      }
      if (topicMatches(filter, topic)) found.push(message);
    }
    return found;
  }
}
