/**
 * The lite client's twin of `bench/bundle_app.ts`, behind `bench/bundle_size.ts`'s issue-9
 * figure: the same app — connect over WebSocket, subscribe, publish at QoS 1, read one message
 * from `messages()`, disconnect — with `LiteClient` from `@korero/mqtt/lite`. Bundled, not run.
 *
 * @module
 */

import { LiteClient } from "../src/lite/mod.ts";

const client = new LiteClient({ url: "ws://broker.example:8080/mqtt" });
await client.connect();
const messages = client.messages("demo/#");
await client.subscribe("demo/#", { qos: 1 });
await client.publish("demo/hello", "world", { qos: 1 });
for await (const message of messages) {
  console.log(message.topic, message.payload.length);
  break;
}
await client.disconnect();
