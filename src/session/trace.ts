/**
 * The per-packet debug trace (option `trace`): one line per packet sent or received, in
 * paho-mqtt's wording, so logs of a ported program read the same:
 *
 * ```
 * Sending CONNECT (u1, p1, wr0, wq0, wf0, c1, k60) client_id=sensor-1
 * Sending PUBLISH (d0, q1, r0, m3), 'a/b', ... (5 bytes)
 * Received PUBACK (Mid: 3)
 * Received PUBLISH (d0, q0, r0, m0), 'c/d', ...  (2 bytes)
 * Sending PINGREQ
 * ```
 *
 * A line never holds a password, authentication data or a payload: only flags and sizes.
 *
 * @module
 */

import type { UnreadPacket } from "../codec/client_codec.ts";
import type { Packet } from "../codec/types.ts";

const b = (flag: boolean | undefined): number => (flag === true ? 1 : 0);

/**
 * The trace line of `packet`, sent (`"Sending"`) or received (`"Received"`); a packet a client
 * never receives ({@link UnreadPacket}) shows its type only.
 */
export function traceLine(
  direction: "Sending" | "Received",
  packet: Packet | UnreadPacket,
): string {
  if ("unread" in packet) return `${direction} ${packet.type.toUpperCase()}`;
  switch (packet.type) {
    case "connect": {
      const will = packet.will;
      return `${direction} CONNECT (u${b(packet.username !== undefined)}, p${
        b(packet.password !== undefined)
      }, wr${b(will?.retain)}, wq${will?.qos ?? 0}, wf${b(will !== undefined)}, c${
        b(packet.clean)
      }, k${packet.keepalive}) client_id=${packet.clientId}`;
    }
    case "connack":
      return `${direction} CONNACK (${b(packet.sessionPresent)}, ${packet.reasonCode})`;
    case "publish": {
      const spaces = direction === "Received" ? "  " : " ";
      return `${direction} PUBLISH (d${b(packet.dup)}, q${packet.qos}, r${b(packet.retain)}, m${
        packet.packetId ?? 0
      }), '${packet.topic}', ...${spaces}(${packet.payload.length} bytes)`;
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
    case "unsuback":
      return `${direction} ${packet.type.toUpperCase()} (Mid: ${packet.packetId})`;
    case "subscribe":
      return `${direction} SUBSCRIBE (d0, m${packet.packetId}) [${
        packet.subscriptions.map((s) => `('${s.topicFilter}', ${s.qos})`).join(", ")
      }]`;
    case "unsubscribe":
      return `${direction} UNSUBSCRIBE (d0, m${packet.packetId}) [${
        packet.topicFilters.map((f) => `'${f}'`).join(", ")
      }]`;
    case "disconnect":
      return packet.reasonCode === 0
        ? `${direction} DISCONNECT`
        : `${direction} DISCONNECT reasonCode=${packet.reasonCode}`;
    default:
      return `${direction} ${packet.type.toUpperCase()}`;
  }
}
