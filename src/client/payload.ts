/**
 * What `publish()` and a will take as a payload, and its conversion to the bytes sent.
 *
 * @module
 */

import { describe } from "../format.ts";

/**
 * A message payload: a string (sent as UTF-8), a number (sent as its decimal string, as paho
 * does: `String(value)`, so `21.5` is the 4 bytes "21.5"), the bytes of a `Uint8Array`, an
 * `ArrayBuffer` or any other `ArrayBufferView` (`DataView`, `Int16Array`, a Node `Buffer`: the
 * bytes it views, in memory order), or `null` / `undefined` for an empty payload.
 *
 * Bytes are not copied: change them only once the publish has settled.
 */
export type Payload =
  | string
  | number
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | null
  | undefined;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * `value` as the bytes to send (see {@link Payload}); a view of the same memory where `value`
 * holds bytes. `field` names the value in errors.
 *
 * @throws {TypeError} for a value that is not a {@link Payload}
 * @throws {RangeError} for `NaN` or an infinite number
 */
export function toBytes(value: unknown, field: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return encoder.encode(value);
  return otherToBytes(value, field);
}

/** The rest of {@link toBytes}, out of its fast path. */
function otherToBytes(value: unknown, field: string): Uint8Array {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError(`${field} must be a finite number, got ${value}`);
    }
    return encoder.encode(String(value));
  }
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (isArrayBuffer(value)) return new Uint8Array(value);
  throw new TypeError(
    `${field} must be a string, a number, a Uint8Array, an ArrayBuffer, an ArrayBufferView, ` +
      `null or undefined, got ${
        typeof value === "bigint" ? `the bigint ${value}` : describe(value)
      }`,
  );
}

/** Whether `value` is an `ArrayBuffer`, also one from another realm (a worker, `node:vm`). */
function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer ||
    Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}
