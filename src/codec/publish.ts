/**
 * PUBLISH (MQTT 5 §3.3, MQTT 3.1.1 §3.3): the hot path of the codec, written for speed:
 * one size pass, one exact-size buffer, one write pass; decoded payloads are views.
 *
 * @module
 */

import { MalformedPacketError, ProtocolError } from "../errors.ts";
import { describe } from "../format.ts";
import type { Properties, ProtocolVersion, PublishPacket } from "./types.ts";
import { propertiesSize, writeProperties } from "./_property_encode.ts";
import { readProperties } from "./_property_decode.ts";
import { readTopicName, topicNameLength, writeTopicName } from "./_topic_name.ts";
import { Reader } from "./_reader.ts";
import { varintSize, writeVarint } from "./_varint.ts";
import { copyBytes, type Output } from "./_writer.ts";
import {
  checkBoolean,
  checkBytes,
  checkPacketId,
  checkQos,
  checkRemainingLength,
} from "./_checks.ts";

/**
 * Validates `p` and returns its Remaining Length; leaves the Property Length in
 * `out.propertiesLength`.
 */
function publishRemainingLength(p: PublishPacket, version: ProtocolVersion, out: Output): number {
  const qos = p.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) checkQos(qos, "qos");
  const topic = p.topic;
  let remaining = 2 + topicNameLength(topic, "topic");
  if (qos === 0) {
    if (p.packetId !== undefined) {
      throw new RangeError(`packetId must be absent for QoS 0, got ${describe(p.packetId)}`);
    }
    if (p.dup) throw new RangeError(`dup must be false for QoS 0 [MQTT-3.3.1-2], got true`);
  } else {
    checkPacketId(p.packetId);
    remaining += 2;
  }
  if (typeof p.dup !== "boolean") checkBoolean(p.dup, "dup");
  if (typeof p.retain !== "boolean") checkBoolean(p.retain, "retain");
  const payload = p.payload;
  if (!(payload instanceof Uint8Array)) checkBytes(payload, "payload");
  remaining += payload.length + propertiesSize(p.properties, 3, version, out);
  if (topic.length === 0) {
    if (version !== 5) {
      throw new RangeError(`topic must not be empty before MQTT 5 [MQTT-4.7.3-1], got ""`);
    }
    if (p.properties?.topicAlias === undefined) {
      throw new RangeError(
        `topic must not be empty unless properties.topicAlias is set (MQTT 5 §3.3.2.1), got ""`,
      );
    }
  }
  checkRemainingLength(remaining, "publish");
  return remaining;
}

/** Encoded size of a PUBLISH in bytes (validates it like {@link encodePublish}). */
export function publishLength(p: PublishPacket, version: ProtocolVersion, out: Output): number {
  const remaining = publishRemainingLength(p, version, out);
  return 1 + varintSize(remaining) + remaining;
}

/** Encodes a PUBLISH into a buffer from `out`. */
export function encodePublish(p: PublishPacket, version: ProtocolVersion, out: Output): Uint8Array {
  const remaining = publishRemainingLength(p, version, out);
  const qos = p.qos;
  const buf = out.allocate(1 + varintSize(remaining) + remaining);
  buf[0] = 0x30 | (p.dup ? 8 : 0) | (qos << 1) | (p.retain ? 1 : 0);
  let o = writeVarint(buf, 1, remaining);
  o = writeTopicName(buf, o, p.topic);
  if (qos !== 0) {
    const id = p.packetId!;
    buf[o++] = id >>> 8;
    buf[o++] = id & 0xff;
  }
  if (version === 5) o = writeProperties(buf, o, p.properties, out.propertiesLength);
  copyBytes(buf, o, p.payload, p.payload.length);
  return buf;
}

/**
 * Decodes the body `buf[start, end)` of a PUBLISH whose fixed-header flags are `flags`
 * (already checked: QoS is not 3). The payload is a view into `buf`.
 */
export function decodePublish(
  buf: Uint8Array,
  start: number,
  end: number,
  flags: number,
  version: ProtocolVersion,
): PublishPacket {
  const qos = ((flags >> 1) & 3) as 0 | 1 | 2;
  const dup = (flags & 8) !== 0;
  if (dup && qos === 0) {
    throw new ProtocolError("A QoS 0 PUBLISH must not have the DUP flag set [MQTT-3.3.1-2]");
  }
  let pos = start + 2;
  if (pos > end) throw truncated("topic name");
  const topicEnd = pos + ((buf[start]! << 8) | buf[start + 1]!);
  if (topicEnd > end) throw truncated("topic name");
  const topic = readTopicName(buf, pos, topicEnd);
  pos = topicEnd;
  let packetId = 0;
  if (qos !== 0) {
    if (pos + 2 > end) throw truncated("packet identifier");
    packetId = (buf[pos]! << 8) | buf[pos + 1]!;
    pos += 2;
    if (packetId === 0) {
      throw new ProtocolError(
        "A PUBLISH with QoS > 0 has packet identifier 0; it must be non-zero [MQTT-2.2.1-3]",
      );
    }
  }
  let props: Properties | undefined;
  if (version === 5) {
    if (pos < end && buf[pos] === 0) {
      pos++; // the common empty property list
    } else {
      const r = new Reader(buf, pos, end, "PUBLISH");
      props = readProperties(r, 3);
      pos = r.pos;
    }
    if (topic.length === 0 && props?.topicAlias === undefined) {
      throw new ProtocolError(
        "A PUBLISH has an empty topic name and no topic alias (MQTT 5 §3.3.2.1)",
      );
    }
  } else if (topic.length === 0) {
    throw new ProtocolError("A PUBLISH topic name must not be empty [MQTT-4.7.3-1]");
  }
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: buf.subarray(pos, end),
    qos,
    retain: (flags & 1) !== 0,
    dup,
  };
  if (qos !== 0) packet.packetId = packetId;
  if (props !== undefined) packet.properties = props;
  return packet;
}

function truncated(field: string): MalformedPacketError {
  return new MalformedPacketError(
    `A PUBLISH is truncated: the remaining length ends inside the ${field}`,
  );
}
