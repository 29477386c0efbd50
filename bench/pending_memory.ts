/**
 * What one pending QoS 1 `publish()` holds: 50,000 publishes of a 16-byte payload (bytes made
 * beforehand, so not counted) to an in-memory broker that never acknowledges, all in flight;
 * the JS heap in use after a full garbage collection, before and after, per publish. Measured
 * twice: keeping the returned promise (what the client itself holds), and with the caller's
 * `.catch(handler)` on each (one shared handler, the documented pattern), which keeps a
 * derived promise per call too.
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/pending_memory.ts
 * bun --expose-gc bench/pending_memory.ts
 * ```
 *
 * @module
 */

import process from "node:process";
import { MqttClient } from "../mod.ts";
import { memoryPair } from "../src/testing.ts";

const N = 50_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error("Run with --v8-flags=--expose-gc (Deno) or --expose-gc (Bun)");
}

async function perPublish(withCatch: boolean): Promise<number> {
  const { opener, server } = memoryPair();
  server.onConnection = (connection) => {
    connection.onData = (bytes) => {
      if (bytes[0] === 0x10) connection.write(new Uint8Array([0x20, 2, 0, 0])); // CONNACK
    };
  };
  const client = new MqttClient({ transport: opener, clientId: "p", reconnect: false });
  await client.connect();
  const payloads = Array.from({ length: N }, () => new Uint8Array(16));
  const kept: Promise<unknown>[] = new Array(N);
  const ignore = () => {};
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) {
    const publishing = client.publish("bench/topic", payloads[i], { qos: 1 });
    if (withCatch) publishing.catch(ignore);
    else kept[i] = publishing;
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // written; no PUBACK comes
  gc!();
  gc!();
  const after = process.memoryUsage().heapUsed;
  if (!withCatch) { for (const publishing of kept) publishing.catch(ignore); }
  await client.disconnect({ force: true }); // rejects the pending publishes
  // With the promises kept, an array slot (8 bytes) per publish is the caller's.
  return (after - before) / N - (withCatch ? 0 : 8);
}

const client = await perPublish(false);
const pattern = await perPublish(true);
console.log(`client: ${client.toFixed(0)} B per pending QoS 1 publish`);
console.log(`with the caller's .catch(handler): ${pattern.toFixed(0)} B`);
process.exit(0);
