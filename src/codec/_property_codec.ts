/**
 * Reading and writing MQTT 5 properties, driven by {@link PROPERTY_TABLE}.
 *
 * Decoding rules: an identifier that is unknown or not valid for the packet is a Malformed
 * Packet (§2.2.2.2); a property repeated where it must appear once, a 0/1 flag with another
 * value, or a value out of range (Topic Alias 0, Receive Maximum 0, …) is a Protocol Error.
 * Encoding refuses unknown names (TypeError), and properties not allowed in the packet or
 * values out of range (RangeError), naming the field.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import {
  MAX_STRING_BYTES,
  MAX_UINT32,
  MAX_VARIABLE_BYTE_INTEGER,
  PacketTypeNumber,
} from "./constants.ts";
import type { Properties } from "./types.ts";
import { PROPERTY_TABLE, type PropertyContext, type PropertyType } from "./properties.ts";
import type { Reader } from "./_reader.ts";
import { describe, utf8Length } from "./utf8.ts";
import { varintSize, writeVarint } from "./_varint.ts";
import { writeBinary, writeString, writeU16, writeU32 } from "./_writer.ts";

// ---- compiled lookup tables -------------------------------------------------------------

/** Context bits: the packet type number, and 0 for the will. */
const CONTEXT_BIT: Readonly<Record<PropertyContext, number>> = { ...PacketTypeNumber, will: 0 };

/** Context argument of the encoder and decoder: the packet type number, or 0 for the will. */
export const WILL_CONTEXT = 0;

const CONTEXT_NAMES: readonly string[] = [
  "will",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
];

const W_BOOLEAN = 0;
const W_BYTE = 1;
const W_U16 = 2;
const W_U32 = 3;
const W_VARINT = 4;
const W_STRING = 5;
const W_BINARY = 6;
const W_PAIR = 7;
const WIRE: Readonly<Record<PropertyType, number>> = {
  boolean: W_BOOLEAN,
  byte: W_BYTE,
  uint16: W_U16,
  uint32: W_U32,
  varint: W_VARINT,
  string: W_STRING,
  binary: W_BINARY,
  stringPair: W_PAIR,
};
const WIRE_MAX = [1, 255, 0xffff, MAX_UINT32, MAX_VARIABLE_BYTE_INTEGER];

interface Compiled {
  readonly id: number;
  readonly name: string;
  readonly label: string;
  readonly section: string;
  readonly wire: number;
  readonly allowed: number;
  readonly repeatable: number;
  readonly min: number;
  readonly max: number;
}

const BY_ID: (Compiled | undefined)[] = [];
const BY_NAME = new Map<string, Compiled>();
for (const def of PROPERTY_TABLE) {
  let allowed = 0;
  let repeatable = 0;
  for (const c of def.packets) allowed |= 1 << CONTEXT_BIT[c];
  for (const c of def.repeatableIn) repeatable |= 1 << CONTEXT_BIT[c];
  const wire = WIRE[def.type];
  const compiled: Compiled = {
    id: def.id,
    name: def.name,
    label: `${def.name} (0x${def.id.toString(16).padStart(2, "0").toUpperCase()})`,
    section: ` (MQTT 5 §${def.section})`,
    wire,
    allowed,
    repeatable,
    min: def.min ?? 0,
    max: def.max ?? WIRE_MAX[wire] ?? 0,
  };
  BY_ID[def.id] = compiled;
  BY_NAME.set(def.name, compiled);
}

// ---- decoding ---------------------------------------------------------------------------

/**
 * Reads a Property Length and the properties after it, for a packet of type number `context`
 * (or {@link WILL_CONTEXT}). Returns `undefined` when the length is 0.
 */
export function readProperties(r: Reader, context: number): Properties | undefined {
  const length = r.varint("property length");
  if (length === 0) return undefined;
  const end = r.pos + length;
  if (end > r.end) throw r.truncated("properties");
  const outerEnd = r.end;
  r.end = end;
  const bit = 1 << context;
  const props: Record<string, unknown> = {};
  while (r.pos < end) {
    const id = r.varint("property identifier");
    const def = BY_ID[id];
    if (def === undefined) {
      throw new MalformedPacketError(
        `A ${r.packet} contains an unknown property identifier 0x${
          id.toString(16)
        } (MQTT 5 §2.2.2.2)`,
      );
    }
    if ((def.allowed & bit) === 0) {
      throw new MalformedPacketError(
        `Property ${def.label} is not allowed in the ${CONTEXT_NAMES[context]} properties ` +
          `(MQTT 5 §2.2.2.2)`,
      );
    }
    let value: unknown;
    switch (def.wire) {
      case W_BOOLEAN: {
        const byte = r.u8(def.name);
        if (byte > 1) {
          throw new ProtocolError(
            `It is a Protocol Error for ${def.label} to have a value other than 0 or 1, got ` +
              `${byte}${def.section}`,
          );
        }
        value = byte === 1;
        break;
      }
      case W_BYTE:
        value = checkRange(def, r.u8(def.name));
        break;
      case W_U16:
        value = checkRange(def, r.u16(def.name));
        break;
      case W_U32:
        value = checkRange(def, r.u32(def.name));
        break;
      case W_VARINT:
        value = checkRange(def, r.varint(def.name));
        break;
      case W_STRING:
        value = r.utf8(def.name);
        if (id === 0x08) checkResponseTopic(value as string, ProtocolError);
        break;
      case W_BINARY:
        value = r.binary(def.name);
        break;
      default: {
        const key = r.utf8("user property name");
        const pair: [string, string] = [key, r.utf8("user property value")];
        const list = props.userProperties as [string, string][] | undefined;
        if (list === undefined) props.userProperties = [pair];
        else list.push(pair);
        continue;
      }
    }
    const previous = props[def.name];
    if (previous === undefined) {
      props[def.name] = value;
    } else if ((def.repeatable & bit) !== 0) {
      if (Array.isArray(previous)) previous.push(value);
      else props[def.name] = [previous, value];
    } else {
      throw new ProtocolError(
        `It is a Protocol Error to include ${def.label} more than once in a ` +
          `${CONTEXT_NAMES[context]}${def.section}`,
      );
    }
  }
  r.end = outerEnd;
  return props as Properties;
}

function checkRange(def: Compiled, value: number): number {
  if (value < def.min || value > def.max) {
    const spec = def.id === 0x23 ? " [MQTT-3.3.2-8]" : def.section;
    throw new ProtocolError(
      `It is a Protocol Error for ${def.label} to be ${value}; allowed: ${def.min}..${def.max}${spec}`,
    );
  }
  return value;
}

function checkResponseTopic(value: string, error: new (message: string) => Error): void {
  if (value.length === 0 || value.includes("+") || value.includes("#")) {
    throw new error(
      `The responseTopic must be a topic name, non-empty and without wildcards ` +
        `[MQTT-3.3.2-14]: ${JSON.stringify(value)}`,
    );
  }
}

// ---- encoding ---------------------------------------------------------------------------

/**
 * Validates `props` for a packet of type number `context` (or {@link WILL_CONTEXT}) and
 * returns the byte length of the properties, without the Property Length prefix. `field`
 * names the object in error messages ("properties", "will.properties").
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
      throw new TypeError(`${field}.${name} is not an MQTT 5 property`);
    }
    if ((def.allowed & bit) === 0) {
      throw new RangeError(
        `${field}.${name} is not allowed in the ${CONTEXT_NAMES[context]} properties`,
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
              `${field}.${name} must be a single number in ${CONTEXT_NAMES[context]}`,
            );
          }
          for (const item of value) size += 1 + varintSize(checkNumber(def, item, field));
        } else {
          size += 1 + varintSize(checkNumber(def, value, field));
        }
        break;
      case W_STRING:
        if (def.id === 0x08) checkResponseTopic(value as string, RangeError);
        size += 3 + utf8Length(value as string, `${field}.${name}`);
        break;
      case W_BINARY:
        if (!(value instanceof Uint8Array)) {
          throw new TypeError(`${field}.${name} must be a Uint8Array, got ${describe(value)}`);
        }
        if (value.length > MAX_STRING_BYTES) {
          throw new RangeError(
            `${field}.${name} must be at most 65535 bytes, got ${value.length} bytes`,
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
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${field}.${def.name} must be an integer, got ${describe(value)}`);
  }
  if (value < def.min || value > def.max) {
    throw new RangeError(
      `${field}.${def.name} must be in ${def.min}..${def.max}, got ${value}`,
    );
  }
  return value;
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

/**
 * Throws a ProtocolError when `props` has Authentication Data without an Authentication
 * Method (MQTT 5 §3.1.2.11.10, §3.15.2.2.3).
 */
export function checkAuthenticationData(props: Properties | undefined, packet: string): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw new ProtocolError(
      `A ${packet} has authenticationData (0x16) without authenticationMethod (0x15) ` +
        `(MQTT 5 §3.1.2.11.10)`,
    );
  }
}
