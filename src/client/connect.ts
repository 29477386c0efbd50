/**
 * `connect(url, options)`: create a client and wait for its first CONNACK in one call.
 *
 * @module
 */

import { MqttClient } from "./client.ts";
import type { ClientOptions } from "./options.ts";

/**
 * Creates an {@link MqttClient} for `url` and connects it. If the first attempt fails, the
 * client is shut down (no reconnect in the background) and the promise rejects with the error
 * (`ConnectionRefusedError` when the broker said no); with `retryFirstConnect` it keeps trying
 * until the broker accepts.
 *
 * @example
 * ```ts
 * import { connect } from "@korero/mqtt";
 * const client = await connect("mqtt://localhost:1883", { clientId: "demo" });
 * await client.publish("demo/hello", "world");
 * await client.disconnect();
 * ```
 * @param url `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, or `ws://` / `wss://` for MQTT over
 *   WebSocket, with optional `user:password@` and port (and for WebSocket a request path)
 * @param options everything else; `options.url` is replaced by `url`
 * @throws {TypeError | RangeError} (as a rejection) when an option is invalid
 */
export async function connect(url: string, options: ClientOptions = {}): Promise<MqttClient> {
  return await connected(new MqttClient({ ...options, url }));
}

/** `client` once its first CONNACK accepted it; when not, the client is closed and the error rethrown. */
export async function connected(client: MqttClient): Promise<MqttClient> {
  try {
    await client.connect();
  } catch (error) {
    await client.disconnect().catch(() => {});
    throw error;
  }
  return client;
}
