/**
 * {@link PROPERTY_TABLE} compiled into the lookup tables the property encoder and decoder use:
 * rows by identifier and by name, with the contexts that allow them as bit masks.
 *
 * @module
 */

import { hex } from "../format.ts";
import { MAX_UINT32, MAX_VARIABLE_BYTE_INTEGER, PacketTypeNumber } from "./constants.ts";
import { PROPERTY_TABLE, type PropertyContext, type PropertyType } from "./properties.ts";

/** Context argument of the encoder and decoder: the packet type number, or 0 for the will. */
export const WILL_CONTEXT = 0;

/** Context bits: the packet type number, and {@link WILL_CONTEXT} for the will. */
const CONTEXT_BIT: Readonly<Record<PropertyContext, number>> = {
  ...PacketTypeNumber,
  will: WILL_CONTEXT,
};

/** Name of each context for messages, index = context number. */
export const CONTEXT_NAMES: readonly string[] = [
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

/**
 * Wire type code of each property type ({@link Compiled.wire}). The encoder and decoder keep
 * local copies, typed as these values so the compiler holds them equal: their switches ran
 * measurably faster on module-local constants than on imported ones (see bench/README.md).
 */
export const WIRE = {
  boolean: 0,
  byte: 1,
  uint16: 2,
  uint32: 3,
  varint: 4,
  string: 5,
  binary: 6,
  stringPair: 7,
} as const satisfies Record<PropertyType, number>;

/** Largest value of each numeric wire type, index = wire type code. */
const WIRE_MAX = [1, 255, 0xffff, MAX_UINT32, MAX_VARIABLE_BYTE_INTEGER];

/** The identifier of Response Topic, which must be a topic name. */
export const RESPONSE_TOPIC = 0x08;
/** The identifier of Topic Alias, whose 0 breaks [MQTT-3.3.2-8]. */
export const TOPIC_ALIAS = 0x23;

/** One row of the property table, compiled. */
export interface Compiled {
  /** Property identifier. */
  readonly id: number;
  /** Key in `Properties`. */
  readonly name: string;
  /** `name (0x..)`, for messages. */
  readonly label: string;
  /** ` (MQTT 5 §x.y)`, for messages. */
  readonly section: string;
  /** Wire type code ({@link WIRE}). */
  readonly wire: number;
  /** Bit mask of the contexts that allow it. */
  readonly allowed: number;
  /** Bit mask of the contexts where it may repeat. */
  readonly repeatable: number;
  /** Smallest allowed value of a number. */
  readonly min: number;
  /** Largest allowed value of a number. */
  readonly max: number;
}

/** Compiled rows by identifier. */
export const BY_ID: readonly (Compiled | undefined)[] = [];
/** Compiled rows by name. */
export const BY_NAME: ReadonlyMap<string, Compiled> = new Map();

for (const def of PROPERTY_TABLE) {
  let allowed = 0;
  let repeatable = 0;
  for (const c of def.packets) allowed |= 1 << CONTEXT_BIT[c];
  for (const c of def.repeatableIn) repeatable |= 1 << CONTEXT_BIT[c];
  const wire = WIRE[def.type];
  const compiled: Compiled = {
    id: def.id,
    name: def.name,
    label: `${def.name} (${hex(def.id)})`,
    section: ` (MQTT 5 §${def.section})`,
    wire,
    allowed,
    repeatable,
    min: def.min ?? 0,
    max: def.max ?? WIRE_MAX[wire] ?? 0,
  };
  (BY_ID as (Compiled | undefined)[])[def.id] = compiled;
  (BY_NAME as Map<string, Compiled>).set(def.name, compiled);
}
