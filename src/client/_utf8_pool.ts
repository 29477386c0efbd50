/**
 * The UTF-8 bytes of a string payload, carved out of a shared pool where that is cheaper than
 * `TextEncoder.encode`.
 *
 * On V8 (Deno, Node, browsers) every `TextEncoder.encode` returns an array with memory of its
 * own, and that costs 0.4–3.9 µs per call, more than the rest of a QoS 0 publish; encoding into
 * a view of a shared pool with `encodeInto` costs 0.07–0.18 µs (bench/README.md, "Client"). Bun
 * is the other way round: `encode` is cheapest there for all but long strings.
 *
 * Pool memory is never reused: each string gets fresh bytes that stay valid for as long as they
 * are referenced, as a `Uint8Array` of its own would. A view keeps its pool (16 KiB) alive, the
 * trade-off of Node's `Buffer` pool.
 *
 * @module
 */

import { OWN_SMALL_ARRAYS_ARE_CHEAP } from "../_runtime_costs.ts";

/** Pool size. */
const POOL_SIZE = 16_384;
/** Strings longer than this (in UTF-16 units) get an array of their own. */
const POOL_MAX = 2_048;

const encoder = new TextEncoder();
let pool = new Uint8Array(0);
let offset = 0;

/** The UTF-8 bytes of `value` (fresh memory, see the module documentation). */
export function utf8Bytes(value: string): Uint8Array {
  const n = value.length;
  if (n > POOL_MAX || OWN_SMALL_ARRAYS_ARE_CHEAP) return encoder.encode(value);
  // At most 3 bytes per UTF-16 unit.
  if (offset + 3 * n > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    offset = 0;
  }
  const start = offset;
  offset += encoder.encodeInto(value, pool.subarray(start)).written;
  return pool.subarray(start, offset);
}
