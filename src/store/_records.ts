/**
 * The file store's log format: each {@link StoreChange} as one record,
 *
 * ```
 * u32 body length | u32 CRC-32 of the body | body: u8 op, then the op's fields
 * ```
 *
 * (little-endian), after an 8-byte file header, {@link MAGIC}. Messages and subscriptions are
 * kept as the MQTT 5 PUBLISH / SUBSCRIBE packet korero's codec writes, so every field and
 * property survives. Reading stops at the first record that is cut short or fails its checksum:
 * a torn write at the end of the log (a crash mid-write) loses that record and nothing before it.
 *
 * @module
 */

import { decodePacket } from "../codec/decode.ts";
import { encodePacket } from "../codec/encode.ts";
import type { PublishPacket, SubscribePacket } from "../codec/types.ts";
import type { InboundMessage, OutgoingMessage } from "../session/messages.ts";
import type { StoreChange } from "../session/persistence.ts";

/** The first 8 bytes of a log file: "korero", the format version 1, "\n". */
export const MAGIC: Uint8Array = new Uint8Array([0x6b, 0x6f, 0x72, 0x65, 0x72, 0x6f, 0x01, 0x0a]);

const OPS = [
  "publish",
  "sent",
  "released",
  "done",
  "received",
  "completed",
  "subscribed",
  "unsubscribed",
  "reset",
] as const;
const HEADER = 8; // length + checksum

const CRC_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 (IEEE) of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

function publishBytes(message: OutgoingMessage | InboundMessage): Uint8Array {
  const packet: PublishPacket = {
    type: "publish",
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup: false,
  };
  if (message.qos > 0) packet.packetId = 1;
  if (message.properties !== undefined) packet.properties = message.properties;
  return encodePacket(packet, 5);
}

/** The body of `change` (op byte and fields, no record header). */
function body(change: StoreChange): Uint8Array {
  const op = OPS.indexOf(change.op) + 1;
  let fixed: number[] = [];
  let tail: Uint8Array | undefined;
  switch (change.op) {
    case "publish":
      fixed = u32(change.seq);
      tail = publishBytes(change.message);
      break;
    case "sent":
      fixed = [...u32(change.seq), ...u16(change.packetId)];
      break;
    case "released":
    case "done":
      fixed = u32(change.seq);
      break;
    case "received":
      fixed = [...u16(change.packetId), ...u32(change.fingerprint)];
      if (change.message !== undefined) tail = publishBytes(change.message);
      break;
    case "completed":
      fixed = [...u16(change.packetId)];
      if (change.fingerprint !== undefined) fixed.push(...u32(change.fingerprint));
      break;
    case "subscribed": {
      const packet: SubscribePacket = {
        type: "subscribe",
        packetId: 1,
        subscriptions: [change.subscription],
      };
      if (change.properties !== undefined) packet.properties = change.properties;
      tail = encodePacket(packet, 5);
      break;
    }
    case "unsubscribed":
      tail = utf8.encode(change.topicFilter);
      break;
    case "reset":
      break;
  }
  const out = new Uint8Array(1 + fixed.length + (tail?.length ?? 0));
  out[0] = op;
  out.set(fixed, 1);
  if (tail !== undefined) out.set(tail, 1 + fixed.length);
  return out;
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

/** `changes` as log records, in one buffer. */
export function encodeRecords(changes: readonly StoreChange[]): Uint8Array {
  const bodies = changes.map(body);
  let size = 0;
  for (const b of bodies) size += HEADER + b.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const b of bodies) {
    view.setUint32(at, b.length, true);
    out.set(b, at + HEADER);
    view.setUint32(at + 4, crc32(out, at + HEADER, at + HEADER + b.length), true);
    at += HEADER + b.length;
  }
  return out;
}

/** What {@link decodeRecords} read. */
export interface DecodedLog {
  /** The changes of every intact record, in order. */
  changes: StoreChange[];
  /** The offset just past the last intact record (where appending continues). */
  end: number;
  /** Why reading stopped before the end of the bytes, if it did. */
  damage?: string;
}

/** Reads the records of `bytes` from `start`, stopping at the first damaged or cut one. */
export function decodeRecords(bytes: Uint8Array, start: number): DecodedLog {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const changes: StoreChange[] = [];
  let at = start;
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) return { changes, end: at, damage: "a cut record header" };
    const length = view.getUint32(at, true);
    const from = at + HEADER;
    if (length === 0 || from + length > bytes.length) {
      return { changes, end: at, damage: `a record of ${length} bytes cut short` };
    }
    if (crc32(bytes, from, from + length) !== view.getUint32(at + 4, true)) {
      return { changes, end: at, damage: "a record whose checksum does not match" };
    }
    let change: StoreChange;
    try {
      change = decodeBody(bytes.subarray(from, from + length));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return { changes, end: at, damage: `an unreadable record (${text})` };
    }
    changes.push(change);
    at = from + length;
  }
  return { changes, end: at };
}

function decodeBody(b: Uint8Array): StoreChange {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const op = OPS[b[0]! - 1];
  const seq = () => view.getUint32(1, true);
  switch (op) {
    case "publish":
      return { op, seq: seq(), message: outgoing(b.subarray(5)) };
    case "sent":
      return { op, seq: seq(), packetId: view.getUint16(5, true) };
    case "released":
    case "done":
      return { op, seq: seq() };
    case "received": {
      const change: StoreChange = {
        op,
        packetId: view.getUint16(1, true),
        fingerprint: view.getUint32(3, true),
      };
      if (b.length > 7) change.message = incoming(b.subarray(7), change.packetId);
      return change;
    }
    case "completed": {
      const packetId = view.getUint16(1, true);
      return b.length >= 7
        ? { op, packetId, fingerprint: view.getUint32(3, true) }
        : { op, packetId };
    }
    case "subscribed": {
      const packet = decodePacket(b.subarray(1), 5);
      if (packet.type !== "subscribe" || packet.subscriptions.length !== 1) {
        throw new Error("not a SUBSCRIBE of one filter");
      }
      const change: StoreChange = { op, subscription: packet.subscriptions[0]! };
      if (packet.properties !== undefined) change.properties = packet.properties;
      return change;
    }
    case "unsubscribed":
      return { op, topicFilter: fromUtf8.decode(b.subarray(1)) };
    case "reset":
      return { op };
    default:
      throw new Error(`unknown op ${b[0]}`);
  }
}

function publishPacket(bytes: Uint8Array): PublishPacket {
  const packet = decodePacket(bytes, 5);
  if (packet.type !== "publish") throw new Error("not a PUBLISH");
  return packet;
}

function outgoing(bytes: Uint8Array): OutgoingMessage {
  const p = publishPacket(bytes);
  const message: OutgoingMessage = {
    topic: p.topic,
    payload: p.payload,
    qos: p.qos,
    retain: p.retain,
  };
  if (p.properties !== undefined) message.properties = p.properties;
  return message;
}

function incoming(bytes: Uint8Array, packetId: number): InboundMessage {
  const p = publishPacket(bytes);
  const message: InboundMessage = {
    topic: p.topic,
    payload: p.payload,
    qos: p.qos,
    retain: p.retain,
    dup: true, // the server may have sent it before: it did, to the process that saved it
    mid: packetId,
    timestamp: 0,
    receipt: 0,
  };
  if (p.properties !== undefined) message.properties = p.properties;
  return message;
}
