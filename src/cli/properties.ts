/**
 * `-D command property value` (and `-D command user-property key value`), as mosquitto's
 * clients read it: the MQTT 5 properties to put in CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE,
 * DISCONNECT or the will, by mosquitto's names ("message-expiry-interval", "user-property", …).
 *
 * @module
 */

import type { Properties } from "../codec/types.ts";
import { type PropertyContext, propertyDefinition } from "../codec/properties.ts";
import { UsageError } from "./usage_error.ts";
import { atol } from "./numbers.ts";

/** The packets `-D` can give properties to. */
export type PropertyCommand =
  | "connect"
  | "publish"
  | "subscribe"
  | "unsubscribe"
  | "disconnect"
  | "will";

/** The properties given with `-D`, per packet. */
export type CommandProperties = Partial<Record<PropertyCommand, Properties>>;

/** Every command name mosquitto knows (`mosquitto_string_to_command`). */
const COMMANDS: readonly PropertyContext[] = [
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "disconnect",
  "auth",
  "will",
];

/**
 * mosquitto's property names and korero's: the name is the camelCase one in dashes, except
 * "maximum-qos" (korero: `maximumQoS`).
 */
function propertyName(name: string): keyof Properties | undefined {
  const lower = name.toLowerCase();
  if (lower === "maximum-qos") return "maximumQoS";
  if (lower === "user-property") return "userProperties";
  if (!/^[a-z]+(-[a-z]+)*$/.test(lower)) return undefined;
  const camel = lower.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return propertyDefinition(camel)?.name;
}

/** The `-D` arguments seen so far, per packet. */
export class PropertyArguments {
  readonly properties: CommandProperties = {};

  /**
   * Reads one `-D` from `args` at `index` (the word after `-D`); returns how many words it
   * took (3, or 4 for user-property).
   *
   * @throws {UsageError} with mosquitto's message for a bad command, name, value or place
   */
  parse(args: readonly string[], index: number): number {
    if (index + 2 >= args.length) {
      throw new UsageError("Error: --property argument given but not enough arguments specified.");
    }
    const commandName = args[index]!;
    const name = args[index + 1]!;
    const command = COMMANDS.find((known) => known === commandName.toLowerCase());
    if (command === undefined) {
      throw new UsageError("Error: Invalid command given in --property argument.");
    }
    const key = propertyName(name);
    const definition = key === undefined ? undefined : propertyDefinition(key);
    if (definition === undefined) {
      throw new UsageError("Error: Invalid property name given in --property argument.");
    }
    if (!definition.packets.includes(command)) {
      throw new UsageError(
        `Error: ${name} property not allowed for ${commandName} in --property argument.`,
      );
    }
    const pair = definition.type === "stringPair";
    if (index + (pair ? 3 : 2) >= args.length) {
      throw new UsageError("Error: --property argument given but not enough arguments specified.");
    }
    const notSupported = () =>
      new UsageError(
        `Error: ${name} property not supported for ${commandName} in --property argument.`,
      );
    if (
      command === "connack" || command === "auth" || command === "puback" ||
      command === "pubrec" || command === "pubrel" || command === "pubcomp" ||
      command === "suback" || command === "unsuback"
    ) throw notSupported();
    if (command === "publish" && definition.name === "subscriptionIdentifier") {
      throw notSupported();
    }
    if (
      command === "subscribe" && definition.name !== "subscriptionIdentifier" &&
      definition.name !== "userProperties"
    ) throw notSupported();

    const list = (this.properties[command] ??= {}) as Record<string, unknown>;
    if (pair) {
      const pairs = (list.userProperties ??= []) as [string, string][];
      pairs.push([args[index + 2]!, args[index + 3]!]);
      return 4;
    }
    const text = args[index + 2]!;
    if (list[definition.name] !== undefined) {
      throw new UsageError(
        `Error in ${
          command === "will" ? "Will" : command.toUpperCase()
        } properties: Duplicate property in property list`,
      );
    }
    list[definition.name] = value(definition.type, text, name);
    return 3;
  }
}

/** The value of a property of wire type `type` written as `text` (mosquitto: `atol`). */
function value(type: string, text: string, name: string): unknown {
  const limits: Record<string, number> = {
    boolean: 0xff,
    byte: 0xff,
    uint16: 0xffff,
    uint32: 0xffff_ffff,
    varint: 0xffff_ffff,
  };
  const max = limits[type];
  if (max === undefined) {
    return type === "binary" ? new TextEncoder().encode(text) : text;
  }
  const number = atol(text);
  if (number < 0 || number > max) {
    throw new UsageError(`Error: Property value (${number}) out of range for property ${name}.`);
  }
  if (type === "boolean") {
    if (number > 1) {
      throw new UsageError(
        `Error: Property value (${number}) out of range for property ${name} (korero takes 0 or 1).`,
      );
    }
    return number === 1;
  }
  return number;
}
