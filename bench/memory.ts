/**
 * Memory under load, through a real Mosquitto: a publisher sends 1,000,000 messages of 16 bytes
 * with the documented pattern (`await client.ready()` before each `publish()`, which is not
 * awaited), and a subscriber receives them; once at QoS 0 and once at QoS 1. Publisher and
 * subscriber each run in their own process of the same runtime, sample their RSS every 20 ms
 * (and every 10,000 messages), and report it at start (connected, before the first message),
 * at its peak and at the end (after the last message, before disconnecting). They also report
 * the JavaScript heap in use after a full garbage collection (what is really kept alive) at
 * start, and its largest value at every 100,000 messages and at the end.
 *
 * ```sh
 * deno run -A bench/memory.ts            # Deno
 * bun bench/memory.ts                    # Bun
 * deno run -A bench/memory.ts --count 200000 --qos 1
 * deno run -A bench/memory.ts --v8-flags --max-semi-space-size=1   # V8 flags for the clients
 * deno run -A bench/memory.ts baseline   # the same loop shape without MQTT, for comparison
 * ```
 *
 * Needs `mosquitto` on the PATH (as the integration tests do); see bench/README.md for figures.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { MqttClient } from "../mod.ts";

const MB = 1024 * 1024;
const TOPIC = "bench/memory";

interface Report {
  role: "publisher" | "subscriber";
  qos: 0 | 1;
  messages: number;
  seconds: number;
  rssStart: number;
  rssPeak: number;
  rssEnd: number;
  /** Heap in use after a full GC: at start, and the largest seen later. */
  liveStart: number;
  livePeak: number;
  failures?: number;
}

/** A full garbage collection (Deno with --expose-gc, which this bench passes, or Bun). */
function collect(): void {
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  if (bun !== undefined) bun.gc(true);
  else (globalThis as { gc?: () => void }).gc?.();
}

/** Heap in use after a full garbage collection. */
function liveHeap(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** Samples RSS every 20 ms (and when `sample()` is called) and keeps the peak. */
function rssMeter() {
  let peak = 0;
  const sample = (): number => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
    return rss;
  };
  const timer = setInterval(sample, 20);
  return {
    sample,
    get peak() {
      return peak;
    },
    stop: () => clearInterval(timer),
  };
}

async function publisher(port: number, qos: 0 | 1, count: number): Promise<Report> {
  const client = new MqttClient({ url: `mqtt://127.0.0.1:${port}`, clientId: `pub-${qos}` });
  await client.connect();
  const liveStart = liveHeap();
  let livePeak = 0;
  const meter = rssMeter();
  const rssStart = meter.sample();
  const started = performance.now();
  let failures = 0;
  const failed = () => failures++;
  for (let i = 0; i < count; i++) {
    await client.ready();
    client.publish(TOPIC, String(i).padStart(16, "0"), { qos }).catch(failed);
    if (i % 10_000 === 0) meter.sample();
    if (i % 100_000 === 99_999) livePeak = Math.max(livePeak, liveHeap());
  }
  // The last messages: QoS 1 once acknowledged, QoS 0 once written.
  await client.publish(TOPIC, "end", { qos: 1 });
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = meter.sample();
  livePeak = Math.max(livePeak, liveHeap());
  meter.stop();
  await client.disconnect();
  return {
    role: "publisher",
    qos,
    messages: count,
    seconds,
    rssStart,
    rssPeak: meter.peak,
    rssEnd,
    liveStart,
    livePeak,
    failures,
  };
}

async function subscriber(port: number, qos: 0 | 1, count: number): Promise<Report> {
  const client = new MqttClient({ url: `mqtt://127.0.0.1:${port}`, clientId: `sub-${qos}` });
  let messages = 0;
  let started = 0;
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const meter = rssMeter();
  let livePeak = 0;
  client.onMessage = ({ message }) => {
    if (message.payload.length !== 16) return done(); // "end"
    if (messages++ === 0) started = performance.now();
    if (messages % 10_000 === 0) meter.sample();
    if (messages % 100_000 === 0) livePeak = Math.max(livePeak, liveHeap());
    if (messages === count) done();
  };
  await client.connect();
  await client.subscribe(TOPIC, { qos });
  const liveStart = liveHeap();
  const rssStart = meter.sample();
  process.stdout.write("subscribed\n");
  await ended;
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = meter.sample();
  livePeak = Math.max(livePeak, liveHeap());
  meter.stop();
  await client.disconnect();
  return {
    role: "subscriber",
    qos,
    messages,
    seconds,
    rssStart,
    rssPeak: meter.peak,
    rssEnd,
    liveStart,
    livePeak,
  };
}

/** Runs this file as a child process of the same runtime; resolves with its report. */
function child(role: string, port: number, qos: number, count: number, onLine?: () => void) {
  const self = fileURLToPath(import.meta.url);
  const v8 = ["--expose-gc", ...arg("v8-flags", "").split(",").filter((f) => f !== "")].join(",");
  const runtime = "Deno" in globalThis ? ["run", "-A", `--v8-flags=${v8}`, self] : [self];
  const args = [...runtime, role, "--port", String(port), "--qos", String(qos)];
  const proc = spawn(process.execPath, [...args, "--count", String(count)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  proc.stdout!.on("data", (chunk: Uint8Array) => {
    out += new TextDecoder().decode(chunk);
    if (out.includes("subscribed\n")) {
      out = out.replace("subscribed\n", "");
      onLine?.();
    }
  });
  return new Promise<Report>((resolve, reject) => {
    proc.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${role} exited with ${code}`));
      resolve(JSON.parse(out.trim()) as Report);
    });
  });
}

function line(r: Report): string {
  const mb = (n: number) => (n / MB).toFixed(0).padStart(4);
  const rate = (r.messages / r.seconds / 1000).toFixed(0);
  return `QoS ${r.qos} ${r.role.padEnd(10)} ${String(r.messages).padStart(8)} msgs ${
    r.seconds.toFixed(1).padStart(5)
  } s (${rate}k/s)  RSS start ${mb(r.rssStart)} MB  peak ${mb(r.rssPeak)} MB  end ${
    mb(r.rssEnd)
  } MB  growth ${mb(r.rssPeak - r.rssStart)} MB  live heap ${(r.liveStart / MB).toFixed(1)} → ${
    (r.livePeak / MB).toFixed(1)
  } MB${r.failures ? `  failures ${r.failures}` : ""}`;
}

/**
 * No MQTT: `count` iterations that each await, make ~2 KB of short-lived objects and keep the
 * last 1,000 of a 16-byte payload and a settled promise alive (as pending messages would be):
 * how much the runtime's RSS grows under such a loop by itself.
 */
async function baseline(count: number): Promise<void> {
  const meter = rssMeter();
  const rssStart = meter.sample();
  const live: unknown[] = new Array(1000);
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    await null;
    const garbage = [];
    for (let j = 0; j < 16; j++) garbage.push({ a: i, b: j, c: "x", d: null, e: [j] });
    const payload = encoder.encode(String(i).padStart(16, "0"));
    live[i % 1000] = { payload, settled: Promise.resolve(i).then(() => {}) };
    if (i % 10_000 === 0) meter.sample();
  }
  const rssEnd = meter.sample();
  meter.stop();
  const mb = (n: number) => (n / MB).toFixed(0);
  console.log(
    `baseline (no MQTT) ${count} iterations: RSS start ${mb(rssStart)} MB  peak ${
      mb(meter.peak)
    } MB  end ${mb(rssEnd)} MB  growth ${mb(meter.peak - rssStart)} MB`,
  );
}

async function main(): Promise<void> {
  const role = process.argv.find((a) => a === "publisher" || a === "subscriber");
  const count = Number(arg("count", "1000000"));
  if (process.argv.includes("baseline")) return await baseline(count);
  if (role !== undefined) {
    const port = Number(arg("port", "1883"));
    const qos = Number(arg("qos", "0")) as 0 | 1;
    const run = role === "publisher" ? publisher : subscriber;
    process.stdout.write(JSON.stringify(await run(port, qos, count)) + "\n");
    process.exit(0);
  }
  const { startMosquitto } = await import("../tests/_helpers/mosquitto.ts");
  const broker = await startMosquitto({ verboseLog: false });
  const runtime = "Deno" in globalThis
    ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
    : `Bun ${(process.versions as Record<string, string>).bun}`;
  const flags = arg("v8-flags", "") === "" ? "" : ` (--v8-flags=${arg("v8-flags", "")})`;
  console.log(`${runtime}${flags}, Mosquitto, ${count} messages of 16 bytes`);
  try {
    const levels = arg("qos", "0,1").split(",").map(Number);
    for (const qos of levels) {
      let subscribed!: () => void;
      const ready = new Promise<void>((resolve) => (subscribed = resolve));
      const sub = child("subscriber", broker.port, qos, count, () => subscribed());
      await ready;
      const pub = await child("publisher", broker.port, qos, count);
      console.log(line(pub));
      console.log(line(await sub));
    }
  } finally {
    await broker.stop();
  }
}

await main();
