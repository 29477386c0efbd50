/**
 * A publisher program for the session store crash test (session_store_test.ts): publishes
 * QoS 1/2 messages "0", "1", … to a topic with a FileStore, without awaiting them, and prints
 * `accepted N` each time `persisted()` confirms the first N calls are in the store. The test
 * kills it with SIGKILL mid-burst and starts it again with count 0: the restarted program only
 * connects (with the same store and client identifier) and prints `connected`.
 *
 * Usage: <runtime> _store_publisher.ts <url> <store dir> <client id> <topic> <qos> <count>
 */

import process from "node:process";
import { connect, FileStore, type QoS } from "../../mod.ts";

const [url, dir, clientId, topic, qosText, countText] = process.argv.slice(2);
const qos = Number(qosText) as QoS;
const count = Number(countText);
const client = await connect(url!, {
  clientId: clientId!,
  clean: false,
  protocolVersion: 5,
  properties: { sessionExpiryInterval: 600 },
  store: new FileStore(dir!),
  reconnect: { minDelay: 50, maxDelay: 200 },
});
console.log("connected");
for (let i = 0; i < count; i++) {
  client.publish(topic!, String(i), { qos }).catch(() => {});
  if ((i + 1) % 50 === 0) {
    await client.persisted();
    console.log(`accepted ${i + 1}`);
  }
}
await client.persisted();
console.log(`accepted ${count}`);
// Stays connected until killed: its messages are delivered meanwhile.
setInterval(() => {}, 60_000);
