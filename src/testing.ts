/**
 * Test helpers for code that uses korero: an in-memory transport pair, to play the broker's
 * side of a connection without a network, and a manual clock, so keepalive, timeouts and
 * reconnect delays pass without waiting.
 *
 * @example
 * ```ts
 * import { MqttClient } from "@korero/mqtt";
 * import { manualClock, memoryPair } from "@korero/mqtt/testing";
 *
 * const { opener, server } = memoryPair();
 * const received: number[] = [];
 * server.onConnection = (connection) => {
 *   connection.onData = (bytes) => {
 *     received.push(bytes[0]!);
 *     // Answer CONNECT (first byte 0x10) with an MQTT 3.1.1 CONNACK: accepted, no session.
 *     if (bytes[0] === 0x10) connection.write(new Uint8Array([0x20, 2, 0, 0]));
 *   };
 * };
 * const clock = manualClock();
 * const client = new MqttClient({ transport: opener, clock, clientId: "test" });
 * await client.connect();
 * await client.publish("greetings", "hello"); // QoS 0: settles once written
 * await client.disconnect();
 * // CONNECT, PUBLISH, DISCONNECT
 * if (received.join() !== "16,48,224") throw new Error(`unexpected ${received}`);
 * ```
 * @module
 */

export { type Clock, manualClock } from "./client/clock.ts";
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
} from "./transport/types.ts";
export { type MemoryConnection, memoryPair, type MemoryServer } from "./transport/memory.ts";
