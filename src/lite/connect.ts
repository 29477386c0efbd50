/**
 * `connect(url, options)`: create a {@link LiteClient} and wait for its first CONNACK in one call.
 *
 * @module
 */

import { LiteClient } from "./client.ts";
import type { LiteOptions } from "./options.ts";

/**
 * Connects a {@link LiteClient} to `url` (`ws://` or `wss://`); resolves once the broker accepted
 * it.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@korero/mqtt/lite";
 * await using client = await connect("ws://localhost:8080/mqtt", { protocolVersion: 5 });
 * await client.publish("greetings", "hello", { qos: 1 });
 * ```
 */
export async function connect(url: string, options: LiteOptions = {}): Promise<LiteClient> {
  const client = new LiteClient({ ...options, url });
  await client.connect();
  return client;
}
