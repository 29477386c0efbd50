/**
 * korero's implementation of the end-to-end benchmark contract in `../shared/bench` (README
 * there), so korero runs side by side with MQTT.js, paho-mqtt and libmosquitto:
 *
 * ```sh
 * node ../shared/bench/e2e.mjs --impls mqttjs-deno,mosq --impl korero='deno run -A bench/e2e_cli.ts'
 * deno run -A bench/e2e_cli.ts pub --host 127.0.0.1 --port 1883 --topic t --qos 1 --count 1000 --size 16
 * bun bench/e2e_cli.ts pub --host 127.0.0.1 --port 1883 --topic t --qos 1 --count 1000 --size 16
 * ```
 *
 * Publisher: `publish()` in a tight loop without awaiting each call (the client pipelines; the
 * in-flight window is raised to 65,535 and the queue to N so nothing waits on a default limit).
 * QoS 0 completes when the connection closed after its last write (every byte handed to the OS),
 * QoS 1/2 when every promise settled (PUBACK / PUBCOMP).
 *
 * @module
 */

import { MqttClient, type QoS } from "../mod.ts";

interface Args {
  host: string;
  port: number;
  topic: string;
  qos: QoS;
  count: number;
  size: number;
  timeout: number;
  version: 4 | 5;
}

const now = () => performance.timeOrigin + performance.now();
const out = (line: unknown) => console.log(JSON.stringify(line));

function parseArgs(argv: string[]): Args {
  const args: Args = {
    host: "127.0.0.1",
    port: 1883,
    topic: "bench",
    qos: 0,
    count: 1000,
    size: 16,
    timeout: 30,
    version: 4,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = (argv[i] ?? "").replace(/^--/, "");
    const value = argv[i + 1] ?? "";
    if (!(key in args)) throw new TypeError(`Unknown option "${argv[i]}"`);
    (args as unknown as Record<string, string | number>)[key] = key === "host" || key === "topic"
      ? value
      : Number(value);
  }
  return args;
}

async function publisher(client: MqttClient, args: Args): Promise<void> {
  out({ event: "connected" });
  const payload = new Uint8Array(args.size).fill(0x61);
  const options = { qos: args.qos };
  let completed = 0;
  let settled = 0;
  let allSettled!: () => void;
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  // One counter instead of an array of promises and Promise.all: settled counts failures too.
  const onDone = () => {
    completed++;
    if (++settled === args.count) allSettled();
  };
  const onFail = (error: unknown) => {
    console.error(error);
    if (++settled === args.count) allSettled();
  };
  const start = now();
  if (args.qos === 0) {
    // QoS 0 messages written together share one promise: await the last one only.
    for (let i = 0; i < args.count - 1; i++) client.publish(args.topic, payload);
    client.publish(args.topic, payload).then(() => {
      completed = args.count;
      allSettled();
    }, onFail);
  } else {
    for (let i = 0; i < args.count; i++) {
      client.publish(args.topic, payload, options).then(onDone, onFail);
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise((resolve) => (timer = setTimeout(resolve, args.timeout * 1000)));
  // QoS 0 settles when its bytes are handed to the transport; the contract counts "flushed to
  // the OS", so the clock stops once the connection is closed after its last write.
  const drained = done.then(() => args.qos === 0 ? client.disconnect() : undefined);
  await Promise.race([drained, giveUp]);
  clearTimeout(timer);
  const end = now();
  out({
    role: "pub",
    impl: "korero",
    msgs: args.count,
    completed,
    seconds: (end - start) / 1000,
    start_ts: start,
    end_ts: end,
  });
}

async function subscriber(client: MqttClient, args: Args): Promise<void> {
  let count = 0, bytes = 0, first = 0, last = 0;
  let lastActivity = now();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  client.onMessage = ({ message }) => {
    const t = now();
    if (count === 0) first = t;
    count++;
    bytes += message.payload.length;
    last = t;
    lastActivity = t;
    if (count === args.count) finish();
  };
  await client.subscribe(args.topic, { qos: args.qos });
  lastActivity = now();
  out({ event: "ready" });
  const idle = setInterval(() => {
    if (now() - lastActivity > args.timeout * 1000) finish();
  }, 100);
  await finished;
  clearInterval(idle);
  out({
    role: "sub",
    impl: "korero",
    msgs: count,
    bytes,
    seconds: count ? (last - first) / 1000 : 0,
    first_ts: first,
    last_ts: last,
  });
}

/**
 * The arguments, the process id and exit, from `Deno` on Deno (its `node:process` loads Deno's
 * Node compatibility layer, ~25 ms of CPU that the harness would count per message) and from the
 * global `process` elsewhere (Bun).
 */
interface Host {
  args: string[];
  pid: number;
  exit(code: number): never;
}
const runtime = globalThis as { Deno?: Host; process?: Omit<Host, "args"> & { argv: string[] } };
const host: Host = runtime.Deno ?? {
  args: runtime.process!.argv.slice(2),
  pid: runtime.process!.pid,
  exit: (code) => runtime.process!.exit(code),
};

async function main(): Promise<void> {
  const [role, ...rest] = host.args;
  if (role !== "pub" && role !== "sub") {
    console.error("usage: e2e_cli.ts pub|sub --host H --port P --topic T --qos Q --count N");
    host.exit(2);
  }
  const args = parseArgs(rest);
  const client = new MqttClient({
    host: args.host,
    port: args.port,
    protocolVersion: args.version,
    clientId: `korero-${role}-${host.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: true,
    keepalive: 60,
    reconnect: false,
    maxInflight: 65535,
    maxQueued: Math.max(args.count, 1),
    maxQueuedBytes: Math.max(args.count * args.size, 1),
    ...(args.version === 5 ? { properties: { receiveMaximum: 65535 } } : {}),
  });
  await client.connect();
  if (role === "pub") await publisher(client, args);
  else await subscriber(client, args);
  await client.disconnect(); // (a no-op when the QoS 0 publisher already disconnected)
}

await main();
