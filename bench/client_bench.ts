/**
 * Client micro-benchmarks: `MqttClient` + driver + session + codec over a transport whose
 * `write()` resolves at once, so the client's own cost per call is visible (compare
 * bench/session_bench.ts for the session and codec alone).
 *
 *   deno bench -A bench/client_bench.ts
 *   bun bench/client_bench.ts [filter]      (`_bench_runner.ts` stands in for `Deno.bench`)
 *
 * Each iteration is a batch of {@link BATCH} calls, like a publisher's tight loop; divide the
 * reported time by {@link BATCH} for the cost per message.
 *
 * - publish QoS 0: `publish()` × BATCH in one tick, then await the last promise.
 * - publish QoS 1: the same; the fake peer answers every PUBLISH write with its PUBACKs (one
 *   chunk per write, in a microtask); awaits the last promise.
 * - receive: one chunk of BATCH QoS 0 (or QoS 1) PUBLISH packets handed to `onData`, each
 *   delivered to `onMessage` (QoS 1 also writes the PUBACKs).
 *
 * @module
 */

import { encodePacket, type ProtocolVersion } from "../src/codec/mod.ts";
import { MqttClient } from "../src/client/client.ts";
import type { Transport, TransportHandlers, TransportOpener } from "../src/transport/types.ts";
import process from "node:process";
import { bench, runBenches } from "./_bench_runner.ts";

/** Calls per bench iteration. */
const BATCH = 1000;
const topic = "bench/korero/q0/s16/r0/1234567890";
const payload = new Uint8Array(16).fill(0x61);

/** A peer that answers CONNECT with CONNACK and, optionally, each QoS 1 PUBLISH with a PUBACK. */
class Peer implements Transport {
  handlers: TransportHandlers | undefined;
  connected = false;
  constructor(readonly version: ProtocolVersion) {}

  write(bytes: Uint8Array): Promise<void> {
    const handlers = this.handlers!;
    if (!this.connected) {
      this.connected = true;
      const connack = encodePacket(
        { type: "connack", sessionPresent: false, reasonCode: 0 },
        this.version,
      );
      queueMicrotask(() => handlers.onData(connack));
      return Promise.resolve();
    }
    const acks = pubacks(bytes);
    if (acks !== undefined) queueMicrotask(() => handlers.onData(acks));
    return Promise.resolve();
  }

  close(): void {}
}

/** The PUBACKs for the QoS 1 PUBLISH packets in `bytes` (other packets are skipped). */
function pubacks(bytes: Uint8Array): Uint8Array | undefined {
  const ids: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const first = bytes[at]!;
    let length = 0;
    let shift = 0;
    let p = at + 1;
    for (;;) {
      const b = bytes[p++]!;
      length |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if ((first & 0xf0) === 0x30 && ((first >> 1) & 3) === 1) {
      const topicLength = (bytes[p]! << 8) | bytes[p + 1]!;
      const idAt = p + 2 + topicLength;
      ids.push((bytes[idAt]! << 8) | bytes[idAt + 1]!);
    }
    at = p + length;
  }
  if (ids.length === 0) return undefined;
  // PUBACK with only the packet identifier: v4, and v5 with reason code 0 left out.
  const out = new Uint8Array(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    out.set([0x40, 2, ids[i]! >> 8, ids[i]! & 0xff], i * 4);
  }
  return out;
}

async function connected(version: ProtocolVersion): Promise<[MqttClient, Peer]> {
  const peer = new Peer(version);
  const opener: TransportOpener = (_target, handlers) => {
    peer.handlers = handlers;
    return Promise.resolve(peer);
  };
  const client = new MqttClient({
    transport: opener,
    protocolVersion: version,
    keepalive: 0,
    maxInflight: 65_535,
  });
  await client.connect();
  return [client, peer];
}

for (const version of [4, 5] as const) {
  const group = `client publish v${version} (${BATCH} per iteration)`;
  for (const qos of [0, 1] as const) {
    const [client] = await connected(version);
    const options = { qos };
    bench(`client publish QoS ${qos} 16 B × ${BATCH} (v${version})`, { group }, async () => {
      let last: Promise<unknown> | undefined;
      if (qos === 0) { for (let i = 0; i < BATCH; i++) last = client.publish(topic, payload); }
      else for (let i = 0; i < BATCH; i++) last = client.publish(topic, payload, options);
      await last;
    });
  }

  const receiveGroup = `client receive v${version} (${BATCH} per chunk)`;
  for (const qos of [0, 1] as const) {
    const [client, peer] = await connected(version);
    let received = 0;
    client.onMessage = () => {
      received++;
    };
    const parts: Uint8Array[] = [];
    for (let i = 0; i < BATCH; i++) {
      const packet = { type: "publish", topic, payload, qos, retain: false, dup: false } as const;
      parts.push(encodePacket(qos === 0 ? packet : { ...packet, packetId: 1 + i }, version));
    }
    const chunk = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (chunk.set(p, offset), offset + p.length), 0);
    bench(
      `client receive ${BATCH} PUBLISH QoS ${qos} 16 B (v${version})`,
      { group: receiveGroup },
      () => {
        const before = received;
        peer.handlers!.onData(chunk.slice());
        if (received - before !== BATCH) throw new Error(`delivered ${received - before}`);
      },
    );
  }
}

await runBenches(process.argv[2]); // (on Deno, `deno bench` runs them)
