/**
 * korero on Node.js (plain JavaScript): connect, subscribe, publish one message, receive it,
 * disconnect.
 *
 * ```sh
 * npm install @korero/mqtt
 * node examples/node.mjs
 * MQTT_URL=mqtts://user:pass@broker.example:8883 node examples/node.mjs --topic greetings
 * ```
 *
 * Options: `--topic T` (default "korero/example/node"), `--qos 0|1|2` (default 1). The broker
 * comes from the `MQTT_URL` environment variable (default mqtt://localhost:1883). It prints
 * `received <topic> <payload>` once the message came back.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { MqttClient, payloadText } from "@korero/mqtt";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    topic: { type: "string", default: "korero/example/node" },
    qos: { type: "string", default: "1" },
  },
});
const qos = Number(values.qos);
const url = process.env.MQTT_URL ?? "mqtt://localhost:1883";

// On Node the default transport is node:net / node:tls; no option needed.
const client = new MqttClient({ url });
client.onConnect = ({ sessionPresent }) =>
  console.log(`connected (session present: ${sessionPresent})`);
await client.connect();

// Ask for the iterator before subscribing, so the message cannot arrive before it.
const messages = client.messages(values.topic);
await client.subscribe(values.topic, { qos });
await client.publish(values.topic, "hello from Node", { qos });
for await (const message of messages) {
  console.log(`received ${message.topic} ${payloadText(message)}`);
  break; // leaving the loop ends the iterator
}
await client.disconnect();
