/**
 * `Outgoing`: the lite client's side of the session for what it sends — the QoS 1/2 publishes,
 * subscribes and unsubscribes by packet identifier (in the order they were first sent, released
 * QoS 2 ones in PUBREC order), the publishes waiting for room in the broker's Receive Maximum or
 * for a connection, the limits of the broker's CONNACK and the subscriptions to restore — and
 * their flows: identifiers given, packets sent, acknowledgements (PUBACK, PUBREC, PUBCOMP,
 * SUBACK, UNSUBACK) settling the callers, a session resumed or restarted after a CONNACK,
 * everything rejected when the client closes for good.
 *
 * It sends through the {@link Link} the client gives it; the connection itself is the client's.
 *
 * @module
 */

import type {
  ConnackPacket,
  Packet,
  Properties,
  PubAckPacket,
  PublishPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
} from "../codec/types.ts";
import type { AckResult, PublishResult } from "../session/messages.ts";
import { encode } from "./codec.ts";
import { checked } from "./call_packets.ts";
import { MqttError, ProtocolError, QueueFullError } from "../errors.ts";
import { specName } from "../codec/reason_codes.ts";
import { hex } from "../format.ts";
import type { LiteSettings } from "./options.ts";

/** A packet this client sends and expects an acknowledgement for. */
type Sent = PublishPacket | SubscribePacket | UnsubscribePacket;

/** Where an operation with a packet identifier stands on the current connection: not sent on it
 * yet (new, or held over from a lost one), sent and waiting for its acknowledgement, or (QoS 2)
 * PUBREC received, PUBREL sent and PUBCOMP awaited. */
const UNSENT = 0, SENT = 1, RELEASED = 2;
type Stage = typeof UNSENT | typeof SENT | typeof RELEASED;

/** A QoS 1/2 publish, a subscribe or an unsubscribe, and the caller waiting for it. */
interface Operation {
  packet: Sent;
  stage: Stage;
  /** Settles the caller's promise (does nothing once settled). */
  settle(error: Error | undefined, result?: PublishResult | AckResult): void;
  /** For a subscribe: the MQTT 5 properties to restore it with. */
  properties?: Properties;
  /** Its caller gave up (signal): a server that lost the session does not get it again. */
  dropped?: boolean;
}

/** What `Outgoing` needs from the client: whether it is connected, and a way to write. */
export interface Link {
  /** Whether a connection is up and its CONNACK accepted it. */
  connected(): boolean;
  /** Writes `bytes` on the current connection; rejects when there is none or it fails. */
  write(bytes: Uint8Array): Promise<void>;
}

/** The operations the lite client sends and waits for, and the broker's limits on them. */
export class Outgoing {
  readonly #settings: LiteSettings;
  readonly #link: Link;
  /** Operations with a packet identifier, in the order they got it; a QoS 2 publish moves to
   * the end at its PUBREC. */
  readonly #inflight = new Map<number, Operation>();
  /** Of them, those not sent on this connection yet. */
  #unsent = 0;
  /** Of them, QoS 1/2 PUBLISH counting against the broker's Receive Maximum. */
  #outstanding = 0;
  /** QoS 1/2 publishes waiting for a packet identifier (room in the window, or a connection). */
  #queue: Operation[] = [];
  #nextId = 0;
  /** Granted subscriptions, restored after a reconnect that found no session (with
   * `resubscribe`): set by a SUBACK's grant; forgotten by its refusal, a successful UNSUBACK or
   * a new `subscribe()` to the filter. */
  readonly #subscriptions = new Map<string, Operation>();
  #window = 65_535;
  #maximumQoS: QoS = 2;
  #retainAvailable = true;
  #maximumPacketSize = Infinity;

  /** Operations for the client of `settings` (its version, `maxQueued`, `resubscribe`). */
  constructor(settings: LiteSettings, link: Link) {
    this.#settings = settings;
    this.#link = link;
  }

  /**
   * Refuses a packet of `size` bytes the connected broker does not allow (its CONNACK's limits):
   * over its Maximum Packet Size, or a publish over its Maximum QoS or retained without Retain
   * Available.
   */
  admit(packet: Sent, size: number): void {
    if (!this.#link.connected()) return;
    const { qos, retain } = packet as PublishPacket; // both undefined on (UN)SUBSCRIBE
    if (qos > this.#maximumQoS) {
      throw new MqttError(
        `The server allows QoS ${this.#maximumQoS} at most; this message has QoS ${qos}`,
        { reasonCode: 0x9b },
      );
    }
    if (retain && !this.#retainAvailable) {
      throw new MqttError("The server does not support retained messages", { reasonCode: 0x9a });
    }
    if (size > this.#maximumPacketSize) {
      throw new MqttError(
        `The ${packet.type} packet is ${size} bytes; the server takes ${this.#maximumPacketSize} at most`,
        { reasonCode: 0x95 },
      );
    }
  }

  /** A QoS 1/2 publish: queued, and sent as soon as there is room and a connection. */
  publish(packet: PublishPacket, signal: AbortSignal | undefined): Promise<PublishResult> {
    return this.#track(packet, signal, (operation) => {
      this.#queue.push(operation);
      this.flush();
      // Only one that has to wait counts against maxQueued (it is then the last one queued).
      if (this.#queue.length > this.#settings.maxQueued) {
        this.#queue.pop();
        throw new QueueFullError(
          `maxQueued: ${this.#queue.length} messages already wait; not accepted`,
        );
      }
    }) as Promise<PublishResult>;
  }

  /**
   * A subscribe or unsubscribe: gets a packet identifier now and is sent when connected; one over
   * the broker's Maximum Packet Size rejects with an `MqttError` 0x95 instead, nothing sent.
   *
   * @throws {TypeError | RangeError} for a value the codec refuses, named by the call
   */
  request(
    packet: SubscribePacket | UnsubscribePacket,
    signal: AbortSignal | undefined,
  ): Promise<AckResult> {
    const bytes = checked(packet, this.#settings.version, `${packet.type}() `); // sizes, QoS, …
    signal?.throwIfAborted();
    // Refused now when connected (over the broker's Maximum Packet Size), it changes nothing.
    this.admit(packet, bytes.length);
    // From here on, as on MqttClient, a filter subscribed again is not restored on its earlier
    // grant: this SUBSCRIBE itself goes again until its SUBACK grants the filter or forgets it
    // (a SUBSCRIBE given up before it was sent forgets it too).
    if (packet.type === "subscribe") {
      for (const { topicFilter } of packet.subscriptions) this.#subscriptions.delete(topicFilter);
    }
    return this.#track(packet, signal, (operation) => {
      if (!this.#assign(operation)) {
        throw new QueueFullError("All 65,535 packet identifiers are in use");
      }
      this.flush();
    }) as Promise<AckResult>;
  }

  /** Makes the operation for `packet` and its promise; `start` queues or sends it. */
  #track(
    packet: Sent,
    signal: AbortSignal | undefined,
    start: (operation: Operation) => void,
  ): Promise<PublishResult | AckResult> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Not sent yet: dropped (a publish held for a resumed session stays); else it completes
        // unseen.
        const at = this.#queue.indexOf(operation);
        operation.dropped = true;
        if (at >= 0) this.#queue.splice(at, 1);
        else if (
          packet.type !== "publish" && operation.stage === UNSENT &&
          this.#inflight.delete(packet.packetId!)
        ) this.#unsent--;
        operation.settle(signal!.reason);
      };
      const operation: Operation = {
        packet,
        stage: UNSENT,
        settle(error, result) {
          signal?.removeEventListener("abort", onAbort);
          if (error === undefined) resolve(result!);
          else reject(error);
        },
      };
      start(operation);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Gives `operation` a free packet identifier; false when all are in use. */
  #assign(operation: Operation): boolean {
    if (this.#inflight.size >= 65_535) return false;
    do this.#nextId = this.#nextId === 65_535 ? 1 : this.#nextId + 1; while (
      this.#inflight.has(this.#nextId)
    );
    operation.packet.packetId = this.#nextId;
    this.#inflight.set(this.#nextId, operation);
    this.#unsent++;
    return true;
  }

  /** Sends what may go now: unsent operations in order, then queued publishes while there is room. */
  flush(): void {
    if (!this.#link.connected()) return;
    if (this.#unsent > 0) {
      for (const operation of this.#inflight.values()) {
        if (operation.stage !== UNSENT) continue;
        const publish = operation.packet.type === "publish";
        if (publish && this.#outstanding >= this.#window) continue;
        this.#unsent--;
        if (!this.#go(operation)) this.#inflight.delete(operation.packet.packetId!);
        else if (publish) this.#outstanding++;
      }
    }
    while (this.#queue.length > 0 && this.#outstanding < this.#window) {
      const operation = this.#queue[0]!;
      if (!this.#assign(operation)) break;
      this.#queue.shift();
      this.#unsent--;
      if (this.#go(operation)) this.#outstanding++;
      else this.#inflight.delete(operation.packet.packetId!);
    }
  }

  /** Sends `operation`, unless this broker's CONNACK does not allow it (a subscribe over its
   * Maximum Packet Size, a publish queued before it or held from a connection that allowed it):
   * that one is rejected instead, before anything is written. */
  #go(operation: Operation): boolean {
    const packet = operation.packet;
    const bytes = encode(packet, this.#settings.version);
    try {
      this.admit(packet, bytes.length);
    } catch (error) {
      operation.settle(error as Error);
      return false;
    }
    operation.stage = SENT;
    this.#link.write(bytes).catch(() => {});
    return true;
  }

  /** Moves `operation` to the end of the in-flight order. */
  #last(operation: Operation): void {
    const id = operation.packet.packetId!;
    this.#inflight.delete(id);
    this.#inflight.set(id, operation);
  }

  /** Encodes and writes `packet` on the current connection (errors end the connection). */
  #send(packet: Packet): void {
    this.#link.write(encode(packet, this.#settings.version)).catch(() => {});
  }

  /**
   * A PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK: moves its operation on or settles it. Returns
   * the protocol error to end the connection with, if the packet is one.
   */
  acknowledged(packet: PubAckPacket | SubackPacket | UnsubackPacket): ProtocolError | undefined {
    const operation = this.#inflight.get(packet.packetId);
    const version = this.#settings.version;
    if (packet.type !== "suback" && packet.type !== "unsuback") {
      const published = operation?.packet.type === "publish" ? operation.packet : undefined;
      const expected = packet.type === "pubcomp" ? RELEASED : SENT;
      const qos = packet.type === "puback" ? 1 : 2;
      if (published?.qos !== qos || operation!.stage !== expected) {
        if (packet.type === "pubrec") { // answered so the server can end its flow
          const code = version === 5 && operation?.stage !== RELEASED ? 0x92 : 0;
          this.#send({ type: "pubrel", packetId: packet.packetId, reasonCode: code });
        }
        return; // an acknowledgement for nothing we wait for: nothing to do
      }
      if (packet.type === "pubrec" && packet.reasonCode < 0x80) {
        operation!.stage = RELEASED;
        this.#last(operation!); // a resumed session sends PUBREL again in PUBREC order
        this.#send({ type: "pubrel", packetId: packet.packetId, reasonCode: 0 });
      } else {
        this.#finish(packet.packetId, packet.reasonCode, packet.properties, published.topic);
        this.flush();
      }
      return;
    }
    const sent = operation?.packet;
    const type = packet.type === "suback" ? "subscribe" : "unsubscribe";
    if (sent?.type !== type || operation!.stage !== SENT) return;
    const filters = sent.type === "subscribe"
      ? sent.subscriptions.map((s) => s.topicFilter)
      : sent.topicFilters;
    // An MQTT 3.1.1 UNSUBACK carries no reason codes: each filter counts as unsubscribed.
    const reasonCodes = sent.type === "unsubscribe" && version === 4
      ? filters.map(() => 0)
      : packet.reasonCodes;
    if (reasonCodes.length !== filters.length) {
      return new ProtocolError(
        `${packet.type} has ${reasonCodes.length} reason codes for ${filters.length} filters`,
      );
    }
    filters.forEach((filter, i) => {
      // Forgotten: a filter unsubscribed, or refused (a grant made before included, as on
      // MqttClient). A refused unsubscribe stays subscribed.
      const refused = reasonCodes[i]! >= 0x80;
      if (sent.type === "unsubscribe" ? !refused : refused) this.#subscriptions.delete(filter);
      if (sent.type === "unsubscribe" || refused) return;
      const kept: SubscribePacket = {
        type: "subscribe",
        packetId: 0,
        subscriptions: [sent.subscriptions[i]!],
      };
      if (sent.properties !== undefined) kept.properties = sent.properties;
      this.#subscriptions.set(filter, { packet: kept, stage: UNSENT, settle() {} });
    });
    this.#inflight.delete(packet.packetId);
    const result: AckResult = { mid: packet.packetId, reasonCodes };
    if (packet.properties !== undefined) result.properties = packet.properties;
    operation!.settle(undefined, result);
    return undefined;
  }

  /** A publish's last acknowledgement: settle it by its reason code and free its identifier. */
  #finish(id: number, reasonCode: number, properties: Properties | undefined, topic: string): void {
    const operation = this.#inflight.get(id)!;
    this.#inflight.delete(id);
    this.#outstanding--;
    if (reasonCode >= 0x80) {
      const reason = properties?.reasonString;
      return operation.settle(
        new MqttError(
          `The server refused the publish to "${topic}": ${specName(reasonCode)} ` +
            `(${hex(reasonCode)})` +
            (reason === undefined ? "" : `: ${reason}`),
          { reasonCode },
        ),
      );
    }
    const result: PublishResult = { mid: id, reasonCode };
    if (properties !== undefined) result.properties = properties;
    operation.settle(undefined, result);
  }

  /**
   * After an accepted CONNACK: takes its limits, then resumes or restarts the session. Session
   * present: PUBREL again for released QoS 2 messages, in the order their PUBRECs came
   * ([MQTT-4.6.0-3]); PUBLISH again, with DUP, for the others (in `flush()`, in the order first
   * sent). No session: released QoS 2 messages are delivered
   * (the server took them at PUBREC), the others go again as new messages, and with
   * `resubscribe` the granted subscriptions are restored first.
   */
  resume(connack: ConnackPacket): void {
    const properties = connack.properties ?? {};
    this.#window = properties.receiveMaximum ?? 65_535;
    this.#maximumQoS = properties.maximumQoS ?? 2;
    this.#retainAvailable = properties.retainAvailable ?? true;
    this.#maximumPacketSize = properties.maximumPacketSize ?? Infinity;
    const sessionPresent = connack.sessionPresent;
    this.#outstanding = 0;
    const held = [...this.#inflight.values()];
    if (!sessionPresent && this.#settings.resubscribe) {
      for (const kept of this.#subscriptions.values()) {
        if (this.#inflight.get(kept.packet.packetId!) !== kept) this.#assign(kept);
      }
    }
    for (const operation of held) {
      const packet = operation.packet;
      if (!sessionPresent && (operation.stage === RELEASED || operation.dropped)) {
        // Released: the server took it at PUBREC. Given up: not published again.
        if (operation.stage === UNSENT) this.#unsent--;
        this.#inflight.delete(packet.packetId!);
        operation.settle(undefined, { mid: packet.packetId!, reasonCode: 0 });
        continue;
      }
      if (operation.stage === RELEASED) {
        this.#outstanding++;
        this.#send({ type: "pubrel", packetId: packet.packetId!, reasonCode: 0 });
        continue;
      }
      if (operation.stage === SENT) this.#unsent++;
      if (packet.type === "publish") {
        packet.dup = sessionPresent && (packet.dup || operation.stage === SENT);
      }
      operation.stage = UNSENT;
      // After the restored subscriptions, in the order first sent.
      if (!sessionPresent) this.#last(operation);
    }
  }

  /**
   * The client closed for good (`disconnect()`, or a loss that does not reconnect): everything
   * waiting rejects with `closed`, and the subscriptions are forgotten.
   */
  abandon(closed: Error): void {
    for (const operation of this.#queue) operation.settle(closed);
    this.#queue = [];
    this.#unsent = this.#outstanding = 0;
    for (const operation of this.#inflight.values()) {
      operation.settle(closed);
      operation.dropped = true;
      // A publish in flight stays (as on MqttClient) for a later connect() that resumes the
      // session: the server may hold its identifier (a QoS 2 one awaits our PUBREL).
      if (operation.packet.type !== "publish") this.#inflight.delete(operation.packet.packetId!);
      else if (operation.stage === UNSENT) this.#unsent++;
    }
    this.#subscriptions.clear();
  }
}
