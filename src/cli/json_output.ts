/**
 * mosquitto_sub's JSON output (the `-F` fields `%j` and `%J`): the message's fields,
 * properties and payload as cJSON writes them, compact or pretty (tabs).
 *
 * @module
 */

import type { Message } from "../client/message.ts";
import type { Properties } from "../codec/types.ts";
import { strftime, type WallTime } from "./strftime.ts";
import { Bytes } from "./bytes.ts";

const encoder = new TextEncoder();

/** A JSON value for {@link writeJson}: `raw` is already-encoded JSON text (bytes). */
type JsonValue =
  | { kind: "raw"; bytes: Uint8Array }
  | { kind: "object"; entries: [string, JsonValue][] }
  | { kind: "array"; items: JsonValue[] };

const raw = (text: string | Uint8Array): JsonValue => ({
  kind: "raw",
  bytes: typeof text === "string" ? encoder.encode(text) : text,
});

/** `bytes` as a JSON string the way cJSON writes one: only `"`, `\` and controls escaped. */
export function jsonString(bytes: Uint8Array | string): Uint8Array {
  const input = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  const out = new Bytes();
  out.byte(0x22);
  let start = 0;
  const named: Record<number, string> = {
    0x22: '\\"',
    0x5c: "\\\\",
    0x08: "\\b",
    0x0c: "\\f",
    0x0a: "\\n",
    0x0d: "\\r",
    0x09: "\\t",
  };
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte >= 0x20 && byte !== 0x22 && byte !== 0x5c) continue;
    out.bytes(input.subarray(start, i));
    out.text(named[byte] ?? `\\u${byte.toString(16).padStart(4, "0")}`);
    start = i + 1;
  }
  out.bytes(input.subarray(start));
  out.byte(0x22);
  return out.result();
}

/** A parsed JSON value as cJSON holds it (numbers printed as cJSON prints them). */
function fromParsed(value: unknown): JsonValue {
  if (value === null) return raw("null");
  if (typeof value === "boolean") return raw(value ? "true" : "false");
  if (typeof value === "number") {
    return raw(Number.isFinite(value) ? String(value) : "null");
  }
  if (typeof value === "string") return raw(jsonString(value));
  if (Array.isArray(value)) return { kind: "array", items: value.map(fromParsed) };
  return {
    kind: "object",
    entries: Object.entries(value as Record<string, unknown>).map((
      [key, item],
    ) => [key, fromParsed(item)]),
  };
}

/** cJSON's printers: `cJSON_PrintUnformatted`, or `cJSON_Print` (tabs) when `pretty`. */
function writeJson(out: Bytes, value: JsonValue, pretty: boolean, depth = 1): void {
  if (value.kind === "raw") return out.bytes(value.bytes);
  if (value.kind === "array") {
    out.text("[");
    value.items.forEach((item, index) => {
      if (index > 0) out.text(pretty ? ", " : ",");
      writeJson(out, item, pretty, depth + 1);
    });
    return out.text("]");
  }
  out.text(pretty ? "{\n" : "{");
  value.entries.forEach(([key, item], index) => {
    if (pretty) out.repeat("\t", depth);
    out.bytes(jsonString(key));
    out.text(pretty ? ":\t" : ":");
    writeJson(out, item, pretty, depth + 1);
    if (index < value.entries.length - 1) out.text(",");
    if (pretty) out.text("\n");
  });
  if (pretty) out.repeat("\t", depth - 1);
  out.text("}");
}

/** mosquitto's names of the message properties it puts in JSON. */
const JSON_PROPERTY_NAMES: Partial<Record<keyof Properties, string>> = {
  payloadFormatIndicator: "payload-format-indicator",
  messageExpiryInterval: "message-expiry-interval",
  contentType: "content-type",
  responseTopic: "response-topic",
  correlationData: "correlation-data",
  subscriptionIdentifier: "subscription-identifier",
  topicAlias: "topic-alias",
};

/** The message's properties as mosquitto's JSON has them, in the order they arrived. */
function jsonProperties(properties: Properties): JsonValue {
  const entries: [string, JsonValue][] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (key === "userProperties") {
      const pairs = (value as [string, string][]).map((
        [name, text],
      ): [string, JsonValue] => [name, raw(jsonString(text))]);
      entries.push(["user-properties", { kind: "object", entries: pairs }]);
      continue;
    }
    const name = JSON_PROPERTY_NAMES[key as keyof Properties];
    if (name === undefined) continue;
    if (typeof value === "string" || value instanceof Uint8Array) {
      entries.push([name, raw(jsonString(value))]);
    } else if (Array.isArray(value)) {
      for (const item of value) entries.push([name, raw(String(item))]);
    } else {
      entries.push([name, raw(String(Number(value)))]);
    }
  }
  return { kind: "object", entries };
}

/** `tst`: local time with microseconds, then "Z" and the offset, as mosquitto 2.0 writes it. */
function timestamp(time: WallTime): string {
  const micro = String(Math.floor(time.nanoseconds / 1000)).padStart(6, "0");
  return `${strftime("%Y-%m-%dT%H:%M:%S", time)}.${micro}Z${strftime("%z", time)}`;
}

/**
 * The message as mosquitto's `%j` (payload as a JSON string) or `%J` (payload parsed as JSON)
 * writes it; undefined when `%J`'s payload is not JSON.
 */
export function messageJson(
  message: Message,
  time: WallTime,
  escaped: boolean,
  pretty: boolean,
): Uint8Array | undefined {
  const entries: [string, JsonValue][] = [
    ["tst", raw(jsonString(timestamp(time)))],
    ["topic", raw(jsonString(message.topic))],
    ["qos", raw(String(message.qos))],
    ["retain", raw(message.retain ? "1" : "0")],
    ["payloadlen", raw(String(message.payload.length))],
  ];
  if (message.qos > 0) entries.push(["mid", raw(String(message.mid))]);
  if (message.properties !== undefined && Object.keys(message.properties).length > 0) {
    entries.push(["properties", jsonProperties(message.properties)]);
  }
  if (message.payload.length === 0) {
    entries.push(["payload", raw("null")]);
  } else if (escaped) {
    entries.push(["payload", raw(jsonString(message.payload))]);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(message.payload));
    } catch {
      return undefined;
    }
    entries.push(["payload", fromParsed(parsed)]);
  }
  const out = new Bytes();
  writeJson(out, { kind: "object", entries }, pretty);
  return out.result();
}
