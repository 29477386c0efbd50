/**
 * The session's one effect sink. Every output of the pure session — bytes to write, events for
 * the driver, settlements of the caller's tokens, log lines — is appended here, in order, and
 * leaves with `drain()`. The session's parts receive it as a parameter and never call back up.
 *
 * The session packets it writes itself (acknowledgements, PINGREQ, SUBSCRIBE, DISCONNECT) honour
 * the server's Maximum Packet Size ([MQTT-3.2.2-15]): when a packet is too big, its Reason String
 * is dropped first and then its User Properties, as the spec requires of every packet that may
 * carry them ([MQTT-3.4.2-2], [MQTT-3.4.2-3] for PUBACK, [MQTT-3.14.2-3], [MQTT-3.14.2-4] for
 * DISCONNECT, and their counterparts for the other packets).
 *
 * @module
 */

import { ClientEncoder } from "../codec/client_codec.ts";
import { SHORT_ACK_LENGTH, writeShortAck } from "../codec/ack.ts";
import { traceLine } from "./trace.ts";
import type { ConnackPacket, Packet, ProtocolVersion, PubAckPacket } from "../codec/types.ts";
import type { AckResult, LogLevel, PublishResult, SessionAction, Token } from "./types.ts";

const NO_ACTIONS: SessionAction[] = [];
Object.freeze(NO_ACTIONS);
/** The acknowledgement scratch of every `Effects` that gathered none yet (never written to). */
const NO_ACK_BYTES = new Uint8Array(0);

/** Collects the session's outputs for one protocol version. */
export class Effects {
  readonly #version: ProtocolVersion;
  readonly #encoder = new ClientEncoder();
  /** With `trace`, the packet last encoded here: what the trace shows for the next write. */
  #encoded: Packet | undefined;
  /** Outputs since the last drain (NO_ACTIONS, shared, while there are none). */
  #actions: SessionAction[] = NO_ACTIONS;
  /**
   * Urgent acknowledgements written one after another, gathered into one write: their bytes so
   * far (`#ackBytes[0, #ackLength)`), written out before any other output and on `drain()`.
   * NO_ACK_BYTES, shared, until the first one (a typed array costs ~0.2 KB even when empty).
   */
  #ackBytes = NO_ACK_BYTES;
  #ackLength = 0;
  /** The time of the input being handled (milliseconds), set by the session on every input. */
  now = 0;
  /** When bytes were last written (the keepalive counts from it). */
  lastWrite = 0;

  /** Log every packet written at level debug (see `trace.ts`). */
  readonly trace: boolean;

  constructor(version: ProtocolVersion, trace = false) {
    this.#version = version;
    this.trace = trace;
  }

  /**
   * Writes `bytes`, the encoding of `packet` (by default the packet this sink encoded last).
   * `urgent` marks an acknowledgement (or PINGREQ) that may overtake PUBLISH bytes not handed to
   * the transport yet.
   */
  write(bytes: Uint8Array, urgent = false, packet = this.#encoded): void {
    if (this.trace && packet !== undefined) this.log("debug", traceLine("Sending", packet));
    this.#push(urgent ? { type: "write", bytes, urgent } : { type: "write", bytes });
    this.lastWrite = this.now;
  }

  /** Encodes and writes `packet`, within `maximumPacketSize` where properties allow. */
  send(packet: Packet, maximumPacketSize?: number, urgent = false): void {
    this.write(this.encodeWithin(packet, maximumPacketSize), urgent);
  }

  /** The bytes {@link send} would write for `packet`, without writing them. */
  encodeWithin(packet: Packet, maximumPacketSize: number | undefined): Uint8Array {
    if (this.trace) this.#encoded = packet;
    return encodeWithin(this.#encoder, packet, this.#version, maximumPacketSize);
  }

  /**
   * The bytes of `packet` from the session's encoder (views into its slab, see
   * `PacketEncoder`), without writing them. Throws as `encodePacket` does.
   */
  encode(packet: Packet): Uint8Array {
    if (this.trace) this.#encoded = packet;
    return this.#encoder.encode(packet, this.#version);
  }

  /**
   * Writes a PUBACK, PUBREC, PUBREL or PUBCOMP (the reason code only on MQTT 5), urgent unless
   * `urgent` is false (the PUBRELs of a session resume keep their place before the resends).
   */
  ack(type: PubAckPacket["type"], packetId: number, reasonCode: number, urgent = true): void {
    const code = this.#version === 5 ? reasonCode : 0;
    if (code !== 0 || !urgent || this.trace || packetId !== (packetId & 0xffff) || packetId === 0) {
      // (The encoder validates what the short form below does not cover.)
      return this.write(this.encode({ type, packetId, reasonCode: code }), urgent);
    }
    // The common case, a 4-byte packet without reason code, joins the acknowledgements written
    // just before it: one write and no per-packet objects (the encoder's output is the same).
    let bytes = this.#ackBytes;
    const at = this.#ackLength;
    if (at + SHORT_ACK_LENGTH > bytes.length) {
      const grown = new Uint8Array(Math.max(256, 2 * bytes.length));
      grown.set(bytes.subarray(0, at));
      bytes = this.#ackBytes = grown;
    }
    writeShortAck(bytes, at, type, packetId);
    this.#ackLength = at + SHORT_ACK_LENGTH;
    this.lastWrite = this.now;
  }

  /** Appends an event for the driver. */
  emit(action: SessionAction): void {
    this.#push(action);
  }

  /** Appends a log line. */
  log(level: LogLevel, message: string): void {
    this.#push({ type: "log", level, message });
  }

  /** Settles `token` with success. */
  resolve(token: Token, value: ConnackPacket | PublishResult | AckResult | undefined): void {
    this.#push({ type: "resolve", token, value });
  }

  /** Settles `token` with success once the bytes written so far are written (QoS 0). */
  resolveOnWrite(token: Token): void {
    this.#push({ type: "resolve", token, value: { mid: 0, reasonCode: 0 }, onWrite: true });
  }

  /** Settles `token` with failure. */
  reject(token: Token, error: unknown): void {
    this.#push({ type: "reject", token, error });
  }

  /** Appends an output, after the acknowledgements gathered before it. */
  #push(action: SessionAction): void {
    if (this.#ackLength > 0) this.#writeAcks();
    if (this.#actions === NO_ACTIONS) this.#actions = [action];
    else this.#actions.push(action);
  }

  /**
   * Writes the gathered acknowledgements: a copy (the scratch is reused) in the encoder's memory,
   * where a `slice()` would cost V8 an `ArrayBuffer` per write.
   */
  #writeAcks(): void {
    const bytes = this.#encoder.copy(this.#ackBytes, this.#ackLength);
    this.#ackLength = 0;
    const write: SessionAction = { type: "write", bytes, urgent: true };
    if (this.#actions === NO_ACTIONS) this.#actions = [write];
    else this.#actions.push(write);
  }

  /** Takes the outputs appended since the last call, in order. */
  drain(): SessionAction[] {
    if (this.#ackLength > 0) this.#writeAcks();
    const actions = this.#actions;
    if (actions.length === 0) return NO_ACTIONS;
    this.#actions = NO_ACTIONS;
    return actions;
  }
}

/**
 * The bytes of `packet`; above `maximumPacketSize` its reason string, then its user properties,
 * are left out. A packet still too big is returned as it is (the caller checks).
 */
export function encodeWithin(
  encoder: Pick<ClientEncoder, "encode">,
  packet: Packet,
  version: ProtocolVersion,
  maximumPacketSize: number | undefined,
): Uint8Array {
  let bytes = encoder.encode(packet, version);
  if (maximumPacketSize === undefined || bytes.length <= maximumPacketSize) return bytes;
  if (!("properties" in packet) || packet.properties === undefined) return bytes;
  const { reasonString: _reason, ...withoutReason } = packet.properties;
  if (packet.properties.reasonString !== undefined) {
    bytes = encoder.encode({ ...packet, properties: withoutReason } as Packet, version);
    if (bytes.length <= maximumPacketSize) return bytes;
  }
  if (withoutReason.userProperties !== undefined) {
    const { userProperties: _user, ...bare } = withoutReason;
    bytes = encoder.encode({ ...packet, properties: bare } as Packet, version);
  }
  return bytes;
}
