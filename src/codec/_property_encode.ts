/**
 * Validating and writing MQTT 5 properties, driven by the compiled property table.
 *
 * Unknown names and values of the wrong type are TypeErrors; properties not allowed in the
 * packet and values out of range are RangeErrors; each names the field.
 *
 * @module
 */

import { describe } from "../format.ts";
import { MAX_STRING_BYTES } from "./constants.ts";
import type { Properties, ProtocolVersion } from "./types.ts";
import { requiresMqtt5 } from "./_checks.ts";
import {
  BY_NAME,
  type Compiled,
  CONTEXT_NAMES,
  RESPONSE_TOPIC,
  type WIRE,
} from "./_property_lookup.ts";
import { utf8Length } from "./utf8.ts";
import { varintSize, writeVarint } from "./_varint.ts";
import { type Output, writeBinary, writeString, writeU16, writeU32 } from "./_writer.ts";

// Local copies of WIRE (see there), for the speed of the switches below.
const W_BOOLEAN: typeof WIRE.boolean = 0;
const W_BYTE: typeof WIRE.byte = 1;
const W_U16: typeof WIRE.uint16 = 2;
const W_U32: typeof WIRE.uint32 = 3;
const W_VARINT: typeof WIRE.varint = 4;
const W_STRING: typeof WIRE.string = 5;
const W_BINARY: typeof WIRE.binary = 6;

/**
 * Validates the properties of a packet of type number `context` for `version` and returns the
 * bytes they take with their Property Length prefix: 0 before MQTT 5, where any property is
 * refused. Leaves the Property Length in `out.propertiesLength` for {@link writeProperties}.
 */
export function propertiesSize(
  props: Properties | undefined,
  context: number,
  version: ProtocolVersion,
  out: Output,
): number {
  if (version !== 5) {
    if (hasProperties(props)) throw requiresMqtt5("properties", "absent", props, version);
    return 0;
  }
  const length = propertiesLength(props, context, "properties");
  out.propertiesLength = length;
  return varintSize(length) + length;
}

/**
 * Validates `props` for a packet of type number `context` (or `WILL_CONTEXT`) and returns
 * the byte length of the properties, without the Property Length prefix. `field` names the
 * object in error messages ("properties", "will.properties").
 *
 * @throws {TypeError} an unknown property or a value of the wrong type.
 * @throws {RangeError} a property not allowed here or a value out of range.
 */
export function propertiesLength(
  props: Properties | undefined,
  context: number,
  field: string,
): number {
  if (props === undefined) return 0;
  if (typeof props !== "object" || props === null) {
    throw new TypeError(`${field} must be an object, got ${describe(props)}`);
  }
  const bit = 1 << context;
  let size = 0;
  for (const name in props) {
    const value = (props as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const def = BY_NAME.get(name);
    if (def === undefined) {
      throw new TypeError(
        `${field}.${name} must be undefined (not an MQTT 5 property), got ${describe(value)}`,
      );
    }
    if ((def.allowed & bit) === 0) {
      throw new RangeError(
        `${field}.${name} must be undefined in a ${CONTEXT_NAMES[context]} (MQTT 5 §2.2.2.2), ` +
          `got ${describe(value)}`,
      );
    }
    switch (def.wire) {
      case W_BOOLEAN:
        if (typeof value !== "boolean") {
          throw new TypeError(`${field}.${name} must be a boolean, got ${describe(value)}`);
        }
        size += 2;
        break;
      case W_BYTE:
        checkNumber(def, value, field);
        size += 2;
        break;
      case W_U16:
        checkNumber(def, value, field);
        size += 3;
        break;
      case W_U32:
        checkNumber(def, value, field);
        size += 5;
        break;
      case W_VARINT:
        if (Array.isArray(value)) {
          if ((def.repeatable & bit) === 0) {
            throw new TypeError(
              `${field}.${name} must be a single number in a ${CONTEXT_NAMES[context]}, got ` +
                `an array`,
            );
          }
          for (const item of value) size += 1 + varintSize(checkNumber(def, item, field));
        } else {
          size += 1 + varintSize(checkNumber(def, value, field));
        }
        break;
      case W_STRING:
        size += 3 + utf8Length(value as string, `${field}.${name}`);
        if (def.id === RESPONSE_TOPIC) checkResponseTopic(value as string, `${field}.${name}`);
        break;
      case W_BINARY:
        if (!(value instanceof Uint8Array)) {
          throw new TypeError(`${field}.${name} must be a Uint8Array, got ${describe(value)}`);
        }
        if (value.length > MAX_STRING_BYTES) {
          throw new RangeError(
            `${field}.${name} must be at most ${MAX_STRING_BYTES} bytes, got ${value.length} bytes`,
          );
        }
        size += 3 + value.length;
        break;
      default:
        size += userPropertiesLength(value, `${field}.${name}`);
    }
  }
  return size;
}

function checkNumber(def: Compiled, value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < def.min || value > def.max) {
    const message = `${field}.${def.name} must be an integer in ${def.min}..${def.max}, got ${
      describe(value)
    }`;
    throw Number.isInteger(value) ? new RangeError(message) : new TypeError(message);
  }
  return value;
}

function checkResponseTopic(value: string, field: string): void {
  if (value.length === 0 || value.includes("+") || value.includes("#")) {
    throw new RangeError(
      `${field} must be a non-empty topic name without wildcards [MQTT-3.3.2-14], got ${
        describe(value)
      }`,
    );
  }
}

function userPropertiesLength(value: unknown, field: string): number {
  if (!Array.isArray(value)) {
    throw new TypeError(`${field} must be an array of [key, value] pairs, got ${describe(value)}`);
  }
  let size = 0;
  for (let i = 0; i < value.length; i++) {
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError(`${field}[${i}] must be a [key, value] pair, got ${describe(pair)}`);
    }
    size += 5 + utf8Length(pair[0], `${field}[${i}][0]`) + utf8Length(pair[1], `${field}[${i}][1]`);
  }
  return size;
}

/**
 * Writes the Property Length `length` (from {@link propertiesLength}) and the properties of
 * `props`; returns the next offset.
 */
export function writeProperties(
  buf: Uint8Array,
  offset: number,
  props: Properties | undefined,
  length: number,
): number {
  offset = writeVarint(buf, offset, length);
  if (length === 0 || props === undefined) return offset;
  for (const name in props) {
    const value = (props as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const def = BY_NAME.get(name)!;
    const id = def.id;
    switch (def.wire) {
      case W_BOOLEAN:
        buf[offset++] = id;
        buf[offset++] = value ? 1 : 0;
        break;
      case W_BYTE:
        buf[offset++] = id;
        buf[offset++] = value as number;
        break;
      case W_U16:
        buf[offset++] = id;
        offset = writeU16(buf, offset, value as number);
        break;
      case W_U32:
        buf[offset++] = id;
        offset = writeU32(buf, offset, value as number);
        break;
      case W_VARINT:
        if (Array.isArray(value)) {
          for (const item of value as number[]) {
            buf[offset++] = id;
            offset = writeVarint(buf, offset, item);
          }
        } else {
          buf[offset++] = id;
          offset = writeVarint(buf, offset, value as number);
        }
        break;
      case W_STRING:
        buf[offset++] = id;
        offset = writeString(buf, offset, value as string);
        break;
      case W_BINARY:
        buf[offset++] = id;
        offset = writeBinary(buf, offset, value as Uint8Array);
        break;
      default:
        for (const pair of value as [string, string][]) {
          buf[offset++] = id;
          offset = writeString(buf, offset, pair[0]);
          offset = writeString(buf, offset, pair[1]);
        }
    }
  }
  return offset;
}

/** Whether `props` has at least one property set (for refusing properties before MQTT 5). */
export function hasProperties(props: Properties | undefined): boolean {
  if (props === undefined) return false;
  for (const name in props) {
    if ((props as Record<string, unknown>)[name] !== undefined) return true;
  }
  return false;
}
