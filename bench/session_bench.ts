/**
 * Session micro-benchmarks: the pure session and codec in memory, without driver, client or
 * socket, so the protocol layer's own cost per message is visible.
 *
 *   deno bench -A bench/session_bench.ts
 *
 * - publish: `publish()` + `drain()` of one message (QoS 0: PUBLISH bytes and resolve; QoS 1: the
 *   PUBLISH, then the PUBACK fed back and its resolve drained).
 * - receive: one chunk holding one PUBLISH (or 100) decoded and delivered as `message` actions;
 *   QoS 1 also emits the PUBACK writes.
 *
 * @module
 */

import { encodePacket, type ProtocolVersion, type QoS } from "../src/codec/mod.ts";
import { Session } from "../src/session/mod.ts";
import type { OutgoingMessage, SessionOptions } from "../src/session/types.ts";

const topic = "bench/korero/q0/s16/r0/1234567890";
const payload = new Uint8Array(16).fill(0x61);

function options(version: ProtocolVersion): SessionOptions {
  return {
    protocolVersion: version,
    clientId: "bench",
    clean: true,
    keepalive: 60,
    reconnect: false,
    connectTimeout: 10_000,
    operationTimeout: 0,
    maxInflight: 65_535,
    maxQueued: 1_000_000,
    maxQueuedBytes: 1 << 30,
    queueFull: "reject",
    queueQoS0Offline: false,
    resubscribe: true,
    topicAliases: false,
    qos2Delivery: "publish",
    disconnectTimeout: 1000,
  };
}

/** A session past CONNACK, with every action so far drained. */
function connected(version: ProtocolVersion): Session {
  const session = new Session(options(version), () => 0.5);
  session.connect(0, 0);
  session.transportOpened(0);
  session.receive(
    encodePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, version),
    0,
  );
  session.drain();
  if (session.state !== "connected") throw new Error(`not connected: ${session.state}`);
  return session;
}

for (const version of [4, 5] as const) {
  const group = `publish v${version}`;
  for (const qos of [0, 1] as const) {
    const session = connected(version);
    const message: OutgoingMessage = { topic, payload, qos, retain: false };
    let token = 1;
    const pubacks = new Map<number, Uint8Array>();
    // The PUBLISH's packet identifier follows its 2-byte fixed header and the topic.
    const idAt = 2 + 2 + topic.length;
    Deno.bench(`session publish QoS ${qos} 16 B (v${version})`, { group }, () => {
      session.publish(token++, message, 1);
      const actions = session.drain();
      if (qos === 1) {
        const write = actions[0];
        if (write?.type !== "write") throw new Error("expected the PUBLISH first");
        const packetId = (write.bytes[idAt]! << 8) | write.bytes[idAt + 1]!;
        let ack = pubacks.get(packetId);
        if (ack === undefined) {
          ack = encodePacket({ type: "puback", packetId, reasonCode: 0 }, version);
          pubacks.set(packetId, ack);
        }
        session.receive(ack, 1);
        session.drain();
      }
    });
  }

  const receiveGroup = `receive v${version}`;
  for (const qos of [0, 1] as QoS[]) {
    for (const count of [1, 100]) {
      const session = connected(version);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const packet = { type: "publish", topic, payload, qos, retain: false, dup: false } as const;
        parts.push(
          encodePacket(qos === 0 ? packet : { ...packet, packetId: 1 + i }, version),
        );
      }
      const chunk = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((offset, p) => (chunk.set(p, offset), offset + p.length), 0);
      Deno.bench(
        `session receive ${count} PUBLISH QoS ${qos} 16 B per chunk (v${version})`,
        { group: receiveGroup },
        () => {
          // A copy per push: the decoder's payload views must not share memory with the next.
          session.receive(chunk.slice(), 1);
          session.drain();
        },
      );
    }
  }
}

/** `ids` as one chunk of acknowledgements of `type`. */
function ackChunk(type: "puback" | "pubrec" | "pubcomp", ids: number[]): Uint8Array {
  const parts = ids.map((packetId) => encodePacket({ type, packetId, reasonCode: 0 }, 5));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

// Large flows: the in-flight table and queue stay O(1) per packet (a scan per acknowledgement
// would make these take minutes). Moved here from the session tests, which assert outcomes only.
const reverse = ackChunk("puback", Array.from({ length: 50_000 }, (_, i) => 50_000 - i));
Deno.bench("session 50,000 QoS 1 in flight, acknowledged in reverse order", { n: 5 }, () => {
  const session = connected(5);
  for (let i = 1; i <= 50_000; i++) {
    session.publish(i, { topic, payload, qos: 1, retain: false }, 1);
  }
  session.drain();
  session.receive(reverse.slice(), 2);
  session.drain();
});

Deno.bench("session 20,000 QoS 2 through a window of 1,000", { n: 5 }, () => {
  const session = new Session({ ...options(5), maxInflight: 1000 }, () => 0.5);
  session.connect(0, 0);
  session.transportOpened(0);
  session.receive(encodePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 5), 0);
  session.drain();
  for (let i = 1; i <= 20_000; i++) {
    session.publish(i, { topic, payload, qos: 2, retain: false }, 1);
  }
  let written = session.drain().filter((a) => a.type === "write").length;
  let next = 1;
  while (written > 0) {
    const ids = Array.from({ length: written }, (_, i) => next + i);
    next += written;
    session.receive(ackChunk("pubrec", ids), 2);
    session.drain();
    session.receive(ackChunk("pubcomp", ids), 3);
    written = session.drain().filter((a) => a.type === "write").length;
  }
});
