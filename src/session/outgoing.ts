/**
 * Outgoing operations: `publish`, `subscribe` and `unsubscribe` from the call until they are
 * sent, with the argument checks against the server's limits, admission into the window /
 * queue / waiters ({@link Outbound}), cancellation, operation timeouts and resending. Their
 * acknowledgements are handled in `acks.ts`.
 *
 * Settling: QoS 0 resolves once its PUBLISH is written, QoS 1 on PUBACK, QoS 2 on PUBCOMP.
 *
 * @module
 */

import { encodedLength, encodePacket, MAX_PACKET_SIZE } from "../codec/mod.ts";
import type { Packet, Properties, PublishPacket, Subscription } from "../codec/types.ts";
import { ConnectionClosedError, MqttError, QueueFullError, TimeoutError } from "../errors.ts";
import { checkPublish, checkSubscribe, publishViolation, type ServerLimits } from "./limits.ts";
import { Outbound, type PublishWork, type SubscribeWork, type Work } from "./outbound.ts";
import { PendingOperations } from "./pending.ts";
import { SubscriptionStore } from "./subscriptions.ts";
import { OutgoingTopicAliases } from "./topic_alias.ts";
import type {
  LogLevel,
  OutgoingMessage,
  SessionAction,
  SessionOptions,
  SessionState,
  Token,
} from "./types.ts";
import type { WireCodec } from "./wire.ts";

/** What {@link Outgoing} needs from the session that owns it. */
export interface OutgoingHost {
  readonly options: SessionOptions;
  readonly wire: WireCodec;
  now(): number;
  state(): SessionState;
  /** CONNACK accepted on the current transport. */
  connected(): boolean;
  limits(): ServerLimits;
  /** Emits `bytes`; `urgent` marks an acknowledgement that may overtake unsent PUBLISH bytes. */
  write(bytes: Uint8Array, urgent?: boolean): void;
  emit(action: SessionAction): void;
  log(level: LogLevel, message: string): void;
}

/** Outgoing operations of one session. */
export class Outgoing {
  readonly host: OutgoingHost;
  readonly outbound: Outbound;
  readonly pending: PendingOperations;
  readonly subscriptions: SubscriptionStore = new SubscriptionStore();
  readonly aliases: OutgoingTopicAliases = new OutgoingTopicAliases();
  readonly #send = (work: Work): void => this.startWork(work);
  /** Resubscribe work that could not start at once and waits at the queue's front. */
  #queuedResubscribes: SubscribeWork[] = [];

  constructor(host: OutgoingHost) {
    const o = host.options;
    this.host = host;
    this.outbound = new Outbound(o.maxInflight, o.maxQueued, o.maxQueuedBytes);
    this.pending = new PendingOperations(o.operationTimeout, (action) => host.emit(action));
  }

  // ---------------------------------------------------------------- accepting calls

  /** `publish()`: checks (throwing), then sends, queues, waits or rejects. */
  publish(token: Token, message: OutgoingMessage): void {
    const aliasTopic = this.#checkPublish(message);
    const work: PublishWork = {
      kind: "publish",
      token,
      message,
      packetId: 0,
      stage: "new",
      cost: message.payload.length,
    };
    if (aliasTopic !== undefined) work.aliasTopic = aliasTopic;
    const host = this.host;
    if (this.#refuse(token)) return;
    if (host.connected()) {
      if (message.qos === 0) return this.startWork(work);
      this.pending.track(work, host.now());
      if (this.outbound.clear && this.outbound.canStart(work)) this.startWork(work);
      else this.#admit(work);
      return;
    }
    if (message.qos === 0 && !host.options.queueQoS0Offline) {
      const error = new ConnectionClosedError(
        "Not connected: a QoS 0 message is not queued while offline (queueQoS0Offline is false)",
      );
      host.emit({ type: "reject", token, error });
      return;
    }
    this.pending.track(work, host.now());
    this.#admit(work);
  }

  /**
   * A QoS 0 `publish()` without a token (see `SessionApi.sendQoS0`): written now and true when
   * connected and within the limits, else false with nothing emitted and no state changed.
   */
  sendQoS0(message: OutgoingMessage): boolean {
    if (message.qos !== 0) throw new RangeError("sendQoS0 takes QoS 0 messages only");
    const aliasTopic = this.#checkPublish(message);
    const host = this.host;
    if (!host.connected() || publishViolation(host.limits(), message) !== undefined) return false;
    const work: PublishWork = {
      kind: "publish",
      token: undefined,
      message,
      packetId: 0,
      stage: "done",
      cost: message.payload.length,
    };
    if (aliasTopic !== undefined) work.aliasTopic = aliasTopic;
    const bytes = this.encodePublish(work, false);
    if (bytes instanceof MqttError) return false; // the tracked path rejects it with this error
    host.write(bytes);
    return true;
  }

  /** `subscribe()`: checks (throwing), then sends or queues. */
  subscribe(token: Token, subscriptions: Subscription[], properties: Properties | undefined): void {
    if (subscriptions.length === 0) {
      throw new TypeError("subscribe needs at least one topic filter");
    }
    checkSubscribe(this.host.limits(), subscriptions, properties);
    this.#checkSize({ type: "subscribe", packetId: 1, subscriptions, ...props(properties) });
    if (this.#refuse(token)) return;
    const entries = this.subscriptions.remember(subscriptions, properties);
    this.#control({
      kind: "subscribe",
      token,
      packetId: 0,
      stage: "new",
      cost: 0,
      subscriptions,
      properties,
      entries,
    });
  }

  /**
   * `unsubscribe()`: checks (throwing), then sends or queues. The filters are forgotten for
   * resubscribe when the UNSUBACK reports success for them.
   */
  unsubscribe(token: Token, topicFilters: string[], properties: Properties | undefined): void {
    if (topicFilters.length === 0) {
      throw new TypeError("unsubscribe needs at least one topic filter");
    }
    this.#checkSize({ type: "unsubscribe", packetId: 1, topicFilters, ...props(properties) });
    if (this.#refuse(token)) return;
    this.#control({
      kind: "unsubscribe",
      token,
      packetId: 0,
      stage: "new",
      cost: 0,
      topicFilters,
      properties,
      entries: topicFilters.map((filter) => this.subscriptions.entry(filter)),
    });
  }

  /** Rejects `token` right away when the session is idle or closed. */
  #refuse(token: Token): boolean {
    const state = this.host.state();
    if (state !== "idle" && state !== "closed") return false;
    const error = new ConnectionClosedError(
      state === "idle"
        ? "Not connected: call connect() first"
        : "Not connected: the session is closed",
    );
    this.host.emit({ type: "reject", token, error });
    return true;
  }

  #control(work: Work): void {
    this.pending.track(work, this.host.now());
    if (this.host.connected() && this.outbound.canStart(work)) this.startWork(work);
    else this.#admit(work);
  }

  /**
   * Throws RangeError / TypeError when `message` cannot be sent under the current limits.
   * Returns the topic a user-set topic alias stands for (see `OutgoingTopicAliases.given`).
   */
  #checkPublish(message: OutgoingMessage): string | undefined {
    const { qos } = message;
    if (qos !== 0 && qos !== 1 && qos !== 2) {
      throw new RangeError(`publish qos must be 0, 1 or 2, got ${JSON.stringify(qos)}`);
    }
    if (this.host.options.topicAliases && message.properties?.topicAlias !== undefined) {
      throw new RangeError(
        "publish properties.topicAlias cannot be set while the topicAliases option assigns them",
      );
    }
    const limits = this.host.limits();
    checkPublish(limits, message);
    const max = limits.maximumPacketSize;
    // Cheap upper bound of the packet size: only near the limit (the server's, else the
    // protocol's 268,435,460 bytes) or with properties to validate is the exact size computed.
    const bound = 10 + 3 * message.topic.length + message.payload.length;
    if (message.properties !== undefined || bound > (max ?? MAX_PACKET_SIZE)) {
      const packet: PublishPacket = {
        type: "publish",
        topic: message.topic,
        payload: message.payload,
        qos,
        retain: message.retain,
        dup: false,
      };
      if (qos > 0) packet.packetId = 1;
      if (message.properties !== undefined && this.host.options.protocolVersion === 5) {
        packet.properties = message.properties;
      }
      this.#checkSize(packet);
    }
    const alias = message.properties?.topicAlias;
    if (alias === undefined || this.host.options.protocolVersion !== 5) return undefined;
    const topic = this.aliases.given(alias, message.topic);
    if (topic === undefined) {
      throw new RangeError(
        `publish topic "" with properties.topicAlias ${alias} needs an earlier publish that gave a topic with that alias [MQTT-3.3.2-7]`,
      );
    }
    return topic;
  }

  /** Validates `packet` as the codec would encode it; RangeError above Maximum Packet Size. */
  #checkSize(packet: Packet): void {
    const size = encodedLength(packet, this.host.options.protocolVersion);
    const max = this.host.limits().maximumPacketSize;
    if (max !== undefined && size > max) {
      throw new RangeError(
        `${packet.type} packet of ${size} bytes exceeds the server's Maximum Packet Size ${max} [MQTT-3.2.2-15]`,
      );
    }
  }

  /** Queues `work`, makes it wait, or rejects it, per the queue limits and `queueFull`. */
  #admit(work: Work): void {
    const out = this.outbound;
    if (out.waiting === 0 && out.hasRoom(work)) return out.enqueue(work);
    if (this.host.options.queueFull === "wait") return out.wait(work);
    work.stage = "done";
    if (work.kind === "subscribe") this.forgetEntries(work);
    this.pending.reject(work, new QueueFullError(`Queue full: ${out.fullLimit(work)}`));
  }

  // ---------------------------------------------------------------- giving up

  /** `cancel()`: false when `token` is not a pending operation. */
  cancel(token: Token, reason: unknown): boolean {
    const work = this.pending.get(token);
    if (work === undefined) return false;
    this.#abandon(work, reason);
    return true;
  }

  /** Rejects the operations whose `operationTimeout` passed at `now`. */
  expire(now: number): void {
    const ms = this.host.options.operationTimeout;
    for (const work of this.pending.expired(now)) {
      this.#abandon(work, new TimeoutError(`${describeWork(work)} timed out after ${ms} ms`));
    }
  }

  /** Rejects `work`; drops it if not sent yet, else lets its flow finish silently. */
  #abandon(work: Work, error: unknown): void {
    const unsent = work.stage === "queued" || work.stage === "waiting";
    if (unsent) {
      this.outbound.drop(work);
      if (work.kind === "subscribe") this.forgetEntries(work);
    }
    this.pending.reject(work, error);
    if (unsent) this.pump();
  }

  /**
   * The session is closed or stopped: reject every pending operation, drop unsent work and
   * in-flight SUBSCRIBE / UNSUBSCRIBE. In-flight QoS 1/2 PUBLISH stay (silently) in the session
   * state, to be resent if the session is resumed later.
   */
  failPending(error: MqttError): void {
    this.#queuedResubscribes = [];
    for (const work of this.outbound.takePending()) {
      if (work.kind === "subscribe" && work.token !== undefined) this.forgetEntries(work);
      work.stage = "done";
    }
    for (const work of this.outbound.takeInflightControls()) {
      if (work.kind === "subscribe" && work.token !== undefined) this.forgetEntries(work);
      work.stage = "done";
    }
    for (const work of this.pending.all()) this.pending.reject(work, error);
  }

  /** The connection was lost and will be re-established: unacked controls go out again. */
  suspend(): void {
    // Queued resubscribe work is not kept: the next CONNACK decides again what to resubscribe.
    for (const work of this.#queuedResubscribes) this.outbound.drop(work);
    this.#queuedResubscribes = [];
    const controls = this.outbound.takeInflightControls().filter((w) => w.token !== undefined);
    this.outbound.requeueFront(controls);
  }

  /**
   * Starts token-less resubscribe `works` in order while `canStart` allows (window and packet
   * identifiers), then puts the rest, followed by `front`, at the front of the queue.
   */
  startResubscribes(works: SubscribeWork[], front: Work[]): void {
    let started = 0;
    for (const work of works) {
      if (!this.outbound.canStart(work)) break;
      this.startWork(work);
      started++;
    }
    const rest = works.slice(started);
    this.#queuedResubscribes = rest;
    this.outbound.requeueFront([...rest, ...front]);
  }

  /** Forgets the store entries of `work` (its SUBSCRIBE will not happen). */
  forgetEntries(work: SubscribeWork): void {
    for (const entry of work.entries) this.subscriptions.forgetEntry(entry);
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends held resends, then queued and waiting work, while the window and the queue allow.
   */
  pump(): void {
    const connected = this.host.connected();
    if (connected) {
      for (let work = this.outbound.nextResend(); work; work = this.outbound.nextResend()) {
        this.resendPublish(work);
      }
    }
    this.outbound.pump(connected, this.#send);
  }

  /** Sends in-flight `work` again with DUP = 1 and its packet identifier (session resume). */
  resendPublish(work: PublishWork): void {
    const bytes = this.encodePublish(work, true);
    if (bytes instanceof MqttError) {
      this.outbound.finish(work);
      this.pending.reject(work, bytes);
    } else {
      this.host.write(bytes);
    }
  }

  /** Sends `work` now: the pump's callback and the direct path of a call. */
  startWork(work: Work): void {
    const out = this.outbound;
    const host = this.host;
    if (work.kind !== "publish") {
      out.start(work);
      const packet: Packet = work.kind === "subscribe"
        ? { type: "subscribe", packetId: work.packetId, subscriptions: work.subscriptions }
        : { type: "unsubscribe", packetId: work.packetId, topicFilters: work.topicFilters };
      if (work.properties !== undefined && host.options.protocolVersion === 5) {
        packet.properties = work.properties;
      }
      const bytes = host.wire.encode(packet, undefined);
      const max = host.limits().maximumPacketSize;
      if (max !== undefined && bytes.length > max) {
        out.finish(work);
        if (work.kind === "subscribe") this.forgetEntries(work);
        this.pending.reject(work, tooLarge(work, bytes.length, max));
        return;
      }
      host.write(bytes);
      return;
    }
    const violation = publishViolation(host.limits(), work.message);
    if (violation !== undefined) {
      work.stage = "done";
      this.pending.reject(work, new MqttError(violation[0], { reasonCode: violation[1] }));
      return;
    }
    out.start(work);
    const bytes = this.encodePublish(work, false);
    if (bytes instanceof MqttError) {
      if (work.message.qos > 0) out.finish(work);
      this.pending.reject(work, bytes);
      return;
    }
    host.write(bytes);
    if (work.message.qos === 0) this.pending.resolveOnWrite(work);
  }

  /**
   * The PUBLISH of `work` for the current connection (topic alias applied), or the error that
   * keeps it from being sent (encoding failure, over the server's Maximum Packet Size).
   */
  encodePublish(work: PublishWork, dup: boolean): Uint8Array | MqttError {
    const { message } = work;
    const v = this.host.options.protocolVersion;
    let topic = message.topic;
    let properties = v === 5 ? message.properties : undefined;
    const alias = this.aliases.enabled ? this.aliases.lookup(topic) : undefined;
    if (alias !== undefined) {
      properties = { ...properties, topicAlias: alias.alias };
      if (alias.known) topic = "";
    }
    // A user-set alias: the empty topic only where this connection has the mapping.
    const aliasTopic = work.aliasTopic;
    const userAlias = aliasTopic === undefined ? undefined : properties?.topicAlias;
    if (userAlias !== undefined && aliasTopic !== undefined && topic === "") {
      topic = this.aliases.wireTopic(userAlias, aliasTopic);
    }
    const packet: PublishPacket = {
      type: "publish",
      topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      dup,
    };
    if (message.qos > 0) packet.packetId = work.packetId;
    if (properties !== undefined) packet.properties = properties;
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet, v);
    } catch (error) {
      if (alias !== undefined && !alias.known) this.aliases.unassign(message.topic);
      const text = error instanceof Error ? error.message : String(error);
      return new MqttError(`PUBLISH could not be encoded: ${text}`, { cause: error });
    }
    const max = this.host.limits().maximumPacketSize;
    if (max !== undefined && bytes.length > max) {
      if (alias !== undefined && !alias.known) this.aliases.unassign(message.topic);
      return tooLarge(work, bytes.length, max);
    }
    if (userAlias !== undefined && topic !== "") this.aliases.sent(userAlias, topic);
    return bytes;
  }
}

/** `{ properties }` when defined, else `{}` (for exact optional properties). */
export function props(properties: Properties | undefined): { properties?: Properties } {
  return properties === undefined ? {} : { properties };
}

/** "PUBLISH to "a/b"", "SUBSCRIBE to "x", "y"", … for messages. */
export function describeWork(work: Work): string {
  if (work.kind === "publish") return `PUBLISH to "${work.message.topic}"`;
  if (work.kind === "subscribe") {
    return `SUBSCRIBE to ${work.subscriptions.map((s) => `"${s.topicFilter}"`).join(", ")}`;
  }
  return `UNSUBSCRIBE from ${work.topicFilters.map((f) => `"${f}"`).join(", ")}`;
}

function tooLarge(work: Work, size: number, max: number): MqttError {
  return new MqttError(
    `${
      describeWork(work)
    } not sent: ${size} bytes exceed the server's Maximum Packet Size ${max} [MQTT-3.2.2-15]`,
    { reasonCode: 0x95 },
  );
}
