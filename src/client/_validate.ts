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
 * Checks that `properties` is an object. Their values are checked by the codec's property
 * rules before anything is queued: CONNECT and will properties by the session's `admitConnect`,
 * the properties of a call when the session admits it (and sizes its packet).
 */
export function checkProperties(properties: unknown, field: string): Properties | undefined {
  if (properties === undefined) return undefined;
  checkObject(properties, field);
  return properties as Properties;
}
