/**
 * Option values `MqttClient` and the lite client (`src/lite/options.ts`) resolve alike: an integer
 * or boolean option with its default, the reconnect backoff, and the random client identifier.
 *
 * @module
 */

import type { ReconnectPolicy } from "../session/types.ts";
import { checkBoolean, checkInteger, checkObject, MAX_TIMER } from "./_validate.ts";

/** `options.<name>` checked as an integer in `min..max`, or `fallback` when not given. */
export function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  return value === undefined ? fallback : checkInteger(value, `options.${name}`, min, max);
}

/** `options.<name>` checked as a boolean, or `fallback` when not given. */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(value, `options.${name}`);
}

/**
 * The `reconnect` option: `false`, or backoff bounds in ms (default 1,000 to 120,000; a larger
 * `minDelay` alone raises the default `maxDelay` to it).
 *
 * @throws {TypeError | RangeError} naming the bound that is wrong
 */
export function resolveReconnect(
  value: false | { minDelay?: number; maxDelay?: number } | undefined,
): ReconnectPolicy {
  if (value === undefined) return { minDelay: 1000, maxDelay: 120_000 };
  if (value === false) return false;
  checkObject(value, "options.reconnect");
  const minDelay = integerOption(value.minDelay, "reconnect.minDelay", 1000, 0, MAX_TIMER);
  const maxDelay = integerOption(
    value.maxDelay,
    "reconnect.maxDelay",
    Math.max(120_000, minDelay),
    0,
    MAX_TIMER,
  );
  if (maxDelay < minDelay) {
    throw new RangeError(
      `options.reconnect.maxDelay must be at least minDelay (${minDelay}), got ${maxDelay}`,
    );
  }
  return { minDelay, maxDelay };
}

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A random client identifier "korero-" + 12 characters (19 bytes, within MQTT 3.1's 23). */
export function generateClientId(random: () => number): string {
  let id = "korero-";
  for (let i = 0; i < 12; i++) id += ID_ALPHABET[Math.floor(random() * 36) % 36];
  return id;
}
