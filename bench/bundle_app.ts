/**
 * The fixed app behind `bench/bundle_size.ts`: what a browser page that uses korero typically
 * does — connect over WebSocket, subscribe, publish at QoS 1, read one message from
 * `messages()`, disconnect. Bundled, not run.
 *
 * @module
 */

import { MqttClient } from "../mod.ts";

const client = new MqttClient({ url: "ws://broker.example:8080/mqtt" });
await client.connect();
const messages = client.messages("demo/#");
await client.subscribe("demo/#", { qos: 1 });
await client.publish("demo/hello", "world", { qos: 1 });
for await (const message of messages) {
  console.log(message.topic, message.payload.length);
  break;
}
await client.disconnect();
