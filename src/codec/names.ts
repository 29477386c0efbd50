/**
 * Named constants for numbers the protocol uses, under paho-mqtt's names: the protocol versions
 * ({@link MQTTv31}, {@link MQTTv311}, {@link MQTTv5}, paho's `MQTTv31` …) and a subscription's
 * retain handling ({@link RetainHandling}, paho's `SubscribeOptions.RETAIN_*`). Each is the plain
 * number the options and packets take, so `protocolVersion: MQTTv5` is `protocolVersion: 5`.
 *
 * @example
 * ```ts
 * import { MQTTv5, RetainHandling } from "@korero/mqtt/codec";
 * const options = { protocolVersion: MQTTv5 }; // 5
 * const subscription = { retainHandling: RetainHandling.DoNotSend }; // 2
 * ```
 * @module
 */

/** MQTT 3.1, as `protocolVersion` (paho's `MQTTv31`; the CONNECT protocol level 3). */
export const MQTTv31 = 3;

/** MQTT 3.1.1, as `protocolVersion` (paho's `MQTTv311`; the CONNECT protocol level 4). */
export const MQTTv311 = 4;

/** MQTT 5.0, as `protocolVersion` (paho's `MQTTv5`; the CONNECT protocol level 5). */
export const MQTTv5 = 5;

/**
 * When the broker sends retained messages for a subscription (MQTT 5 §3.8.3.1, the
 * subscription's `retainHandling`; paho's `SubscribeOptions.RETAIN_*`). Before MQTT 5 the
 * broker always sends them, as {@link RetainHandling.SendOnSubscribe}.
 */
export const RetainHandling = {
  /** 0: send retained messages whenever the subscription is made (paho's `RETAIN_SEND_ON_SUBSCRIBE`). */
  SendOnSubscribe: 0,
  /** 1: send them only when the subscription did not exist before (paho's `RETAIN_SEND_IF_NEW_SUB`). */
  SendIfNewSubscription: 1,
  /** 2: never send retained messages for this subscription (paho's `RETAIN_DO_NOT_SEND`). */
  DoNotSend: 2,
} as const;

/** One of the {@link RetainHandling} values: 0, 1 or 2. */
export type RetainHandling = (typeof RetainHandling)[keyof typeof RetainHandling];
