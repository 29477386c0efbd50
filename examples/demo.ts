/**
 * korero in one command: starts korero's embedded MQTT broker in this process (or uses the
 * broker at `MQTT_URL`), connects two clients and shows a round trip at QoS 0, 1 and 2, a
 * retained message and a last will. Exits 0 when everything arrived.
 *
 * ```sh
 * deno run -A examples/demo.ts
 * bun examples/demo.ts
 * MQTT_URL=mqtt://localhost:1883 deno run -A examples/demo.ts   # against your own broker
 * ```
 *
 * @module
 */

import process from "node:process";
import { connect, type Message, type MqttClient, type QoS } from "../mod.ts";
import { type Broker, startBroker } from "../src/broker/mod.ts";

const WAIT_MS = 5_000;
const given = process.env.MQTT_URL;
let broker: Broker | undefined;
let url: string;
if (given !== undefined && given !== "") {
  url = given;
  console.log(`korero demo: MQTT 5 through the broker at ${url} (from MQTT_URL)\n`);
} else {
  broker = await startBroker({ port: 0 });
  url = broker.url;
  console.log(`korero demo: MQTT 5 through korero's embedded broker at ${url}`);
  console.log("(set MQTT_URL=mqtt://host:port to use another broker, e.g. a local Mosquitto)\n");
}

/** Connects a client, or says why it could not and exits 1. */
async function join(options: Parameters<typeof connect>[1] = {}) {
  try {
    return await connect(url, { protocolVersion: 5, reconnect: false, ...options });
  } catch (error) {
    console.error(`cannot connect to ${url}: ${(error as Error).message}`);
    await broker?.close();
    process.exit(1);
  }
}

/** Resolves with the next message `client` receives on `topic`; rejects after WAIT_MS. */
function next(client: MqttClient, topic: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing arrived on ${topic}`)), WAIT_MS);
    client.messageCallbackAdd(topic, ({ message }) => {
      clearTimeout(timer);
      client.messageCallbackRemove(topic);
      resolve(message);
    });
  });
}

const text = (message: Message) => new TextDecoder().decode(message.payload);
const base = `korero-demo/${Date.now().toString(36)}`;
const settled = ["when written", "on PUBACK", "on PUBCOMP"];
const show = (what: string, route: string, payload: string, note: string) =>
  console.log(`  ${what.padEnd(7)} ${route.padEnd(14)} ${`"${payload}"`.padEnd(24)} ${note}`);
let ok = true;

// alice leaves a last will with the broker: published for her if she goes away unannounced.
const alice = await join({
  clientId: `alice-${base.slice(12)}`,
  will: { topic: `${base}/wills`, payload: "alice went away", qos: 1 },
});
const bob = await join({ clientId: `bob-${base.slice(12)}` });
try {
  // QoS 0, 1 and 2: alice publishes, bob receives.
  await bob.subscribe(`${base}/chat`, { qos: 2 });
  console.log(`alice and bob are connected; bob subscribes to ${base}/chat\n`);
  const words = ["at most once", "at least once", "exactly once"];
  for (const qos of [0, 1, 2] as QoS[]) {
    const arriving = next(bob, `${base}/chat`);
    await alice.publish(`${base}/chat`, `hello, ${words[qos]}`, { qos });
    const message = await arriving;
    show(`QoS ${qos}`, "alice → bob", text(message), `publish settled ${settled[qos]}`);
  }

  // Retained: the broker keeps the last retained message and hands it to later subscribers.
  await alice.publish(`${base}/status`, "alice is online", { qos: 1, retain: true });
  const retained = next(bob, `${base}/status`);
  await bob.subscribe(`${base}/status`, { qos: 1 });
  const status = await retained;
  show("retain", "alice → bob", text(status), `kept by the broker for bob's later subscribe`);
  await alice.publish(`${base}/status`, "", { qos: 1, retain: true }); // clear it again

  // Last will: the broker publishes it for a client that goes away without saying goodbye.
  // Here alice asks for that explicitly (DISCONNECT 0x04, "Disconnect with Will Message").
  await bob.subscribe(`${base}/wills`, { qos: 1 });
  const will = next(bob, `${base}/wills`);
  await alice.disconnect({ reasonCode: 0x04 });
  show("will", "alice → bob", text(await will), "published by the broker as alice left");
} catch (error) {
  ok = false;
  console.error(`demo failed: ${(error as Error).message}`);
} finally {
  if (alice.connected) await alice.disconnect();
  await bob.disconnect();
  await broker?.close();
}
if (ok) console.log("\ndone: every message arrived");
process.exitCode = ok ? 0 : 1;
