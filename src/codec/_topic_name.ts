/**
 * PUBLISH Topic Names (MQTT 5 §3.3.2.1, MQTT 3.1.1 §3.3.2.1): an MQTT UTF-8 string without the
 * wildcards `+` and `#` ([MQTT-3.3.2-2]), checked and written when a PUBLISH is encoded and read
 * when one is decoded.
 *
 * A publisher sends to the same topic again and again, and a subscriber receives the same topic
 * again and again: each side remembers the last name it handled, so the same name again costs one
 * comparison instead of a scan (figures in bench/README.md, "Codec"). Whether a name is valid
 * depends on its characters (or bytes) only, so one slot per side, shared by every encoder and
 * decoder, is safe.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { MAX_STRING_BYTES } from "./constants.ts";
import { describe } from "../format.ts";
import { readUtf8, utf8Length } from "./utf8.ts";
import { writeString } from "./_writer.ts";

/** The last name {@link topicNameLength} found to be ASCII and valid (its bytes are its characters). */
let lastAsciiTopic = "";

/**
 * Byte length of `value` as a Topic Name. ASCII names, the common case, are checked in one pass,
 * and the last one is remembered.
 *
 * @throws {TypeError} `value` is not a string.
 * @throws {RangeError} as `utf8Length`, or `value` holds a wildcard.
 */
export function topicNameLength(value: string, field: string): number {
  if (value === lastAsciiTopic) return value.length;
  if (typeof value === "string") {
    const n = value.length;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      // Below 0x80 and none of U+0000, '#' (0x23), '+' (0x2b).
      if (c >= 0x80 || c === 0 || c === 0x23 || c === 0x2b) break;
    }
    if (i === n && n <= MAX_STRING_BYTES) {
      lastAsciiTopic = value;
      return n;
    }
  }
  const bytes = utf8Length(value, field);
  if (value.indexOf("+") !== -1 || value.indexOf("#") !== -1) {
    throw new RangeError(
      `${field} must be a topic name without wildcards [MQTT-3.3.2-2], got ${describe(value)}`,
    );
  }
  return bytes;
}

/**
 * Writes the Topic Name `value` (validated by {@link topicNameLength}) with its length prefix at
 * `offset`; returns the next offset. The buffer must have room for it.
 */
export function writeTopicName(buf: Uint8Array, offset: number, value: string): number {
  if (value !== lastAsciiTopic) return writeString(buf, offset, value);
  const n = value.length;
  buf[offset++] = n >>> 8;
  buf[offset++] = n & 0xff;
  for (let i = 0; i < n; i++) buf[offset++] = value.charCodeAt(i);
  return offset;
}

/** Names up to this many bytes are remembered by {@link readTopicName}. */
const REMEMBERED_BYTES = 256;
/** The bytes of the last name {@link readTopicName} decoded, and that name. */
const lastReadBytes = new Uint8Array(REMEMBERED_BYTES);
let lastReadLength = -1;
let lastReadTopic = "";

/**
 * Reads the Topic Name `buf[start, end)` of a received PUBLISH. When the bytes are those of the
 * last name read (compared one by one, so any other bytes are read and checked afresh), that
 * string is returned, with no string made and no second check for wildcards.
 *
 * @throws {MalformedPacketError} as `readUtf8`.
 * @throws {ProtocolError} the name holds a wildcard [MQTT-3.3.2-2].
 */
export function readTopicName(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === lastReadLength) {
    let i = 0;
    while (i < n && lastReadBytes[i] === buf[start + i]) i++;
    if (i === n) return lastReadTopic;
  }
  const topic = readUtf8(buf, start, end, "topic name");
  if (topic.indexOf("+") !== -1 || topic.indexOf("#") !== -1) {
    throw new ProtocolError(
      `A PUBLISH topic name must not contain wildcards [MQTT-3.3.2-2]: ${JSON.stringify(topic)}`,
    );
  }
  if (n <= REMEMBERED_BYTES) {
    for (let i = 0; i < n; i++) lastReadBytes[i] = buf[start + i]!;
    lastReadLength = n;
    lastReadTopic = topic;
  }
  return topic;
}
