/**
 * The pure MQTT session: {@link Session} and its contract (`types.ts`), plus the building blocks
 * it is made of, exported for tests, benchmarks and alternative drivers.
 *
 * @example
 * ```ts
 * import { Session } from "./mod.ts";
 * const session = new Session({
 *   protocolVersion: 5, clientId: "demo", clean: true, keepalive: 60, reconnect: false,
 *   connectTimeout: 30_000, operationTimeout: 0, maxInflight: 100, maxQueued: 1000,
 *   maxQueuedBytes: 1 << 20, queueFull: "reject", queueQoS0Offline: false, resubscribe: true,
 *   topicAliases: false, qos2Delivery: "publish", disconnectTimeout: 1000,
 * }, () => 0.5);
 * session.connect(1, 0);
 * session.drain(); // [{ type: "open", attempt: 1 }, { type: "log", … }]
 * ```
 * @module
 */

export { Session } from "./session.ts";
export type {
  AckResult,
  DisconnectRequest,
  InboundMessage,
  LogLevel,
  MessageMaker,
  OutgoingMessage,
  PublishResult,
  ReconnectPolicy,
  SessionAction,
  SessionApi,
  SessionOptions,
  SessionState,
  Token,
} from "./types.ts";
export { Backoff, type BackoffBounds, backoffDelay } from "./reconnect.ts";
export { KeepAlive, type KeepAliveDue } from "./keepalive.ts";
export { PacketIds } from "./packet_ids.ts";
export { DEFAULT_LIMITS, type ServerLimits, serverLimits } from "./limits.ts";
export {
  admitConnect,
  admitDisconnect,
  admitPublish,
  admitSubscribe,
  admitUnsubscribe,
  publishViolation,
} from "./admission.ts";
export { connackRefusal } from "./refusal.ts";
export { IncomingTopicAliases, type OutgoingAlias, OutgoingTopicAliases } from "./topic_alias.ts";
export { type PendingAck, type Qos2Entry, type Qos2State, Receipts } from "./receipts.ts";
export {
  type SavedIncoming,
  type SavedOutgoing,
  type SavedSession,
  type SavedSubscription,
  SessionImage,
  type StoreChange,
} from "./persistence.ts";
export type {
  ConnackPacket,
  DisconnectPacket,
  Properties,
  ProtocolVersion,
  PublishPacket,
  QoS,
  Subscription,
  UserProperties,
  Will,
} from "../codec/types.ts";
export { ConnectionRefusedError, MqttError, ProtocolError } from "../errors.ts";
