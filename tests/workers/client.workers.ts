/**
 * korero in Cloudflare Workers (workerd through miniflare, no `nodejs_compat`), against a real
 * Mosquitto: a worker with the default transport connects, subscribes, publishes at QoS 0, 1
 * and 2 and reports what came back, over TCP and TLS (`cloudflare:sockets`) and over ws://; a
 * workerd bundle holds no Deno, Bun or Node adapter; the lite client (`@korero/mqtt/lite`) does
 * the same round trip over ws://, its bundle holding no adapter but the global WebSocket's;
 * examples/worker.ts bundles and publishes.
 * Run by `.ci/test-workers` on Node ≥ 22.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { encodePacket, type Packet, PacketDecoder } from "../../src/codec/mod.ts";
import type { Received } from "./_client_worker.ts";
import type { ReadyLoopResult } from "../_helpers/ready_loop.ts";
import { BUILD_MODE, type Bundle, bundleWorker, startWorker, type Worker } from "./_workerd.ts";

/** Rejects naming `what` if `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks `worker` for `path`; resolves with the body, rejecting on a status other than 200. */
async function get(worker: Worker, path: string, what: string): Promise<string> {
  const response = await within(worker.dispatchFetch(`http://worker${path}`), what);
  const body = await response.text();
  assert.equal(response.status, 200, `${what} answered ${response.status}: ${body}`);
  return body;
}

/**
 * Adapter modules that must not be in a workerd bundle, by path: a source file, or in the npm
 * build a default transport or an adapter's chunk (named after its module: `chunks/deno-….js`).
 */
const FOREIGN =
  /(^|\/)transport\/(deno|bun|node|defaults\/(deno|bun|node|browser|detect))\.[mc]?[jt]s$|(^|\/)chunks\/(deno|bun|node)-\w+\.js$/;
const ADAPTER =
  /(^|\/)transport\/(cloudflare|defaults\/workerd)\.[mc]?[jt]s$|(^|\/)chunks\/cloudflare-\w+\.js$/;

let topicCount = 0;
function uniqueTopic(name: string): string {
  return `korero-workers/${name}/${Date.now()}-${topicCount++}`;
}

describe(`korero in workerd (${BUILD_MODE} build)`, () => {
  let broker: MosquittoBroker;
  let bundle: Bundle;
  let worker: Worker;
  let liteBundle: Bundle;
  let liteWorker: Worker;

  before(async () => {
    broker = await startMosquitto({ websockets: true, tls: true });
    [bundle, liteBundle] = await Promise.all([
      bundleWorker("tests/workers/_client_worker.ts"),
      bundleWorker("tests/workers/_lite_worker.ts"),
    ]);
    [worker, liteWorker] = await Promise.all([
      startWorker(bundle.code, { trustTestCa: true }),
      startWorker(liteBundle.code),
    ]);
  });
  after(async () => {
    await worker?.dispose();
    await liteWorker?.dispose();
    await broker?.stop();
  });

  function expected(topic: string): Received[] {
    return [0, 1, 2].map((qos) => ({
      topic: `${topic}/${qos}`,
      payload: `hello at QoS ${qos}`,
      qos,
    }));
  }

  for (const scheme of ["mqtt", "mqtts", "ws"] as const) {
    const over = { mqtt: "TCP", mqtts: "TLS", ws: "ws://" }[scheme];
    it(`connect() in a worker publishes and receives QoS 0, 1 and 2 over ${over}`, async () => {
      const topic = uniqueTopic(scheme);
      const url = encodeURIComponent(broker.url(scheme));
      const body = await get(worker, `/?url=${url}&topic=${topic}`, `the worker (${over})`);
      assert.deepEqual(JSON.parse(body), expected(topic));
    });
  }

  it("a ready() loop in a worker sends few WebSocket frames, also in two requests at once", async () => {
    const url = encodeURIComponent(broker.url("ws"));
    const count = 2000;
    const loops = await Promise.all(["one", "two"].map(async (name) => {
      const path = `/?url=${url}&topic=${uniqueTopic(`loop-${name}`)}&count=${count}`;
      return JSON.parse(
        await get(worker, path, `the worker's ready() loop ${name}`),
      ) as ReadyLoopResult;
    }));
    for (const { frames, resolved, received } of loops) {
      assert.equal(resolved, count);
      assert.equal(received, count);
      // One frame per message when each small write settled at once. (The two loops run in one
      // isolate, so each counts the other's frames too.)
      assert.ok(frames <= count / 5, `${frames} frames for ${count} messages`);
    }
  });

  it("LiteClient in a worker publishes and receives QoS 0, 1 and 2 over ws://", async () => {
    const topic = uniqueTopic("lite");
    const url = encodeURIComponent(broker.url("ws"));
    const body = await get(liteWorker, `/?url=${url}&topic=${topic}`, "the lite worker");
    assert.deepEqual(JSON.parse(body), expected(topic));
  });

  it("a workerd bundle of the lite client holds no Deno, Bun, Node or Workers adapter", () => {
    const { inputs, code } = liteBundle;
    assert.deepEqual(inputs.filter((path) => FOREIGN.test(path) || ADAPTER.test(path)), []);
    assert.ok(
      inputs.some((path) => /(^|\/)lite\/mod\.[jt]s$/.test(path)),
      `the lite entry is not in ${inputs}`,
    );
    for (const text of ["Deno.connect", "Bun.connect", "node:net", "cloudflare:sockets"]) {
      assert.ok(!code.includes(text), `the lite bundle mentions ${text}`);
    }
    console.log(`# the lite worker's bundle: ${code.length} bytes (not minified)`);
  });

  it("a workerd bundle of korero holds the Workers adapter and no Deno, Bun or Node one", () => {
    const inputs = bundle.inputs;
    assert.deepEqual(inputs.filter((path) => FOREIGN.test(path)), []);
    const adapters = inputs.filter((path) => ADAPTER.test(path));
    assert.equal(adapters.length, 2, `the Workers adapter and default are not both in ${inputs}`);
    for (const text of ["Deno.connect", "Bun.connect", "node:net", "node:tls"]) {
      assert.ok(!bundle.code.includes(text), `the bundle mentions ${text}`);
    }
  });
});

/** A bare MQTT 3.1.1 subscriber at QoS 0 on a plain socket: the PUBLISH packets it receives. */
async function subscriber(port: number, filter: string): Promise<{
  next(): Promise<Packet>;
  close(): void;
}> {
  const socket = net.connect(port, "127.0.0.1");
  const decoder = new PacketDecoder({ protocolVersion: 4 });
  const packets: Packet[] = [];
  let wake: (() => void) | undefined;
  socket.on("data", (chunk) => {
    packets.push(...decoder.push(new Uint8Array(chunk)));
    wake?.();
  });
  socket.on("error", () => {});
  const next = async () => {
    while (packets.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return packets.shift()!;
  };
  const connect: Packet = {
    type: "connect",
    protocolVersion: 4,
    clientId: "",
    clean: true,
    keepalive: 60,
  };
  socket.write(encodePacket(connect, 4));
  assert.equal((await within(next(), "CONNACK")).type, "connack");
  const subscriptions = [{ topicFilter: filter, qos: 0 as const }];
  socket.write(encodePacket({ type: "subscribe", packetId: 1, subscriptions }, 4));
  assert.equal((await within(next(), "SUBACK")).type, "suback");
  return { next, close: () => void socket.destroy() };
}

describe("examples/worker.ts in workerd", () => {
  let broker: MosquittoBroker;

  before(async () => {
    broker = await startMosquitto();
  });
  after(() => broker?.stop());

  it("examples/worker.ts bundles for workerd and publishes a POSTed body to the path's topic", async () => {
    const { code } = await bundleWorker("examples/worker.ts");
    const worker = await startWorker(code, {
      bindings: { MQTT_URL: `mqtt://127.0.0.1:${broker.port}` },
    });
    const topic = uniqueTopic("example");
    const sub = await subscriber(broker.port, topic);
    try {
      const response = await within(
        worker.dispatchFetch(`http://worker/${topic}`, { method: "POST", body: "21.5" }),
        "the example worker",
      );
      assert.equal(await response.text(), `published to ${topic}\n`);
      const message = await within(sub.next(), "the message");
      assert.equal(message.type, "publish");
      if (message.type !== "publish") return;
      assert.equal(message.topic, topic);
      assert.equal(new TextDecoder().decode(message.payload), "21.5");
    } finally {
      sub.close();
      await worker.dispose();
    }
  });
});
