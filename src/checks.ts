/**
 * The value checks every layer shares (the codec's encoders, the client's argument checks). One
 * rule for the error class: a `TypeError` when the value has the wrong type, a `RangeError` when
 * it has the right type but a value outside what is allowed. Messages read
 * "`field` must be …, got …" and quote the value.
 *
 * @module
 */

import type { QoS } from "./codec/types.ts";
import { describe } from "./format.ts";

/** Throws unless `value` is an integer in `min..max`; returns it. */
export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const message = `${field} must be an integer in ${min}..${max}, got ${describe(value)}`;
    throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
  }
  return value;
}

/** Throws unless `value` is a boolean; returns it. */
export function checkBoolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${field} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Throws unless `value` is 0, 1 or 2; returns it. */
export function checkQoS(value: unknown, field: string): QoS {
  if (value !== 0 && value !== 1 && value !== 2) {
    const message = `${field} must be 0, 1 or 2, got ${describe(value)}`;
    throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
  }
  return value;
}
