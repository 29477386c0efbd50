/**
 * A bounded soak: many clients, QoS 0, 1 and 2, a real Mosquitto (persistence on) restarted
 * periodically — alternately a graceful restart (SIGTERM: it saves its state) and a crash
 * (SIGKILL: it loses what it acknowledged since its last save, once a second) — and an exact
 * account of every message.
 *
 * ```sh
 * deno run -A bench/soak.ts --duration 10        # minutes (default 10)
 * bun bench/soak.ts --duration 2 --publishers 4 --subscribers 4 --rate 2000 --restart-every 30
 * ```
 *
 * Options: `--duration` minutes (10), `--publishers` (4), `--subscribers` (4; each receives every
 * publisher's messages), `--rate` messages per second over all publishers (2000, a third per
 * QoS), `--size` payload bytes (32), `--restart-every` seconds (30), `--restarts`
 * `both` | `graceful` | `kill` (both: alternating, graceful first), `--window` outstanding
 * publishes per publisher (200), `--backlog` QoS 1/2 messages the slowest subscriber may lag before
 * publishers wait (20000), `--trace` (keep every QoS 2 send, to show korero's duplicates).
 * Clients alternate MQTT 5 and 3.1.1; all keep their session (`clean: false`) and reconnect.
 *
 * Each subscriber reaches the broker through a capturing relay (tests/_helpers/relay.ts), which
 * records every PUBLISH the broker actually sent it. So, per subscriber and message:
 *
 * - lost by the client: sent to it by the broker, never delivered — must be 0 (any QoS);
 * - lost by the broker: acknowledged to the publisher (QoS 1/2), never sent to the subscriber
 *   (SIGKILL); QoS 0 not sent is reported apart (QoS 0 may be dropped);
 * - QoS 2 duplicates by korero: delivered more often than korero's documented rules allow,
 *   replayed on the capture (tests/fault/_qos2_oracle.ts) — must be 0. The broker's (a message
 *   it started afresh, or re-sent after it left korero's window of completed exchanges) are
 *   reported apart.
 *
 * It prints one JSON line per interval and a summary; the exit code is 1 when the client lost or
 * duplicated anything. RSS and heap are the whole process's: clients, relays and this
 * bookkeeping (a few bytes per message).
 *
 * @module
 */

import process from "node:process";
import { MqttClient, type ProtocolVersion, type QoS } from "../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../tests/_helpers/mosquitto.ts";
import { type CapturedPacket, Relay } from "../tests/_helpers/relay.ts";
import { Qos2Oracle } from "../tests/fault/_qos2_oracle.ts";

interface Args {
  duration: number;
  publishers: number;
  subscribers: number;
  rate: number;
  size: number;
  restartEvery: number;
  restarts: "both" | "graceful" | "kill";
  window: number;
  /** QoS 1/2 messages the slowest subscriber may lag behind before publishers wait. */
  backlog: number;
  /** Keep every QoS 2 send to show korero's duplicates, if any (memory grows with the run). */
  trace: boolean;
}

const QOSES = [0, 1, 2] as const;
const RECONNECT = { minDelay: 100, maxDelay: 1_000 } as const;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    duration: 10,
    publishers: 4,
    subscribers: 4,
    rate: 2_000,
    size: 32,
    restartEvery: 30,
    restarts: "both",
    window: 200,
    backlog: 20_000,
    trace: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--trace") {
      args.trace = true;
      i--;
      continue;
    }
    const name = (argv[i] ?? "").replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    const value = argv[i + 1];
    if (!(name in args) || value === undefined) {
      throw new TypeError(`Unknown option or missing value: ${argv[i]}`);
    }
    if (name === "restarts") {
      if (value !== "both" && value !== "graceful" && value !== "kill") {
        throw new RangeError(`--restarts must be both, graceful or kill, got ${value}`);
      }
      args.restarts = value;
    } else {
      const number = Number(value);
      if (!(number > 0)) throw new RangeError(`${argv[i]} must be a positive number`);
      (args as unknown as Record<string, number>)[name] = number;
    }
  }
  return args;
}

/** Small counters indexed by a message's sequence number, growing as needed (saturate at 255). */
class Counts {
  #bytes = new Uint8Array(1024);
  get(index: number): number {
    return this.#bytes[index] ?? 0;
  }
  inc(index: number): void {
    if (index >= this.#bytes.length) {
      let size = this.#bytes.length;
      while (size <= index) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    if (this.#bytes[index]! < 255) this.#bytes[index]!++;
  }
}

/** One Counts per publisher and QoS. */
function grid(publishers: number): Counts[][] {
  return Array.from({ length: publishers }, () => QOSES.map(() => new Counts()));
}

/** A payload `p:q:seq` padded to `size` bytes, and its parse. */
function payload(p: number, q: QoS, seq: number, size: number): string {
  const head = `${p}:${q}:${seq}:`;
  return head.padEnd(Math.max(size, head.length), "x");
}
function parsePayload(bytes: Uint8Array): [number, QoS, number] | undefined {
  const text = new TextDecoder().decode(bytes.subarray(0, 32));
  const match = /^(\d+):([012]):(\d+):/.exec(text);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]) as QoS, Number(match[3])];
}

/** What one subscriber saw and delivered. */
interface Subscriber {
  client: MqttClient;
  relay: Relay;
  version: ProtocolVersion;
  /** PUBLISH packets the broker sent it, per message. */
  sent: Counts[][];
  /** Of those, with DUP=0. */
  fresh: Counts[][];
  /** How often korero may deliver each QoS 2 message (its rules replayed on the capture). */
  deliverable: Counts[][];
  delivered: Counts[][];
  deliveries: number;
  /** QoS 1/2 messages delivered at least once. */
  unique12: number;
  /** With `--trace`: every QoS 2 PUBLISH sent, per message (connection, id, DUP). */
  trace: Map<string, string[]> | undefined;
}

function rss(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

function heap(): number {
  return Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  log({ event: "start", ...args, runtime: runtimeName() });

  const broker: MosquittoBroker = await startMosquitto({
    persistence: true,
    verboseLog: false,
    extraConfig: ["log_type information", "autosave_on_changes false", "autosave_interval 1"],
  });
  const version = (i: number): ProtocolVersion => (i % 2 === 0 ? 5 : 4);
  const session = (id: string, v: ProtocolVersion) => ({
    protocolVersion: v,
    clientId: id,
    clean: false,
    keepalive: 10,
    reconnect: RECONNECT,
    connectTimeout: 5_000,
    ...(v === 5 ? { properties: { sessionExpiryInterval: 3_600 } } : {}),
  });
  let reconnects = 0;
  const watch = (client: MqttClient, name: string) => {
    client.onConnect = ({ reconnect }) => {
      if (reconnect) reconnects++;
    };
    client.onDisconnect = ({ reasonCode, error }) =>
      log({
        event: "disconnect",
        client: name,
        at_s: secondsSince(started),
        reasonCode,
        error: error?.message,
      });
    client.onConnectFail = ({ error }) =>
      log({
        event: "connect_fail",
        client: name,
        at_s: secondsSince(started),
        error: error.message,
      });
  };

  // Subscribers, each behind its own capturing relay.
  const subscribers: Subscriber[] = [];
  for (let s = 0; s < args.subscribers; s++) {
    const sub = {
      version: version(s),
      sent: grid(args.publishers),
      fresh: grid(args.publishers),
      deliverable: grid(args.publishers),
      delivered: grid(args.publishers),
      deliveries: 0,
      unique12: 0,
      trace: args.trace ? new Map<string, string[]>() : undefined,
    } as Subscriber;
    // A message's key for the oracle: publisher × 1e9 + sequence number.
    const oracle = new Qos2Oracle<number>(
      (publish) => {
        const parsed = parsePayload(publish.payload);
        return parsed && parsed[0] * 1e9 + parsed[2];
      },
      (key) => sub.deliverable[Math.floor(key / 1e9)]![2]!.inc(key % 1e9),
    );
    const onPacket = (captured: CapturedPacket) => {
      oracle.observe(captured);
      const { connection, direction, packet, forwarded } = captured;
      if (direction !== "toClient" || !forwarded || packet.type !== "publish") return;
      const parsed = parsePayload(packet.payload);
      if (parsed === undefined) return;
      const [p, q, seq] = parsed;
      sub.sent[p]![q]!.inc(seq);
      if (!packet.dup) sub.fresh[p]![q]!.inc(seq);
      if (q === 2 && sub.trace !== undefined) {
        const key = `${p}:${seq}`;
        const sends = sub.trace.get(key) ?? [];
        sends.push(`c${connection} m${packet.packetId} d${packet.dup ? 1 : 0}`);
        sub.trace.set(key, sends);
      }
    };
    sub.relay = await Relay.start({ port: broker.port, onPacket });
    sub.client = new MqttClient({
      url: sub.relay.url,
      ...session(`korero-soak-sub-${s}`, sub.version),
    });
    watch(sub.client, `sub-${s}`);
    sub.client.onMessage = ({ message }) => {
      const parsed = parsePayload(message.payload);
      if (parsed === undefined) return;
      const counts = sub.delivered[parsed[0]]![parsed[1]]!;
      if (parsed[1] !== 0 && counts.get(parsed[2]) === 0) sub.unique12++;
      counts.inc(parsed[2]);
      sub.deliveries++;
    };
    await sub.client.connect();
    await sub.client.subscribe(QOSES.map((qos) => ({ topicFilter: `soak/+/q${qos}`, qos })));
    subscribers.push(sub);
  }

  // Publishers, straight to the broker.
  const publishers: MqttClient[] = [];
  for (let p = 0; p < args.publishers; p++) {
    const client = new MqttClient({
      ...session(`korero-soak-pub-${p}`, version(p)),
      url: broker.url(),
    });
    watch(client, `pub-${p}`);
    await client.connect();
    publishers.push(client);
  }
  // Both sessions are on disk before the first restart.
  await broker.save();

  const published = publishers.map(() => [0, 0, 0]);
  const acked = grid(args.publishers);
  const qos0Refused = [0];
  const started = Date.now();
  const end = started + args.duration * 60_000;
  const rssStart = rss();
  const heapStart = heap();
  let rssPeak = rssStart;
  let running = true;

  // Periodic restarts.
  let restarts = 0;
  let kills = 0;
  let downMs = 0;
  const restarting = (async () => {
    let next = started + args.restartEvery * 1000;
    while (running) {
      await sleep(Math.min(250, Math.max(0, next - Date.now())));
      if (!running || Date.now() < next) continue;
      const kill = args.restarts === "kill" || (args.restarts === "both" && restarts % 2 === 1);
      const down = Date.now();
      if (kill) {
        await broker.kill();
        kills++;
      }
      await broker.restart();
      downMs += Date.now() - down;
      restarts++;
      log({ event: "restart", kind: kill ? "SIGKILL" : "SIGTERM", at_s: secondsSince(started) });
      next = Date.now() + args.restartEvery * 1000;
    }
  })();

  // Publishing, paced to the rate (no catching up after a pause beyond a tenth of a second's
  // worth), a window of outstanding QoS 1/2 per publisher, and waiting while the slowest
  // subscriber lags more than `backlog` QoS 1/2 messages behind (so a machine that cannot keep
  // up measures what it sustains instead of growing the broker's queues without end).
  const perPublisher = args.rate / args.publishers;
  const published12 = () => published.reduce((sum, counts) => sum + counts[1]! + counts[2]!, 0);
  const backlogged = () => subscribers.some((sub) => published12() - sub.unique12 > args.backlog);
  let waitedForBacklogMs = 0;
  const publishing = publishers.map(async (client, p) => {
    const outstanding = new Set<Promise<unknown>>();
    let sent = 0;
    let tokens = 0;
    let last = Date.now();
    while (Date.now() < end) {
      const now = Date.now();
      tokens = Math.min(
        tokens + ((now - last) / 1000) * perPublisher,
        Math.max(1, perPublisher / 10),
      );
      last = now;
      if (tokens < 1) {
        await sleep(5);
        continue;
      }
      if (backlogged()) {
        if (p === 0) waitedForBacklogMs += 10;
        await sleep(10);
        continue;
      }
      tokens--;
      const q = QOSES[sent % 3]!;
      const seq = published[p]![q]!++;
      sent++;
      const promise = client.publish(`soak/p${p}/q${q}`, payload(p, q, seq, args.size), { qos: q })
        .then(() => acked[p]![q]!.inc(seq), () => {
          if (q === 0) qos0Refused[0]!++;
        });
      if (q === 0) continue;
      outstanding.add(promise);
      promise.finally(() => outstanding.delete(promise));
      if (outstanding.size >= args.window) await Promise.race(outstanding);
    }
    await Promise.allSettled([...outstanding]);
  });

  // Progress, once every 10 s.
  let lastDeliveries = 0;
  let lastAt = started;
  const progress = setInterval(() => {
    rssPeak = Math.max(rssPeak, rss());
    const deliveries = subscribers.reduce((sum, s) => sum + s.deliveries, 0);
    const now = Date.now();
    log({
      event: "progress",
      at_s: secondsSince(started),
      published: published.flat().reduce((a, b) => a + b, 0),
      delivered_per_s: Math.round(((deliveries - lastDeliveries) * 1000) / (now - lastAt)),
      lag: Math.max(...subscribers.map((sub) => published12() - sub.unique12)),
      reconnects,
      restarts,
      rss_mb: rss(),
      heap_mb: heap(),
    });
    lastDeliveries = deliveries;
    lastAt = now;
  }, 10_000);

  await Promise.all(publishing);
  running = false;
  await restarting;
  const publishedAt = Date.now();

  // Drain: a QoS 1 and a QoS 2 fence from every publisher reach every subscriber (the broker
  // forwards a client's messages in order), then whatever the relays forwarded is delivered.
  const fences = publishers.flatMap((client, p) =>
    ([1, 2] as const).map((q) => {
      const seq = published[p]![q]!++;
      return client.publish(`soak/p${p}/q${q}`, payload(p, q, seq, args.size), { qos: q })
        .then(() => acked[p]![q]!.inc(seq));
    })
  );
  await withTimeout(Promise.all(fences), 60_000, "the fences to be acknowledged");
  const allDelivered = () =>
    subscribers.every((sub) =>
      publishers.every((_, p) =>
        ([1, 2] as const).every((q) => sub.delivered[p]![q]!.get(published[p]![q]! - 1) > 0)
      )
    ) && subscribers.every((sub) => everySentDelivered(sub, published));
  const drainDeadline = Date.now() + 60_000;
  while (!allDelivered() && Date.now() < drainDeadline) await sleep(200);
  clearInterval(progress);
  const drainMs = Date.now() - publishedAt;

  // The account.
  const totals = {
    clientLost: 0,
    brokerLost: 0,
    qos0NotSent: 0,
    qos1Duplicates: 0,
    qos2DuplicatesKorero: 0,
    qos2DuplicatesBroker: 0,
    phantom: 0,
    deliveries: 0,
  };
  for (const [s, sub] of subscribers.entries()) {
    totals.deliveries += sub.deliveries;
    for (let p = 0; p < args.publishers; p++) {
      for (const q of QOSES) {
        for (let seq = 0; seq < published[p]![q]!; seq++) {
          const sent = sub.sent[p]![q]!.get(seq);
          const delivered = sub.delivered[p]![q]!.get(seq);
          if (sent > 0 && delivered === 0) totals.clientLost++;
          if (sent === 0 && delivered > 0) totals.phantom++;
          if (sent === 0 && acked[p]![q]!.get(seq) > 0) {
            if (q === 0) totals.qos0NotSent++;
            else totals.brokerLost++;
          }
          if (q === 1 && delivered > 1) totals.qos1Duplicates++;
          if (q === 2 && delivered > 1) {
            const may = sub.deliverable[p]![q]!.get(seq);
            if (delivered <= may) {
              totals.qos2DuplicatesBroker++;
            } else if (totals.qos2DuplicatesKorero++ < 10 && sub.trace !== undefined) {
              const sends = sub.trace.get(`${p}:${seq}`)?.join(", ");
              log({
                event: "korero_duplicate",
                subscriber: s,
                message: `${p}:2:${seq}`,
                delivered,
                may,
                sends,
              });
            }
          }
        }
      }
    }
  }
  const seconds = (publishedAt - started) / 1000;
  const publishedTotal = published.flat().reduce((a, b) => a + b, 0);
  rssPeak = Math.max(rssPeak, rss());
  const summary = {
    event: "summary",
    runtime: runtimeName(),
    duration_s: Math.round(seconds),
    clients: args.publishers + args.subscribers,
    published: publishedTotal,
    published_per_s: Math.round(publishedTotal / seconds),
    deliveries: totals.deliveries,
    delivered_per_s: Math.round(totals.deliveries / seconds),
    qos0_refused_offline: qos0Refused[0],
    waited_for_backlog_s: Math.round(waitedForBacklogMs / 1000),
    restarts,
    sigkills: kills,
    broker_down_ms: downMs,
    reconnects,
    lost_by_client: totals.clientLost,
    lost_by_broker_qos12: totals.brokerLost,
    qos0_not_sent_by_broker: totals.qos0NotSent,
    qos1_duplicates: totals.qos1Duplicates,
    qos2_duplicates_by_korero: totals.qos2DuplicatesKorero,
    qos2_duplicates_by_broker: totals.qos2DuplicatesBroker,
    delivered_but_not_sent: totals.phantom,
    drain_ms: drainMs,
    drained: allDelivered(),
    rss_mb_start: rssStart,
    rss_mb_end: rss(),
    rss_mb_peak: rssPeak,
    heap_mb_start: heapStart,
    heap_mb_end: heap(),
  };
  log(summary);

  await Promise.allSettled(
    [...publishers, ...subscribers.map((s) => s.client)].map((c) =>
      withTimeout(c.disconnect(), 5_000, "disconnect")
    ),
  );
  for (const sub of subscribers) await sub.relay.close();
  await broker.stop();
  const failed = totals.clientLost > 0 || totals.qos2DuplicatesKorero > 0 || totals.phantom > 0 ||
    !summary.drained;
  return failed ? 1 : 0;
}

/** Whether everything the relay forwarded to `sub` was delivered. */
function everySentDelivered(sub: Subscriber, published: number[][]): boolean {
  for (let p = 0; p < published.length; p++) {
    for (const q of QOSES) {
      for (let seq = 0; seq < published[p]![q]!; seq++) {
        if (sub.sent[p]![q]!.get(seq) > 0 && sub.delivered[p]![q]!.get(seq) === 0) return false;
      }
    }
  }
  return true;
}

function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.version}`;
}

process.exitCode = await main();
