/**
 * korero: an MQTT 3.1 / 3.1.1 / 5.0 client with no dependencies. Its socket transports (TCP, TLS,
 * unix sockets) are native on Deno, Bun, Node and Cloudflare Workers (TCP and TLS through
 * `cloudflare:sockets`); `ws://` and `wss://` go through the WHATWG `WebSocket` (or a `webSocket`
 * class such as the `ws` package's) on every runtime, browsers included. The codec, session and client core are runtime-free. Test
 * helpers (an in-memory transport pair and a manual clock) are in `@korero/mqtt/testing`.
 *
 * Connect with {@link connect} (or `new MqttClient(options)` then `client.connect()`, to set
 * callbacks first), then `publish`, `subscribe`, `unsubscribe` and `disconnect`: each returns a
 * promise that settles exactly once; `connect`, `publish`, `subscribe` and `unsubscribe` also
 * accept an `AbortSignal`. Receive messages with
 * `onMessage`, per-filter callbacks (`messageCallbackAdd`) or `for await` over
 * `client.messages(filter)`.
 *
 * @example
 * ```ts
 * import { connect, payloadText } from "@korero/mqtt";
 *
 * const client = await connect("mqtt://localhost:1883", { protocolVersion: 5 });
 * const messages = client.messages("sensors/+/temperature");
 * await client.subscribe("sensors/+/temperature", { qos: 1 });
 * await client.publish("sensors/kitchen/temperature", "21.5", { qos: 1 });
 * for await (const message of messages) {
 *   console.log(message.topic, payloadText(message));
 *   break;
 * }
 * await client.disconnect();
 * ```
 * @module
 */

export { connect } from "./src/client/connect.ts";
export {
  connectSrv,
  type ConnectSrvOptions,
  type NameServer,
  orderSrv,
  type SrvRecord,
} from "./src/client/srv.ts";
export { MqttClient } from "./src/client/client.ts";
export type { ClientLifecycle, TransportKind } from "./src/client/lifecycle_api.ts";
export type {
  ConnectEvent,
  ConnectFailEvent,
  DisconnectEvent,
  LogEvent,
  MessageEvent,
  PreConnectEvent,
  PublishEvent,
  SubscribeEvent,
} from "./src/client/events.ts";
export type {
  ConnectCallOptions,
  DisconnectOptions,
  MessagesOptions,
  PublishOptions,
  ReadyOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "./src/client/call_options.ts";
export type { MessageStream } from "./src/client/message_stream.ts";
export type { ClientOptions } from "./src/client/options.ts";
export type { ServerOptions } from "./src/client/server_options.ts";
export type { WillOptions } from "./src/client/will_options.ts";
export type { ProxyOptions } from "./src/client/proxy_options.ts";
export type { RequestOptions, RespondOptions } from "./src/client/requests.ts";
export {
  multiple as publishMultiple,
  type OneShotMessage,
  type OneShotTuple,
  single as publishSingle,
  type SingleOptions,
} from "./src/oneshot/publish.ts";
export {
  callback as subscribeCallback,
  simple as subscribeSimple,
  type SimpleOptions,
  type SubscribeOneShotOptions,
} from "./src/oneshot/subscribe.ts";
export type { OneShotOptions, OneShotTls, OneShotWill } from "./src/oneshot/options.ts";
export { MemoryStore } from "./src/store/memory_store.ts";
export { FileStore, type FileStoreOptions } from "./src/store/file_store.ts";
export { IndexedDbStore } from "./src/store/indexeddb_store.ts";
export type {
  LoadedSession,
  SavedIncoming,
  SavedOutgoing,
  SavedSession,
  SavedSubscription,
  SessionStore,
  StoreChange,
} from "./src/store/session_store.ts";
export { type Message, payloadText } from "./src/client/message.ts";
export type {
  AckResult,
  InboundMessage,
  LogLevel,
  OutgoingMessage,
  PublishResult,
} from "./src/session/types.ts";
export type {
  ConnackPacket,
  DisconnectPacket,
  PacketType,
  Properties,
  ProtocolVersion,
  QoS,
  Subscription,
  UserProperties,
} from "./src/codec/types.ts";
export {
  ConnectionClosedError,
  ConnectionRefusedError,
  MalformedPacketError,
  MqttError,
  type MqttErrorOptions,
  ProtocolError,
  QueueFullError,
  TimeoutError,
  TlsError,
  WebSocketError,
} from "./src/errors.ts";
export {
  isFailure,
  ReasonCode,
  reasonCodeName,
  type ReasonCodeNameOptions,
  type ReasonCodeNameStyle,
} from "./src/codec/reason_codes.ts";
export { connackString, errorString } from "./src/codec/paho.ts";
export { MQTTv31, MQTTv311, MQTTv5, RetainHandling } from "./src/codec/names.ts";
export type { Payload } from "./src/client/payload.ts";
export {
  isValidTopicFilter,
  isValidTopicName,
  parseSharedFilter,
  type SharedFilter,
  topicMatches,
  validateTopicFilter,
  validateTopicName,
} from "./src/topic.ts";
export { TopicRouter } from "./src/topic_router.ts";
export type { Clock } from "./src/client/clock.ts";
export type {
  ProxySettings,
  TlsOptions,
  Transport,
  TransportHandlers,
  TransportOpener,
  TransportOpenOptions,
  TransportTarget,
  WebSocketConstructor,
  WebSocketHandler,
  WebSocketLike,
  WebSocketOptions,
} from "./src/transport/types.ts";
