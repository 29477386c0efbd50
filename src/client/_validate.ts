/**
 * Small argument checks shared by the options resolver and the client methods. Each throws a
 * `TypeError` (wrong type) or `RangeError` (wrong value) whose message names the field and
 * quotes the value.
 *
 * @module
 */

import { MAX_UINT32 } from "../codec/constants.ts";
import type { Properties } from "../codec/types.ts";
import { checkBoolean, checkInteger, checkQoS } from "../checks.ts";
import { describe } from "../format.ts";

export { checkBoolean, checkInteger, checkQoS, describe, MAX_UINT32 };

/** The longest delay a timer takes (2^31 - 1 ms), and so the bound of every timeout option. */
export const MAX_TIMER = 2_147_483_647;

/** Throws unless `value` is a string. */
export function checkString(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`${field} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is a function. */
export function checkFunction(value: unknown, field: string): void {
  if (typeof value !== "function") {
    throw new TypeError(`${field} must be a function, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a plain (non-null, non-array) object. */
export function checkObject(value: unknown, field: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${field} must be an object, got ${describe(value)}`);
  }
}

/** A payload (string, number, bytes, `null` / `undefined`) as the bytes to send. */
export { toBytes } from "./payload.ts";

/**
 * Checks that `properties` is an object and that it is only used on MQTT 5; checks the ranges
 * of the numeric properties a user commonly sets. The codec checks the rest when encoding.
 */
export function checkProperties(properties: unknown, field: string): Properties | undefined {
  if (properties === undefined) return undefined;
  checkObject(properties, field);
  const p = properties as Properties;
  if (p.sessionExpiryInterval !== undefined) {
    checkInteger(p.sessionExpiryInterval, `${field}.sessionExpiryInterval`, 0, MAX_UINT32);
  }
  if (p.messageExpiryInterval !== undefined) {
    checkInteger(p.messageExpiryInterval, `${field}.messageExpiryInterval`, 0, MAX_UINT32);
  }
  if (p.receiveMaximum !== undefined) {
    checkInteger(p.receiveMaximum, `${field}.receiveMaximum`, 1, 65_535);
  }
  if (p.topicAliasMaximum !== undefined) {
    checkInteger(p.topicAliasMaximum, `${field}.topicAliasMaximum`, 0, 65_535);
  }
  if (p.topicAlias !== undefined) checkInteger(p.topicAlias, `${field}.topicAlias`, 1, 65_535);
  if (p.maximumPacketSize !== undefined) {
    checkInteger(p.maximumPacketSize, `${field}.maximumPacketSize`, 1, MAX_UINT32);
  }
  if (p.userProperties !== undefined) {
    if (!Array.isArray(p.userProperties)) {
      throw new TypeError(
        `${field}.userProperties must be an array of [key, value] string pairs, got ${
          describe(p.userProperties)
        }`,
      );
    }
    for (const pair of p.userProperties) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw new TypeError(
          `${field}.userProperties must hold [key, value] string pairs, got ${describe(pair)}`,
        );
      }
    }
  }
  return p;
}
