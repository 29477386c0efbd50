/**
 * The options each method of `MqttClient` takes (its last parameter).
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";

/** Options of `publish`. */
export interface PublishOptions {
  /**
   * Quality of service: 0 at most once, 1 at least once, 2 exactly once.
   * @default 0
   */
  qos?: QoS;
  /**
   * Ask the broker to keep it as the topic's retained message.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 properties: `messageExpiryInterval`, `contentType`, `responseTopic`, `userProperties`, … */
  properties?: Properties;
  /** Aborting gives up: not sent if it has not been yet; the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** One filter of a `subscribe` list, with options that override the shared ones. */
export interface SubscribeRequest {
  /** The topic filter to subscribe to. */
  topicFilter: string;
  /**
   * Maximum QoS to receive at.
   * @default the shared `qos`
   */
  qos?: QoS;
  /**
   * MQTT 5: do not receive own publications.
   * @default the shared `noLocal`
   */
  noLocal?: boolean;
  /**
   * MQTT 5: keep the retain flag as published.
   * @default the shared `retainAsPublished`
   */
  retainAsPublished?: boolean;
  /**
   * MQTT 5: 0 = send retained messages, 1 = only for a new subscription, 2 = never.
   * @default the shared `retainHandling`
   */
  retainHandling?: 0 | 1 | 2;
}

/** Options of `subscribe`; the first four apply to every filter without its own value. */
export interface SubscribeOptions {
  /**
   * Maximum QoS to receive at.
   * @default 0
   */
  qos?: QoS;
  /**
   * MQTT 5: do not receive own publications.
   * @default false
   */
  noLocal?: boolean;
  /**
   * MQTT 5: keep the retain flag as published.
   * @default false
   */
  retainAsPublished?: boolean;
  /**
   * MQTT 5: 0 = send retained messages, 1 = only for a new subscription, 2 = never.
   * @default 0
   */
  retainHandling?: 0 | 1 | 2;
  /** MQTT 5 SUBSCRIBE properties: `subscriptionIdentifier`, `userProperties`. */
  properties?: Properties;
  /** Aborting gives up: the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** Options of `unsubscribe`. */
export interface UnsubscribeOptions {
  /** MQTT 5 UNSUBSCRIBE properties: `userProperties`. */
  properties?: Properties;
  /** Aborting gives up: the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** Options of `MqttClient.connect`. */
export interface ConnectCallOptions {
  /** Aborting stops the attempt and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of `MqttClient.ready`. */
export interface ReadyOptions {
  /** Aborting stops waiting: the promise rejects with the reason. */
  signal?: AbortSignal;
}

/** Options of `MqttClient.disconnect`. */
export interface DisconnectOptions {
  /**
   * DISCONNECT reason code (MQTT 5); `0x04` asks the broker to publish the will.
   * @default 0
   */
  reasonCode?: number;
  /** DISCONNECT properties (MQTT 5). */
  properties?: Properties;
  /** Shortcut for `properties.sessionExpiryInterval` (MQTT 5). */
  sessionExpiryInterval?: number;
  /**
   * Send DISCONNECT at once, without letting incoming QoS 2 exchanges under way finish first
   * (see the `disconnectTimeout` option).
   * @default false
   */
  force?: boolean;
}

/** Options of `MqttClient.messages`. */
export interface MessagesOptions {
  /**
   * Messages buffered before the oldest is dropped.
   * @default options.messageBuffer (1000)
   */
  buffer?: number;
  /** Aborting ends the iterator. */
  signal?: AbortSignal;
}
