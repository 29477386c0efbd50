/**
 * `@korero/mqtt/lite`: a small MQTT 3.1.1 / 5.0 client over WebSocket for browser and edge
 * bundles — connect, publish at QoS 0/1/2, subscribe, `messages()`, keepalive, reconnect with
 * session resumption — with the full client's names and semantics, so code written for it runs
 * unchanged on `MqttClient` from `@korero/mqtt`. A browser bundle of a connect, subscribe and
 * publish app is about a quarter of the full client's.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@korero/mqtt/lite";
 *
 * await using client = await connect("ws://localhost:8080/mqtt");
 * const messages = client.messages("greetings/#");
 * await client.subscribe("greetings/#", { qos: 1 });
 * await client.publish("greetings/world", "hello", { qos: 1 });
 * for await (const message of messages) {
 *   console.log(message.topic, new TextDecoder().decode(message.payload));
 *   break;
 * }
 * ```
 *
 * @module
 */

export { LiteClient } from "./client.ts";
export { connect } from "./connect.ts";
export type { LiteOptions, LiteWill } from "./options.ts";
export type {
  ConnackPacket,
  DisconnectPacket,
  Properties,
  QoS,
  UserProperties,
} from "../codec/types.ts";
export type { AckResult, PublishResult } from "../session/messages.ts";
export type { ConnectEvent, DisconnectEvent, MessageEvent } from "../client/events.ts";
export type {
  MessagesOptions,
  PublishOptions,
  SubscribeOptions,
  SubscribeRequest,
  UnsubscribeOptions,
} from "../client/call_options.ts";
export type { Message } from "../client/message.ts";
export type { Payload } from "../client/payload.ts";
export type { MessageStream } from "../client/message_stream.ts";
export type {
  WebSocketConstructor,
  WebSocketHandler,
  WebSocketLike,
  WebSocketOptions,
} from "../transport/types.ts";
export {
  ConnectionClosedError,
  ConnectionRefusedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
  QueueFullError,
  TimeoutError,
  WebSocketError,
} from "../errors.ts";
export { topicMatches } from "../topic.ts";
