/**
 * One-shot subscribing, as paho's `paho.mqtt.subscribe`: wait for messages in one call.
 *
 * @example
 * ```ts
 * import { simple } from "@korero/mqtt/subscribe";
 * const message = await simple("home/#", { hostname: "localhost", timeout: 100 }).catch(() => undefined);
 * ```
 *
 * @module
 */

import type { QoS } from "../codec/types.ts";
import type { MqttClient } from "../client/client.ts";
import type { Message } from "../client/message.ts";
import { describe } from "../format.ts";
import { type OneShotOptions, withClient } from "./options.ts";

// The types these functions take and give (the whole client's, as in the root entry point).
export type * from "../../mod.ts";

/** What {@link simple} and {@link callback} take besides the connection. */
export interface SubscribeOneShotOptions extends OneShotOptions {
  /** The QoS to subscribe with. @default 0 */
  qos?: QoS;
  /** Start with a clean session. @default true */
  clean?: boolean;
}

/** {@link simple}'s options. */
export interface SimpleOptions extends SubscribeOneShotOptions {
  /** How many messages to wait for (≥ 1). @default 1 */
  msgCount?: number;
  /** Count retained messages too; false skips them without counting. @default true */
  retained?: boolean;
}

/** Subscribes to `topics` (again on every reconnect) and returns once the caller is done. */
async function subscribed(
  client: MqttClient,
  topics: string | readonly string[],
  qos: QoS,
): Promise<void> {
  const list = typeof topics === "string" ? [topics] : [...topics];
  if (list.length === 0) throw new TypeError("topics must be a topic filter or a non-empty list");
  const result = await client.subscribe(list, { qos });
  const refused = result.reasonCodes.findIndex((code) => code >= 0x80);
  if (refused >= 0) {
    throw new RangeError(
      `The broker refused the subscription to "${list[refused]}" (0x${
        result.reasonCodes[refused]!.toString(16)
      })`,
    );
  }
}

/**
 * Subscribes to `topics`, waits for `msgCount` messages and disconnects (paho's
 * `subscribe.simple`): resolves with the message when `msgCount` is 1, else with the list.
 *
 * @throws {RangeError} (as a rejection) for a `msgCount` below 1
 */
export function simple(
  topics: string | readonly string[],
  options?: SimpleOptions & { msgCount?: 1 },
): Promise<Message>;
/** Waits for `msgCount` messages (more than one): resolves with the list. */
export function simple(
  topics: string | readonly string[],
  options: SimpleOptions & { msgCount: number },
): Promise<Message[]>;
/** Waits for `msgCount` messages: one message, or the list when `msgCount` is above 1. */
export function simple(
  topics: string | readonly string[],
  options: SimpleOptions = {},
): Promise<Message | Message[]> {
  try {
    const { qos = 0, msgCount = 1, retained = true, clean = true, ...connection } = options;
    if (!Number.isInteger(msgCount) || msgCount < 1) {
      throw new RangeError(`options.msgCount must be an integer ≥ 1, got ${describe(msgCount)}`);
    }
    return withClient(connection, clean, async (client) => {
      const got: Message[] = [];
      let done!: () => void;
      const enough = new Promise<void>((resolve) => (done = resolve));
      client.onMessage = ({ message }) => {
        if (got.length >= msgCount || (!retained && message.retain)) return;
        got.push(message);
        if (got.length === msgCount) done();
      };
      await subscribed(client, topics, qos);
      await enough;
      return msgCount === 1 ? got[0]! : got;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Subscribes to `topics` and calls `fn(message, client)` for each message until the client is
 * disconnected (e.g. by `fn` calling `client.disconnect()`), the `signal` aborts or the
 * `timeout` passes (paho's `subscribe.callback`).
 */
export function callback(
  fn: (message: Message, client: MqttClient) => void,
  topics: string | readonly string[],
  options: SubscribeOneShotOptions = {},
): Promise<void> {
  try {
    if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${describe(fn)}`);
    const { qos = 0, clean = true, ...connection } = options;
    return withClient(connection, clean, async (client) => {
      let ended!: () => void;
      const closed = new Promise<void>((resolve) => (ended = resolve));
      client.onDisconnect = ({ willReconnect }) => {
        if (!willReconnect) ended();
      };
      client.onMessage = ({ message }) => fn(message, client);
      await subscribed(client, topics, qos);
      await closed;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
