/**
 * Formatting shared by every layer's messages: reason codes as hex, and unexpected values as a
 * short description. One style, used everywhere.
 *
 * @example
 * ```ts
 * import { describe, hex } from "./format.ts";
 * hex(0x8d); // "0x8D"
 * describe("a/+"); // "\"a/+\""
 * describe(new Uint8Array(3)); // "a Uint8Array of 3 bytes"
 * ```
 * @module
 */

/** Formats a byte (a reason code, flags, an identifier) as `0x` + two upper-case hex digits: `0x8D`. */
export function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(2, "0")}`;
}

/**
 * A short description of an unexpected value, for "`field` must be …, got <description>"
 * messages: strings quoted (clipped to 40 characters), `null`, "an array", "a Uint8Array of
 * N bytes", "an object", and everything else through `String`.
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(clip(value));
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** `value`, cut to its first 40 UTF-16 units and an ellipsis when longer. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
