/**
 * Codec micro-benchmarks: korero's codec side by side with `npm:mqtt-packet@9.0.2` (the
 * baseline of each group), on the cases of ../shared/bench/codec.mjs.
 *
 *   deno bench -A bench/codec_bench.ts
 *   bun bench/codec_bench.ts        (mqtt-packet from $BENCH_DEPS, default /tmp/mqtt-bench-deps,
 *                                    installed by ../shared/bench/setup.sh)
 *
 * On Bun, `_bench_runner.ts` stands in for `Deno.bench` (an optional argument keeps only the cases
 * whose name contains it).
 *
 * "encode" shows the public `encodePacket` (a buffer the caller owns) and `PacketEncoder.encode`
 * (views into the encoder's slab, the session's hot path).
 * "decode" feeds one whole frame per call to a long-lived streaming decoder on both sides
 * (mqtt-packet's `parser.parse`, korero's `PacketDecoder.push`); `decodePacket` is shown too.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import process from "node:process";
import {
  decodePacket,
  encodePacket,
  type Packet,
  PacketDecoder,
  PacketEncoder,
  type ProtocolVersion,
} from "../src/codec/mod.ts";
import { bench, onDeno, runBenches } from "./_bench_runner.ts";

// deno-lint-ignore no-explicit-any
async function loadMqttPacket(): Promise<any> {
  if (onDeno) {
    const m = await import("npm:mqtt-packet@9.0.2");
    return m.default ?? m;
  }
  const deps = (process.env.BENCH_DEPS || "/tmp/mqtt-bench-deps").replace(/\/$/, "");
  return createRequire(deps + "/package.json")("mqtt-packet");
}
// deno-lint-ignore no-explicit-any
const mp: any = await loadMqttPacket();

const topic = "bench/topic/abc";
const p16 = new Uint8Array(16).fill(0x61);
const p1k = new Uint8Array(1024).fill(0x62);

interface Case {
  name: string;
  version: ProtocolVersion;
  ours: Packet;
  // deno-lint-ignore no-explicit-any
  theirs: any;
}

const CASES: Case[] = [
  {
    name: "PUBLISH v4 QoS0 16B",
    version: 4,
    ours: { type: "publish", topic, payload: p16, qos: 0, retain: false, dup: false },
    theirs: { cmd: "publish", topic, payload: Buffer.from(p16), qos: 0, dup: false, retain: false },
  },
  {
    name: "PUBLISH v4 QoS1 1KiB",
    version: 4,
    ours: {
      type: "publish",
      topic,
      payload: p1k,
      qos: 1,
      packetId: 4242,
      retain: false,
      dup: false,
    },
    theirs: {
      cmd: "publish",
      topic,
      payload: Buffer.from(p1k),
      qos: 1,
      messageId: 4242,
      dup: false,
      retain: false,
    },
  },
  {
    name: "PUBLISH v5 QoS1 16B +props",
    version: 5,
    ours: {
      type: "publish",
      topic,
      payload: p16,
      qos: 1,
      packetId: 4242,
      retain: false,
      dup: false,
      properties: {
        contentType: "application/json",
        userProperties: [["trace", "abc123"], ["src", "bench"]],
        messageExpiryInterval: 60,
      },
    },
    theirs: {
      cmd: "publish",
      topic,
      payload: Buffer.from(p16),
      qos: 1,
      messageId: 4242,
      dup: false,
      retain: false,
      properties: {
        contentType: "application/json",
        userProperties: { trace: "abc123", src: "bench" },
        messageExpiryInterval: 60,
      },
    },
  },
  {
    name: "CONNECT v5 will+props",
    version: 5,
    ours: {
      type: "connect",
      protocolVersion: 5,
      clean: true,
      clientId: "bench-client-000001",
      keepalive: 60,
      username: "user",
      password: new TextEncoder().encode("secret"),
      properties: {
        sessionExpiryInterval: 3600,
        receiveMaximum: 100,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 16,
        userProperties: [["app", "bench"]],
      },
      will: {
        topic: "bench/will",
        payload: new Uint8Array(32).fill(0x77),
        qos: 1,
        retain: false,
        properties: {
          willDelayInterval: 10,
          contentType: "text/plain",
          messageExpiryInterval: 300,
        },
      },
    },
    theirs: {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 5,
      clean: true,
      clientId: "bench-client-000001",
      keepalive: 60,
      username: "user",
      password: Buffer.from("secret"),
      properties: {
        sessionExpiryInterval: 3600,
        receiveMaximum: 100,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 16,
        userProperties: { app: "bench" },
      },
      will: {
        topic: "bench/will",
        payload: Buffer.alloc(32, 0x77),
        qos: 1,
        retain: false,
        properties: {
          willDelayInterval: 10,
          contentType: "text/plain",
          messageExpiryInterval: 300,
        },
      },
    },
  },
  {
    name: "SUBSCRIBE v5 3 topics",
    version: 5,
    ours: {
      type: "subscribe",
      packetId: 7,
      subscriptions: [
        { topicFilter: "sensors/+/temperature", qos: 1, retainAsPublished: true },
        { topicFilter: "alerts/#", qos: 2, noLocal: true, retainHandling: 1 },
        { topicFilter: "cmd/device-42", qos: 0, retainHandling: 2 },
      ],
    },
    theirs: {
      cmd: "subscribe",
      messageId: 7,
      subscriptions: [
        { topic: "sensors/+/temperature", qos: 1, nl: false, rap: true, rh: 0 },
        { topic: "alerts/#", qos: 2, nl: true, rap: false, rh: 1 },
        { topic: "cmd/device-42", qos: 0, nl: false, rap: false, rh: 2 },
      ],
    },
  },
];

let sink = 0;

function mqttPacketParser(version: ProtocolVersion): { parse(chunk: Uint8Array): void } {
  const parser = mp.parser({ protocolVersion: version });
  parser.on("packet", () => {
    sink++;
  });
  parser.on("error", (error: unknown) => {
    throw error;
  });
  return parser;
}

for (const c of CASES) {
  const opts = { protocolVersion: c.version };
  const ours = encodePacket(c.ours, c.version);
  const theirs = new Uint8Array(mp.generate(c.theirs, opts));
  // The same bytes on both sides (up to property order), so both decoders do the same work.
  if (ours.length !== theirs.length) {
    throw new Error(`${c.name}: ${ours.length} bytes vs mqtt-packet ${theirs.length}`);
  }
  const frame = Buffer.from(ours);

  const encodeGroup = `encode ${c.name} (${ours.length} B)`;
  bench("mqtt-packet generate", { group: encodeGroup, baseline: true }, () => {
    sink += mp.generate(c.theirs, opts).length;
  });
  bench("korero encodePacket", { group: encodeGroup }, () => {
    sink += encodePacket(c.ours, c.version).length;
  });
  const encoder = new PacketEncoder();
  bench("korero PacketEncoder.encode", { group: encodeGroup }, () => {
    sink += encoder.encode(c.ours, c.version).length;
  });

  const decodeGroup = `decode ${c.name} (${ours.length} B)`;
  const parser = mqttPacketParser(c.version);
  bench("mqtt-packet parser.parse", { group: decodeGroup, baseline: true }, () => {
    parser.parse(frame);
  });
  const decoder = new PacketDecoder({ protocolVersion: c.version });
  bench("korero PacketDecoder.push", { group: decodeGroup }, () => {
    sink += decoder.push(frame).length;
  });
  bench("korero decodePacket", { group: decodeGroup }, () => {
    sink += decodePacket(frame, c.version).type.length;
  });
}

// A stream of 10,000 small PUBLISH packets delivered in 64 KiB chunks.
{
  const one = encodePacket(CASES[0]!.ours, 4);
  const count = 10_000;
  const stream = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) stream.set(one, i * one.length);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += 65536) {
    chunks.push(Buffer.from(stream.subarray(offset, offset + 65536)));
  }
  const group = `stream ${count} x PUBLISH QoS0 16B in 64 KiB chunks (${stream.length} B)`;
  const parser = mqttPacketParser(4);
  bench("mqtt-packet parser.parse", { group, baseline: true }, () => {
    for (const chunk of chunks) parser.parse(chunk);
  });
  const decoder = new PacketDecoder({ protocolVersion: 4 });
  bench("korero PacketDecoder.push", { group }, () => {
    let n = 0;
    for (const chunk of chunks) n += decoder.push(chunk).length;
    if (n !== count) throw new Error(`decoded ${n} packets, expected ${count}`);
    sink += n;
  });
}

if (onDeno) {
  globalThis.addEventListener("unload", () => {
    if (sink === 42) console.log("");
  });
} else {
  await runBenches(process.argv[2]);
  if (sink === 42) console.log("");
}
