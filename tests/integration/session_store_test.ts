/**
 * The session store against a real Mosquitto: a publisher killed with SIGKILL mid-burst and
 * started again with the same FileStore and client identifier sends every message whose
 * acceptance `persisted()` had confirmed (QoS 2: exactly once), and a client abandoned while its
 * messages wait unacknowledged is taken over by a new one with the same store.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { connect, FileStore, MemoryStore, type Message, MqttClient, type QoS } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { isBun, it, Recorder, TcpProxy, uniqueTopic, within } from "./_support.ts";

const PUBLISHER = fileURLToPath(new URL("./_store_publisher.ts", import.meta.url));
const running = new Set<ChildProcess>();
const dirs: string[] = [];

/** The publisher program on this runtime: its stdout lines and its exit. */
function publisher(args: (string | number)[]) {
  const runtime = isBun ? [] : ["run", "-A", "--no-check"];
  const child = spawn(process.execPath, [...runtime, PUBLISHER, ...args.map(String)], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const lines = new Recorder<string>();
  let buffered = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    const parts = (buffered + chunk).split("\n");
    buffered = parts.pop()!;
    for (const line of parts) lines.push(line);
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    })
  );
  return { child, lines, exited, stderr: () => stderr };
}

/** The highest `accepted N` among `lines`. */
function accepted(lines: readonly string[]): number {
  let most = 0;
  for (const line of lines) {
    const m = /^accepted (\d+)$/.exec(line);
    if (m) most = Math.max(most, Number(m[1]));
  }
  return most;
}

/** A korero subscriber with a persistent session that records every payload it receives. */
async function subscriber(broker: MosquittoBroker, topic: string, qos: QoS) {
  const received = new Recorder<string>();
  const client = new MqttClient({
    url: broker.url(),
    clientId: `sub-${topic.replaceAll("/", "-")}`,
    protocolVersion: 5,
  });
  client.onMessage = ({ message }: { message: Message }) =>
    received.push(new TextDecoder().decode(message.payload));
  await client.connect();
  await client.subscribe(topic, { qos });
  return { client, received };
}

describe("Session store with Mosquitto", () => {
  let broker: MosquittoBroker;
  before(async () => {
    broker = await startMosquitto({ verboseLog: false });
  });
  after(async () => {
    for (const child of running) child.kill("SIGKILL");
    await broker?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const qos of [1, 2] as const) {
    it(`a publisher SIGKILLed mid-burst and restarted with its FileStore delivers every accepted QoS ${qos} message${qos === 2 ? " exactly once" : ""}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "korero-crash-"));
      dirs.push(dir);
      const topic = uniqueTopic(`crash${qos}`);
      const clientId = `crash-pub-${qos}-${Date.now() % 100000}`;
      const sub = await subscriber(broker, topic, qos);
      try {
        const total = 50_000;
        const first = publisher([broker.url(), dir, clientId, topic, qos, total]);
        await first.lines.until((l) => accepted(l) >= 1000, "1,000 accepted publishes", 20_000)
          .catch((e) => assert.fail(`${e.message}\n${first.stderr()}`));
        first.child.kill("SIGKILL");
        await within(first.exited, "the killed publisher to exit");
        const confirmed = accepted(first.lines.items);
        assert.ok(confirmed >= 1000 && confirmed < total, `killed after ${confirmed} of ${total}`);

        const second = publisher([broker.url(), dir, clientId, topic, qos, 0]);
        await second.lines.until((l) => l.includes("connected"), "the restarted publisher", 20_000)
          .catch((e) => assert.fail(`${e.message}\n${second.stderr()}`));
        const want = new Set(Array.from({ length: confirmed }, (_, i) => String(i)));
        await sub.received.until(
          (items) => [...want].every((p) => items.includes(p)),
          `all ${confirmed} confirmed messages`,
          30_000,
        ).catch(() => {
          const have = new Set(sub.received.items);
          const missing = [...want].filter((p) => !have.has(p));
          assert.fail(
            `${missing.length} of ${confirmed} confirmed messages lost, e.g. ${
              missing.slice(0, 10)
            }`,
          );
        });
        second.child.kill("SIGKILL");
        await within(second.exited, "the second publisher to exit");
        if (qos === 2) {
          const seen = new Set<string>();
          const duplicates = sub.received.items.filter((p) => seen.has(p) || !seen.add(p));
          assert.deepEqual(duplicates, [], "QoS 2 delivered more than once");
        }
      } finally {
        await sub.client.disconnect();
      }
    });
  }

  it("messages a dead program had in flight when the broker lost them too are published again by the next one", async () => {
    // Its own broker, without persistence: killed, it forgets every session and message.
    const lossy = await startMosquitto({ verboseLog: false });
    const proxy = await TcpProxy.start("127.0.0.1", lossy.port);
    const dir = mkdtempSync(join(tmpdir(), "korero-takeover-"));
    dirs.push(dir);
    const topic = uniqueTopic("takeover");
    const options = {
      clientId: `takeover-${Date.now() % 100000}`,
      clean: false,
      protocolVersion: 5 as const,
      properties: { sessionExpiryInterval: 600 },
      reconnect: false as const,
    };
    try {
      const first = await connect(`mqtt://127.0.0.1:${proxy.port}`, {
        ...options,
        store: new FileStore(dir),
      });
      const closed = new Promise<void>((resolve) => (first.onDisconnect = () => resolve()));
      proxy.stall(); // the PUBACKs never come back
      for (let i = 0; i < 20; i++) first.publish(topic, String(i), { qos: 1 }).catch(() => {});
      await first.persisted();
      await lossy.kill(); // the broker dies with them; so does the first program's connection
      proxy.sever();
      await within(closed, "the first client to lose its connection");

      await lossy.restart();
      const received = new Recorder<string>();
      const sub = await connect(lossy.url(), { clientId: `${options.clientId}-sub` });
      sub.onMessage = ({ message }) => received.push(new TextDecoder().decode(message.payload));
      await sub.subscribe(topic, { qos: 1 });
      // A new program: a new store object on the same directory, the same client identifier.
      const second = await connect(lossy.url(), { ...options, store: new FileStore(dir) });
      await received.until((items) => new Set(items).size >= 20, "20 messages").catch(() =>
        assert.fail(`received ${received.items.length} of 20`)
      );
      assert.deepEqual(
        [...new Set(received.items)].sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      await second.disconnect();
      await sub.disconnect();
    } finally {
      await proxy.close();
      await lossy.stop();
    }
  });

  it("a store needs a client identifier; a store that cannot load fails the calls that wait for it", async () => {
    assert.throws(
      () => new MqttClient({ url: broker.url(), store: new MemoryStore() }),
      /options\.store needs options\.clientId/,
    );
    const broken = {
      load: () => Promise.reject(new Error("disk on fire")),
      save: () => {},
      close: () => {},
    };
    const client = new MqttClient({ url: broker.url(), clientId: "broken-store", store: broken });
    await assert.rejects(client.connect(), /session store could not be loaded: disk on fire/);
    await assert.rejects(client.publish("x", "y", { qos: 1 }), /disk on fire/);
    await assert.rejects(client.persisted(), /disk on fire/);
    const bad = new FileStore(mkdtempSync(join(tmpdir(), "korero-bad-")));
    assert.ok(bad instanceof FileStore);
  });
});
