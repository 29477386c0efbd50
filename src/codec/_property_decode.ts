/**
 * Reading MQTT 5 properties, driven by the compiled property table.
 *
 * An identifier that is unknown or not valid for the packet is a Malformed Packet (§2.2.2.2);
 * a property repeated where it must appear once, a 0/1 flag with another value, or a value out
 * of range (Topic Alias 0, Receive Maximum 0, …) is a Protocol Error.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { hex } from "../format.ts";
import type { Properties } from "./types.ts";
import type { Reader } from "./_reader.ts";
import {
  BY_ID,
  type Compiled,
  CONTEXT_NAMES,
  RESPONSE_TOPIC,
  TOPIC_ALIAS,
  type WIRE,
} from "./_property_lookup.ts";

// Local copies of WIRE (see there), for the speed of the switches below.
const W_BOOLEAN: typeof WIRE.boolean = 0;
const W_BYTE: typeof WIRE.byte = 1;
const W_U16: typeof WIRE.uint16 = 2;
const W_U32: typeof WIRE.uint32 = 3;
const W_VARINT: typeof WIRE.varint = 4;
const W_STRING: typeof WIRE.string = 5;
const W_BINARY: typeof WIRE.binary = 6;

/**
 * Reads a Property Length and the properties after it, for a packet of type number `context`
 * (or `WILL_CONTEXT`). Returns `undefined` when the length is 0.
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
        `A ${r.packet} contains an unknown property identifier ${hex(id)} (MQTT 5 §2.2.2.2)`,
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
        if (id === RESPONSE_TOPIC) checkResponseTopic(value as string);
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
    const spec = def.id === TOPIC_ALIAS ? " [MQTT-3.3.2-8]" : def.section;
    throw new ProtocolError(
      `It is a Protocol Error for ${def.label} to be ${value}; allowed: ${def.min}..${def.max}${spec}`,
    );
  }
  return value;
}

function checkResponseTopic(value: string): void {
  if (value.length === 0 || value.includes("+") || value.includes("#")) {
    throw new ProtocolError(
      `The responseTopic must be a topic name, non-empty and without wildcards ` +
        `[MQTT-3.3.2-14]: ${JSON.stringify(value)}`,
    );
  }
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
