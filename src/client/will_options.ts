/**
 * The will option (`will`, and `setWill()`): the message the broker publishes when the
 * connection ends without a DISCONNECT. `session_options.ts` checks it.
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";
import type { Payload } from "./payload.ts";

/** A will message, published by the broker when the connection ends abnormally. */
export interface WillOptions {
  /** The topic the will is published to. */
  topic: string;
  /**
   * The will's payload (a string is sent as UTF-8; see `Payload`).
   * @default empty
   */
  payload?: Payload;
  /**
   * The QoS the broker publishes the will with.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether the broker publishes the will as a retained message.
   * @default false
   */
  retain?: boolean;
  /** MQTT 5 will properties, e.g. `willDelayInterval`, `messageExpiryInterval`. */
  properties?: Properties;
}
