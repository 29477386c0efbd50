/**
 * The lite client (`@korero/mqtt/lite`) through a real Mosquitto over `ws://`, as a user would
 * use it, on MQTT 3.1.1 and 5.0: round trips at QoS 0/1/2, `messages()` streams, queuing before
 * `connect()`, MQTT 5 properties, subscribe/publish refusals, authentication, argument checks,
 * connection loss and reconnect, session resumption, keepalive, slow consumers, `disconnect()`,
 * `await using`, abort signals, `maxQueued`, manual acknowledgement, and the broker's limits
 * (Receive Maximum, Maximum QoS, Retain Available).
 *
 * Refusals come from Mosquitto's dynamic security plugin (its `acl_file` never refuses a
 * SUBSCRIBE): a role denies subscribing to `secret/#` and publishing to `forbidden/#`. A
 * {@link TcpProxy} in front of the WebSocket listener severs or stalls connections.
 */

import { after, before, describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connect,
  ConnectionClosedError,
  ConnectionRefusedError,
  LiteClient,
  type LiteOptions,
  type Message,
  MqttError,
  type QoS,
  QueueFullError,
  TimeoutError,
} from "../../src/lite/mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import { it, pattern, TcpProxy, text, uniqueTopic, within } from "../integration/_support.ts";
import {
  ends,
  type LiteEvent,
  LitePool,
  type LiteTestClient,
  nextMessages,
  occurrences,
} from "./_lite.ts";

const DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

/** Anonymous clients may do anything except subscribe to secret/# and publish to forbidden/#. */
const DYNSEC_CONFIG = {
  defaultACLAccess: {
    publishClientSend: true,
    publishClientReceive: true,
    subscribe: true,
    unsubscribe: true,
  },
  clients: [],
  groups: [{ groupname: "anonymous", roles: [{ rolename: "limited" }] }],
  anonymousGroup: "anonymous",
  roles: [{
    rolename: "limited",
    acls: [
      { acltype: "subscribePattern", topic: "secret/#", priority: 0, allow: false },
      { acltype: "publishClientSend", topic: "forbidden/#", priority: 0, allow: false },
    ],
  }],
};

const VERSIONS = [4, 5] as const;
const label = (v: 4 | 5) => (v === 5 ? "MQTT 5" : "MQTT 3.1.1");
/** Quick reconnects, so the loss tests take well under a second to come back. */
const FAST = { reconnect: { minDelay: 50, maxDelay: 200 } } as const;
const isDisconnect = (e: LiteEvent) => e.kind === "disconnect";
const isReconnect = (e: LiteEvent) => e.kind === "connect" && e.reconnect;

/** Options of a client that keeps its session (for a minute on MQTT 5). */
function persistent(protocolVersion: 4 | 5, clientId: string): LiteOptions {
  return {
    protocolVersion,
    clientId,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
  };
}

/** The error `promise` rejects with (fails when it resolves). */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return await within(promise, what).then(
    () => assert.fail(`${what} resolved`),
    (error: unknown) => error,
  );
}

let ids = 0;
const clientId = (name: string) => `lite-${name}-${++ids}-${Date.now() % 100000}`;

describe("LiteClient through Mosquitto over ws://", () => {
  let broker: MosquittoBroker;
  let proxy: TcpProxy;
  let dir: string;
  let url: string;
  let proxied: string;
  const pool = new LitePool();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-lite-"));
    writeFileSync(join(dir, "dynsec.json"), JSON.stringify(DYNSEC_CONFIG));
    broker = await startMosquitto({
      websockets: true,
      extraConfig: [
        `plugin ${DYNSEC_PLUGIN}`,
        `plugin_opt_config_file ${join(dir, "dynsec.json")}`,
      ],
    });
    proxy = await TcpProxy.start(broker.host, broker.wsPort);
    url = `ws://${broker.host}:${broker.wsPort}`;
    proxied = `ws://127.0.0.1:${proxy.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await proxy?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Publishes a fence on `topic` from `publisher` and waits for `receiver` to get it: nothing
   * sent before it is still on its way. Resolves with every payload received so far, as text. */
  async function fence(
    publisher: LiteClient,
    receiver: LiteTestClient,
    topic: string,
  ): Promise<string[]> {
    const from = receiver.inbox.items.length;
    await within(publisher.publish(topic, "fence", { qos: 1 }), "the fence's PUBACK");
    await receiver.inbox.find((m) => text(m.payload) === "fence", `the fence on ${topic}`, from);
    return receiver.inbox.items.map((m) => text(m.payload));
  }

  for (const protocolVersion of VERSIONS) {
    const v = label(protocolVersion);
    const base = { protocolVersion } as const;

    it(`round-trips QoS 0, 1 and 2 with exact payload bytes (${v})`, async () => {
      const topic = uniqueTopic(`lite-qos-v${protocolVersion}`);
      const { client, inbox } = await pool.open(url, base);
      assert.equal(client.connected, true);
      assert.match(client.clientId, /^korero-[0-9a-z]{12}$/);
      const granted = await client.subscribe(topic, { qos: 2 });
      assert.deepEqual(granted.reasonCodes, [2]);
      const payloads = ([0, 1, 2] as QoS[]).map((qos) => pattern(300 + qos, qos * 7));
      const results = await Promise.all(
        ([0, 1, 2] as QoS[]).map((qos) => client.publish(topic, payloads[qos], { qos })),
      );
      assert.equal(results[0]!.mid, 0);
      assert.ok(results[1]!.mid > 0 && results[2]!.mid > 0, "QoS 1/2 get packet identifiers");
      assert.deepEqual(results.map((r) => r.reasonCode), [0, 0, 0]);
      const messages = [...await inbox.count(3, "the three messages")].sort((a, b) =>
        a.qos - b.qos
      );
      assert.deepEqual(messages.map((m) => [m.topic, m.qos, m.retain]), [
        [topic, 0, false],
        [topic, 1, false],
        [topic, 2, false],
      ]);
      messages.forEach((m, qos) => assert.deepEqual(m.payload, payloads[qos]));
    });

    it(`delivers a retained message with the retain flag to a later subscriber (${v})`, async () => {
      const topic = uniqueTopic(`lite-retained-v${protocolVersion}`);
      const { client: publisher } = await pool.open(url, base);
      await publisher.publish(topic, new Uint8Array([0, 255, 1]), { qos: 1, retain: true });
      const { client, inbox } = await pool.open(url, base);
      await client.subscribe(topic, { qos: 1 });
      const [message] = await inbox.count(1, "the retained message");
      assert.equal(message!.retain, true);
      assert.equal(message!.qos, 1);
      assert.deepEqual(message!.payload, new Uint8Array([0, 255, 1]));
      // Live messages are not flagged retained.
      await publisher.publish(topic, "live", { qos: 1 });
      const live = await inbox.find((m) => text(m.payload) === "live", "the live message");
      assert.equal(live.retain, false);
      await publisher.publish(topic, "", { qos: 1, retain: true }); // clears it
    });

    it(`messages(filter) gives each stream the topics its wildcard filter matches (${v})`, async () => {
      const root = uniqueTopic(`lite-streams-v${protocolVersion}`);
      const { client } = await pool.open(url, base);
      const plus = client.messages(`${root}/+/temp`);
      const hash = client.messages(`${root}/#`);
      const exact = client.messages(`${root}/kitchen/temp`);
      const all = client.messages();
      await client.subscribe(`${root}/#`, { qos: 1 });
      for (const topic of ["kitchen/temp", "hall/temp", "kitchen/humidity", "hall/temp/raw"]) {
        await client.publish(`${root}/${topic}`, topic, { qos: 1 });
      }
      const payloads = async (stream: AsyncIterator<Message>, n: number, what: string) =>
        (await nextMessages(stream, n, what)).map((m) => text(m.payload));
      assert.deepEqual(await payloads(plus, 2, "+/temp"), ["kitchen/temp", "hall/temp"]);
      assert.deepEqual(await payloads(exact, 1, "kitchen/temp"), ["kitchen/temp"]);
      assert.deepEqual(await payloads(hash, 4, "#"), [
        "kitchen/temp",
        "hall/temp",
        "kitchen/humidity",
        "hall/temp/raw",
      ]);
      assert.deepEqual(await payloads(all, 4, "all"), [
        "kitchen/temp",
        "hall/temp",
        "kitchen/humidity",
        "hall/temp/raw",
      ]);
      await client.disconnect();
      // disconnect() ends every stream; what was buffered is read first.
      assert.equal(await ends(plus, "+/temp to end"), true);
      assert.equal(await ends(exact, "kitchen/temp to end"), true);
    });

    it(`queues a QoS 1 publish made before connect() and delivers it after (${v})`, async () => {
      const topic = uniqueTopic(`lite-early-v${protocolVersion}`);
      const receiver = await pool.open(url, base);
      await receiver.client.subscribe(topic, { qos: 1 });
      const { client } = pool.create(url, base);
      const early = client.publish(topic, "early", { qos: 1 });
      const error = await rejection(client.publish(topic, "qos0", { qos: 0 }), "QoS 0 offline");
      assert.ok(error instanceof ConnectionClosedError, `QoS 0 offline: ${error}`);
      await within(client.connect(), "connect");
      const result = await within(early, "the early publish's PUBACK");
      assert.equal(result.reasonCode, 0);
      assert.deepEqual(await fence(client, receiver, topic), ["early", "fence"]);
    });

    it(`subscribe resolves per-filter reason codes, a refused filter among them (${v})`, async () => {
      const { client } = await pool.open(url, base);
      const root = uniqueTopic(`lite-suback-v${protocolVersion}`);
      const result = await client.subscribe([
        `${root}/zero`,
        { topicFilter: `${root}/one`, qos: 1 },
        { topicFilter: "secret/plans", qos: 1 },
        { topicFilter: `${root}/two`, qos: 2 },
      ]);
      assert.deepEqual(result.reasonCodes, [0, 1, protocolVersion === 5 ? 0x87 : 0x80, 2]);
      assert.ok(result.mid > 0);
      assert.equal(client.connected, true, "a refused filter does not end the connection");
    });

    it(`unsubscribe stops the deliveries of that filter only (${v})`, async () => {
      const root = uniqueTopic(`lite-unsub-v${protocolVersion}`);
      const sub = await pool.open(url, base);
      await sub.client.subscribe([`${root}/a`, `${root}/b`], { qos: 1 });
      const result = await within(sub.client.unsubscribe(`${root}/a`), "the UNSUBACK");
      assert.ok(result.mid > 0);
      // MQTT 3.1.1's UNSUBACK has no reason codes: 0 per filter, as the full client reports.
      assert.deepEqual(result.reasonCodes, [0]);
      if (protocolVersion === 5) {
        const none = await sub.client.unsubscribe([`${root}/never`]);
        assert.deepEqual(none.reasonCodes, [0x11], "No subscription existed");
      }
      await sub.client.publish(`${root}/a`, "after unsubscribe", { qos: 1 });
      assert.deepEqual(await fence(sub.client, sub, `${root}/b`), ["fence"]);
    });

    it(`a lost connection reconnects and delivers QoS 1 messages published meanwhile (${v})`, async () => {
      const topic = uniqueTopic(`lite-lost-v${protocolVersion}`);
      const receiver = await pool.open(url, base);
      await receiver.client.subscribe(topic, { qos: 1 });
      const sender = await pool.open(proxied, { ...base, ...FAST });
      sender.events.items.length = 0;
      proxy.refuse(true);
      proxy.sever();
      const lost = await sender.events.find(isDisconnect, "onDisconnect");
      assert.ok(lost.kind === "disconnect");
      assert.equal(lost.willReconnect, true);
      assert.ok(lost.error instanceof ConnectionClosedError, `${lost.error}`);
      assert.equal(sender.client.connected, false);
      // Published while offline: queued, sent after the reconnect.
      const offline = [1, 2, 3].map((i) =>
        sender.client.publish(topic, `offline ${i}`, { qos: 1 })
      );
      proxy.refuse(false);
      const back = await sender.events.find(isReconnect, "the reconnect");
      assert.ok(back.kind === "connect" && back.sessionPresent === false);
      assert.equal(sender.client.connected, true);
      await within(Promise.all(offline), "the offline publishes' PUBACKs");
      assert.deepEqual(await fence(sender.client, receiver, topic), [
        "offline 1",
        "offline 2",
        "offline 3",
        "fence",
      ]);
    });

    it(`clean: false resumes the session: QoS 1/2 messages queued while offline arrive (${v})`, async () => {
      const topic = uniqueTopic(`lite-session-v${protocolVersion}`);
      const id = clientId(`session-v${protocolVersion}`);
      const first = await pool.open(url, persistent(protocolVersion, id));
      assert.deepEqual((await first.client.subscribe(topic, { qos: 2 })).reasonCodes, [2]);
      await first.client.disconnect();
      const { client: publisher } = await pool.open(url, base);
      await publisher.publish(topic, "while away 1", { qos: 1 });
      await publisher.publish(topic, "while away 2", { qos: 2 });
      const again = pool.create(url, persistent(protocolVersion, id));
      const stream = again.client.messages(topic);
      const connack = await within(again.client.connect(), "the resumed connect");
      assert.equal(connack.sessionPresent, true);
      const messages = await nextMessages(stream, 2, "the queued messages");
      assert.deepEqual(messages.map((m) => [text(m.payload), m.qos]), [
        ["while away 1", 1],
        ["while away 2", 2],
      ]);
      // Subscribed still, without subscribing again.
      await publisher.publish(topic, "live", { qos: 1 });
      assert.equal(text((await nextMessages(stream, 1, "the live message"))[0]!.payload), "live");
      await again.client.disconnect();
      // Clean up the session: a clean connect with the same id discards it.
      const cleanup = await pool.open(url, { ...base, clientId: id });
      await cleanup.client.disconnect();
    });

    it(`resubscribes after a reconnect that found no session (${v})`, async () => {
      const topic = uniqueTopic(`lite-resub-v${protocolVersion}`);
      const sub = await pool.open(proxied, { ...base, ...FAST });
      await sub.client.subscribe(topic, { qos: 1 });
      sub.events.items.length = 0;
      proxy.sever();
      const back = await sub.events.find(isReconnect, "the reconnect");
      assert.ok(back.kind === "connect" && back.sessionPresent === false);
      // The SUBSCRIBE went before this PUBLISH on the same connection: the broker has it.
      await sub.client.publish(topic, "own", { qos: 1 });
      const { client: publisher } = await pool.open(url, base);
      await publisher.publish(topic, "other", { qos: 1 });
      const got = await sub.inbox.count(2, "both messages after the resubscribe");
      assert.deepEqual(got.map((m) => text(m.payload)).sort(), ["other", "own"]);
    });

    it(`keepalive detects a stalled connection (no PINGRESP) and reconnects (${v})`, async () => {
      const sub = await pool.open(proxied, { ...base, keepalive: 1, ...FAST });
      sub.events.items.length = 0;
      const stalledAt = performance.now();
      proxy.stall();
      try {
        const lost = await sub.events.find(isDisconnect, "the keepalive to give up", 0, 9_000);
        assert.ok(lost.kind === "disconnect");
        // ~2 s expected (a PINGREQ after 1 s idle, 1 s for its PINGRESP); a loaded CI machine
        // may add some: the bound only shows it is the keepalive, not something much later.
        const elapsed = lost.at - stalledAt;
        assert.ok(elapsed <= 6_000, `lost after ${Math.round(elapsed)} ms (keepalive 1 s)`);
        assert.ok(lost.error instanceof TimeoutError, `${lost.error}`);
        assert.equal(lost.reasonCode, 0x8d);
        assert.equal(lost.willReconnect, true);
      } finally {
        proxy.resume();
      }
      await sub.events.find(isReconnect, "the reconnect");
      assert.equal(sub.client.connected, true);
    });

    it(`a slow messages() consumer loses no QoS 1 message: 200 arrive in order (${v})`, async () => {
      const topic = uniqueTopic(`lite-slow-v${protocolVersion}`);
      const sub = await pool.open(url, {
        ...base,
        ...(protocolVersion === 5 ? { properties: { receiveMaximum: 5 } } : {}),
      });
      const stream = sub.client.messages(topic, { buffer: 10 });
      await sub.client.subscribe(topic, { qos: 1 });
      const { client: publisher } = await pool.open(url, base);
      const sent = Array.from(
        { length: 200 },
        (_, i) => publisher.publish(topic, `${i}`, { qos: 1 }),
      );
      const got: string[] = [];
      const consume = (async () => {
        for await (const message of stream) {
          got.push(text(message.payload));
          assert.equal(message.qos, 1);
          if (got.length % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
          if (got.length === 200) break;
        }
      })();
      await within(Promise.all(sent), "the 200 PUBACKs", 20_000);
      await within(consume, `the 200 messages (have ${got.length})`, 20_000);
      assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => `${i}`));
      assert.equal(stream.dropped, 0);
    });

    it(`disconnect() rejects queued and unanswered publishes and ends the streams (${v})`, async () => {
      const topic = uniqueTopic(`lite-disconnect-v${protocolVersion}`);
      // Never connected: the publish waits in the queue.
      const idle = pool.create(url, base);
      const queued = idle.client.publish(topic, "queued", { qos: 1 });
      const idleStream = idle.client.messages();
      const waiting = idleStream.next();
      await idle.client.disconnect();
      const error = await rejection(queued, "the queued publish");
      assert.ok(error instanceof ConnectionClosedError, `${error}`);
      assert.equal((await within(waiting, "the stream to end")).done, true);

      // Connected, the broker's answers held: the publish is sent and never acknowledged.
      const sub = await pool.open(proxied, { ...base, reconnect: false });
      const stream = sub.client.messages();
      proxy.stall();
      try {
        const unanswered = sub.client.publish(topic, "unanswered", { qos: 2 });
        const subscribing = sub.client.subscribe(topic, { qos: 1 });
        await within(sub.client.disconnect(), "disconnect()");
        for (const pending of [unanswered, subscribing]) {
          const closed = await rejection(pending, "the unanswered operation");
          assert.ok(closed instanceof ConnectionClosedError, `${closed}`);
        }
      } finally {
        proxy.resume();
      }
      assert.equal(await ends(stream, "the stream to end"), true);
      const last = await sub.events.find(isDisconnect, "onDisconnect");
      assert.ok(last.kind === "disconnect" && last.willReconnect === false);
      assert.equal(sub.client.connected, false);
    });

    it(`await using disconnects at the end of the scope (${v})`, async () => {
      let kept: LiteClient | undefined;
      let stream: AsyncIterator<Message> | undefined;
      {
        await using client = await within(connect(url, base), "connect()");
        pool.track(client);
        kept = client;
        stream = client.messages();
        assert.equal(client.connected, true);
      }
      assert.equal(kept.connected, false);
      assert.equal(await ends(stream, "the stream to end"), true);
    });

    it(`aborting a queued publish removes it; the others still go (${v})`, async () => {
      const topic = uniqueTopic(`lite-abort-v${protocolVersion}`);
      const receiver = await pool.open(url, base);
      await receiver.client.subscribe(topic, { qos: 1 });
      const { client } = pool.create(url, base);
      const controller = new AbortController();
      const kept1 = client.publish(topic, "kept 1", { qos: 1 });
      const aborted = client.publish(topic, "aborted", { qos: 1, signal: controller.signal });
      const kept2 = client.publish(topic, "kept 2", { qos: 2 });
      const reason = new Error("not any more");
      controller.abort(reason);
      assert.equal(await rejection(aborted, "the aborted publish"), reason);
      const already = new AbortController();
      already.abort(reason);
      assert.equal(
        await rejection(
          client.publish(topic, "x", { qos: 1, signal: already.signal }),
          "pre-aborted",
        ),
        reason,
      );
      await within(client.connect(), "connect");
      await within(Promise.all([kept1, kept2]), "the kept publishes");
      assert.deepEqual(await fence(client, receiver, topic), ["kept 1", "kept 2", "fence"]);
    });

    it(`maxQueued: one more queued publish rejects with QueueFullError (${v})`, async () => {
      const topic = uniqueTopic(`lite-full-v${protocolVersion}`);
      const receiver = await pool.open(url, base);
      await receiver.client.subscribe(topic, { qos: 1 });
      const { client } = pool.create(url, { ...base, maxQueued: 2 });
      const queued = [
        client.publish(topic, "q1", { qos: 1 }),
        client.publish(topic, "q2", { qos: 2 }),
      ];
      const error = await rejection(client.publish(topic, "q3", { qos: 1 }), "the third publish");
      assert.ok(error instanceof QueueFullError, `${error}`);
      await within(client.connect(), "connect");
      await within(Promise.all(queued), "the queued publishes");
      assert.deepEqual(await fence(client, receiver, topic), ["q1", "q2", "fence"]);
    });

    it(`a QoS 2 message is delivered exactly once when the connection drops before PUBREL (${v})`, async () => {
      const topic = uniqueTopic(`lite-once-v${protocolVersion}`);
      const id = clientId(`once-v${protocolVersion}`);
      const sub = pool.create(proxied, { ...persistent(protocolVersion, id), ...FAST });
      // The broker's answer to our PUBREC (its PUBREL) is held from the moment the message is seen.
      sub.client.onMessage = ({ message }) => {
        if (text(message.payload) === "once") proxy.stall();
        sub.inbox.push(message);
      };
      await within(sub.client.connect(), "connect");
      await sub.client.subscribe(topic, { qos: 2 });
      const { client: publisher } = await pool.open(url, base);
      const mark = broker.logMark();
      await publisher.publish(topic, "once", { qos: 2 });
      try {
        await broker.waitForLog(new RegExp(`Sending PUBREL to ${id}`), { since: mark });
      } finally {
        proxy.sever();
        proxy.resume();
      }
      const back = await sub.events.find(isReconnect, "the reconnect");
      assert.ok(back.kind === "connect" && back.sessionPresent === true);
      await broker.waitForLog(new RegExp(`Received PUBCOMP from ${id}`), { since: mark });
      assert.deepEqual(await fence(publisher, sub, topic), ["once", "fence"]);
      await sub.client.disconnect();
      await (await pool.open(url, { ...base, clientId: id })).client.disconnect();
    });

    it(`subscribe() before connect() is sent once connected; connect() works again after disconnect() (${v})`, async () => {
      const topic = uniqueTopic(`lite-early-sub-v${protocolVersion}`);
      const sub = pool.create(url, base);
      const subscribing = sub.client.subscribe(topic, { qos: 1 });
      await within(sub.client.connect(), "connect");
      assert.deepEqual((await within(subscribing, "the SUBACK")).reasonCodes, [1]);
      assert.deepEqual(await fence(sub.client, sub, topic), ["fence"]);
      await sub.client.disconnect();
      assert.equal(sub.client.connected, false);
      const connack = await within(sub.client.connect(), "connect() again");
      assert.equal(connack.reasonCode, 0);
      assert.equal(sub.client.connected, true);
      // A clean start: the subscription is gone until made again.
      await sub.client.subscribe(topic, { qos: 1 });
      assert.deepEqual(await fence(sub.client, sub, topic), ["fence", "fence"]);
    });

    it(`a stalled handshake rejects connect() with TimeoutError after connectTimeout (${v})`, async () => {
      const { client, events } = pool.create(proxied, { ...base, connectTimeout: 300 });
      proxy.stall();
      try {
        const started = performance.now();
        const error = await rejection(client.connect(), "the stalled connect");
        assert.ok(error instanceof TimeoutError, `${error}`);
        assert.ok(performance.now() - started >= 290, "not before connectTimeout");
      } finally {
        proxy.resume();
      }
      assert.deepEqual(events.items, []);
      assert.equal(client.connected, false);
    });

    it(`disconnect() while reconnecting stops it and rejects what waits (${v})`, async () => {
      const sub = await pool.open(proxied, {
        ...base,
        reconnect: { minDelay: 60_000, maxDelay: 60_000 },
      });
      const stream = sub.client.messages();
      proxy.sever();
      const lost = await sub.events.find(isDisconnect, "onDisconnect");
      assert.ok(lost.kind === "disconnect" && lost.willReconnect === true);
      const waiting = sub.client.publish(uniqueTopic("lite-waiting"), "w", { qos: 1 });
      await within(sub.client.disconnect(), "disconnect()");
      const error = await rejection(waiting, "the waiting publish");
      assert.ok(error instanceof ConnectionClosedError, `${error}`);
      assert.equal(await ends(stream, "the stream to end"), true);
      assert.equal(sub.events.items.filter(isDisconnect).length, 1, "one onDisconnect");
    });

    it(`messages({ signal }) ends that stream when the signal aborts, the others go on (${v})`, async () => {
      const topic = uniqueTopic(`lite-stream-signal-v${protocolVersion}`);
      const sub = await pool.open(url, base);
      const controller = new AbortController();
      const stopped = sub.client.messages(topic, { signal: controller.signal });
      const kept = sub.client.messages(topic);
      await sub.client.subscribe(topic, { qos: 1 });
      const pending = stopped.next();
      controller.abort();
      assert.equal((await within(pending, "the aborted stream to end")).done, true);
      await sub.client.publish(topic, "after", { qos: 1 });
      const [message] = await nextMessages(kept, 1, "the other stream");
      assert.equal(text(message!.payload), "after");
    });

    it(`bad arguments reject with TypeError/RangeError before anything is sent (${v})`, async () => {
      const sub = await pool.open(proxied, base);
      const before = proxy.bytesUp;
      // Each call is made only when its turn comes, so one that wrongly resolves fails alone.
      const bad: [() => Promise<unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
        [() => sub.client.publish("a/+/b", "x"), RangeError, /wildcard|\+/i],
        [() => sub.client.publish("a/#", "x", { qos: 1 }), RangeError, /wildcard|#/i],
        [() => sub.client.publish("", "x"), RangeError, /topic/i],
        [() => sub.client.publish("a", "x", { qos: 3 as QoS }), RangeError, /qos/],
        [() => sub.client.publish("a", {} as unknown as string), TypeError, /payload/],
        [() => sub.client.publish("a", Number.NaN), RangeError, /payload/],
        [() => sub.client.subscribe("a/#/b"), RangeError, /filter/],
        [() => sub.client.subscribe("a", { qos: -1 as QoS }), RangeError, /qos/],
        [() => sub.client.subscribe([]), RangeError, /at least one/],
        [() => sub.client.unsubscribe([]), RangeError, /at least one/],
        [() => sub.client.unsubscribe("a/#/b"), RangeError, /filter/],
      ];
      for (const [call, kind, message] of bad) {
        const error = await rejection(call(), `${call}`);
        assert.ok(error instanceof kind, `${error} is a ${kind.name}`);
        assert.match((error as Error).message, message);
      }
      assert.throws(() => sub.client.messages("a/#/b"), RangeError);
      assert.throws(() => sub.client.messages("a", { buffer: 0 }), RangeError);
      await assert.rejects(sub.client.disconnect({ reasonCode: 256 }), RangeError);
      assert.equal(proxy.bytesUp, before, "nothing was sent");
      assert.equal(sub.client.connected, true);
    });
  }

  nodeIt("options are checked in the constructor, naming the option and never the password", () => {
    const host = `${broker.host}:${broker.wsPort}`;
    const attempts: [() => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      [
        () => new LiteClient({ url: `mqtt://user:secret@${host}` }),
        RangeError,
        /ws:\/\/ or wss:\/\//,
      ],
      [() => new LiteClient({ url: `mqtts://user:secret@${host}` }), RangeError, /@korero\/mqtt/],
      [
        () => new LiteClient({ url: `tcp://user:secret@${host}` }),
        RangeError,
        /url|scheme|protocol/i,
      ],
      [() => new LiteClient({ url, keepalive: -1 }), RangeError, /options\.keepalive/],
      [() => new LiteClient({ url, keepalive: 65_536 }), RangeError, /options\.keepalive/],
      [() => new LiteClient({ url, protocolVersion: 3 as 4 }), RangeError, /protocolVersion/],
      [() => new LiteClient({ url, clientId: 7 as unknown as string }), TypeError, /clientId/],
      [() => new LiteClient({ url, clientId: "", clean: false }), RangeError, /clientId/],
      [() => new LiteClient({ url, maxQueued: -1 }), RangeError, /maxQueued/],
      [
        () => new LiteClient({ url, reconnect: { minDelay: 10, maxDelay: 5 } }),
        RangeError,
        /maxDelay/,
      ],
      [() => new LiteClient({ url, will: { topic: "w/+" } }), RangeError, /will\.topic/],
    ];
    for (const [attempt, kind, message] of attempts) {
      assert.throws(attempt, (error: unknown) => {
        assert.ok(error instanceof kind, `${error} is a ${kind.name}`);
        assert.match((error as Error).message, message);
        assert.doesNotMatch((error as Error).message, /secret/);
        return true;
      });
    }
    // A minDelay above the default maxDelay raises it, as on MqttClient (no error for a bound
    // the caller did not set).
    assert.doesNotThrow(() => new LiteClient({ url, reconnect: { minDelay: 200_000 } }));
  });

  it("a failed first connect() names the URL without its password and is not retried", async () => {
    const port = await freePort();
    const client = new LiteClient({ url: `ws://user:secret@127.0.0.1:${port}`, ...FAST });
    const events: string[] = [];
    client.onConnect = () => events.push("connect");
    client.onDisconnect = () => events.push("disconnect");
    const error = await rejection(client.connect(), "connect() to a closed port");
    assert.ok(error instanceof MqttError, `${error}`); // WebSocketError: the handshake failed
    assert.match((error as Error).message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(String(error), /secret/);
    assert.doesNotMatch(String((error as Error).cause ?? ""), /secret/);
    assert.deepEqual(events, [], "no connection events for an attempt that never connected");
    assert.equal(client.connected, false);
    await client.disconnect();
  });

  describe("MQTT 5 only", () => {
    const v5 = { protocolVersion: 5 } as const;

    it("publish carries message properties through the broker", async () => {
      const topic = uniqueTopic("lite-props");
      const replies = uniqueTopic("lite-replies");
      const sub = await pool.open(url, v5);
      await sub.client.subscribe(topic, { qos: 1 });
      const correlationData = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
      await sub.client.publish(topic, '{"ask":1}', {
        qos: 1,
        properties: {
          contentType: "application/json",
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
          responseTopic: replies,
          correlationData,
          userProperties: [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]],
        },
      });
      const [message] = await sub.inbox.count(1, "the message");
      const p = message!.properties ?? {};
      assert.equal(p.contentType, "application/json");
      assert.equal(p.payloadFormatIndicator, true);
      assert.ok(p.messageExpiryInterval !== undefined && p.messageExpiryInterval <= 60);
      assert.ok(p.messageExpiryInterval > 50, `${p.messageExpiryInterval}`);
      assert.equal(p.responseTopic, replies);
      assert.deepEqual(p.correlationData, correlationData);
      assert.deepEqual(p.userProperties, [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]]);
    });

    it("a publish the broker refuses rejects with MqttError 0x87 (QoS 1 and 2)", async () => {
      const { client } = await pool.open(url, v5);
      for (const qos of [1, 2] as QoS[]) {
        const error = await rejection(
          client.publish(`forbidden/${uniqueTopic("x")}`, "no", { qos }),
          `the refused QoS ${qos} publish`,
        );
        assert.ok(error instanceof MqttError, `${error}`);
        assert.equal((error as MqttError).reasonCode, 0x87);
        assert.match((error as Error).message, /forbidden\//);
      }
      assert.equal(client.connected, true);
      // The packet identifiers were freed: more publishes go through.
      const ok = await client.publish(uniqueTopic("lite-after-refusal"), "ok", { qos: 1 });
      assert.equal(ok.reasonCode, 0x10, "accepted: No matching subscribers");
    });

    it("message.ack(0x80) refuses a message before the automatic acknowledgement", async () => {
      const topic = uniqueTopic("lite-ack");
      const sub = pool.create(url, v5);
      const acks: [string, boolean, boolean][] = [];
      sub.client.onMessage = ({ message }) => {
        const payload = text(message.payload);
        if (payload !== "fence") acks.push([payload, message.ack(0x80), message.ack()]);
        sub.inbox.push(message);
      };
      await within(sub.client.connect(), "connect");
      await sub.client.subscribe(topic, { qos: 2 });
      const stream = sub.client.messages(topic);
      const { client: publisher } = await pool.open(url, v5);
      await publisher.publish(topic, "refused 1", { qos: 1 });
      await publisher.publish(topic, "refused 2", { qos: 2 });
      assert.deepEqual(await fence(publisher, sub, topic), ["refused 1", "refused 2", "fence"]);
      // The first ack() sent the refusal; the second and the stream's taking do nothing.
      assert.deepEqual(acks, [["refused 1", true, false], ["refused 2", true, false]]);
      const taken = await nextMessages(stream, 3, "the stream's copies");
      assert.deepEqual(taken.map((m) => text(m.payload)), ["refused 1", "refused 2", "fence"]);
      assert.equal(sub.client.connected, true);
      assert.equal(sub.events.items.filter(isDisconnect).length, 0);
    });

    it("a server-assigned client identifier replaces an empty one", async () => {
      const { client } = await pool.open(url, { ...v5, clientId: "" });
      assert.notEqual(client.clientId, "");
      assert.match(client.clientId, /^auto-/);
    });

    it("disconnect({ reasonCode: 0x04 }) has the broker publish the will", async () => {
      const topic = uniqueTopic("lite-will");
      const watcher = await pool.open(url, v5);
      await watcher.client.subscribe(topic, { qos: 1 });
      const { client } = await pool.open(url, { ...v5, will: { topic, payload: "gone", qos: 1 } });
      await client.disconnect({ reasonCode: 0x04, properties: { reasonString: "bye" } });
      const [will] = await watcher.inbox.count(1, "the will");
      assert.equal(text(will!.payload), "gone");
    });
  });
});

describe("LiteClient authentication against Mosquitto", () => {
  let broker: MosquittoBroker;
  let dir: string;
  let host: string;
  const pool = new LitePool();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-lite-auth-"));
    const passwords = join(dir, "passwords");
    execFileSync("mosquitto_passwd", ["-c", "-b", passwords, "alice", "s3cret"]);
    broker = await startMosquitto({
      websockets: true,
      extraConfig: [`password_file ${passwords}`, "allow_anonymous false"],
    });
    host = `${broker.host}:${broker.wsPort}`;
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const protocolVersion of VERSIONS) {
    const v = label(protocolVersion);
    for (
      const [what, options] of [
        ["a wrong password", { username: "alice", password: "wrong" }],
        ["no credentials", {}],
      ] as const
    ) {
      it(`connect() with ${what} rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
        const { client, events } = pool.create(`ws://${host}`, { protocolVersion, ...options });
        const error = await rejection(client.connect(), "the refused connect");
        assert.ok(error instanceof ConnectionRefusedError, `${error}`);
        assert.equal((error as ConnectionRefusedError).reasonCode, 0x87);
        assert.doesNotMatch(String(error), /wrong/);
        assert.equal(client.connected, false);
        assert.deepEqual(events.items, []);
      });
    }

    it(`connect() with the credentials in the URL is accepted (${v})`, async () => {
      const { client } = await pool.open(`ws://alice:s3cret@${host}`, { protocolVersion });
      assert.equal(client.connected, true);
    });

    it(`options.password overrides the URL's (${v})`, async () => {
      const { client } = pool.create(`ws://alice:s3cret@${host}`, {
        protocolVersion,
        password: "x",
      });
      const error = await rejection(client.connect(), "the refused connect");
      assert.ok(error instanceof ConnectionRefusedError, `${error}`);
    });
  }
});

describe("LiteClient and the broker's limits (Receive Maximum 2, Maximum QoS 1, no retain)", () => {
  let broker: MosquittoBroker;
  let proxy: TcpProxy;
  let limited: string;
  const pool = new LitePool();

  before(async () => {
    const port = await freePort();
    broker = await startMosquitto({
      websockets: true,
      extraConfig: [
        "max_inflight_messages 2",
        "retain_available false",
        `listener ${port} 127.0.0.1`,
        "protocol websockets",
        "socket_domain ipv4",
        "max_qos 1",
      ],
    });
    proxy = await TcpProxy.start(broker.host, port);
    limited = `ws://127.0.0.1:${proxy.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await proxy?.close();
    await broker?.stop();
  });

  it("the CONNACK's limits refuse a QoS 2 or retained publish before it is sent (MQTT 5)", async () => {
    const { client } = await pool.open(limited, { protocolVersion: 5 });
    const before = proxy.bytesUp;
    const qos2 = await rejection(client.publish("a", "x", { qos: 2 }), "QoS 2");
    assert.ok(qos2 instanceof MqttError && qos2.reasonCode === 0x9b, `${qos2}`);
    const retained = await rejection(client.publish("a", "x", { retain: true }), "retain");
    assert.ok(retained instanceof MqttError && retained.reasonCode === 0x9a, `${retained}`);
    assert.equal(proxy.bytesUp, before, "nothing was sent");
    assert.equal(client.connected, true);
  });

  it("QoS 1 publishes beyond the broker's Receive Maximum wait for a PUBACK (MQTT 5)", async () => {
    const topic = uniqueTopic("lite-window");
    const id = clientId("window");
    const { client } = await pool.open(limited, { protocolVersion: 5, clientId: id });
    const received = new RegExp(`Received PUBLISH from ${id} \\(d0, q1`);
    const mark = broker.logMark();
    proxy.stall(); // the broker's PUBACKs are held: the window stays full
    let all: Promise<unknown>;
    try {
      all = Promise.all([1, 2, 3, 4, 5].map((i) => client.publish(topic, `${i}`, { qos: 1 })));
      await broker.waitForLog(new RegExp(`${received.source}[^\\n]*\\n[^]*${received.source}`), {
        since: mark,
      });
      // A QoS 0 marker goes at once, after anything the client had sent: once the broker has
      // it, it has everything the client sent before it.
      await client.publish(topic, "marker");
      await broker.waitForLog(new RegExp(`Received PUBLISH from ${id} \\(d0, q0`), { since: mark });
      const log = broker.log().slice(mark);
      assert.equal(occurrences(log, received), 2, "only two QoS 1 messages sent while full");
    } finally {
      proxy.resume();
    }
    await within(all, "all five PUBACKs");
    assert.equal(occurrences(broker.log().slice(mark), received), 5);
  });

  it("a slow consumer behind the broker's inflight limit of 2 gets all 200 QoS 1 messages in order (MQTT 3.1.1)", async () => {
    const topic = uniqueTopic("lite-slow-limited");
    const { client } = await pool.open(limited, { protocolVersion: 4 });
    const stream = client.messages(topic, { buffer: 1 });
    await client.subscribe(topic, { qos: 1 });
    const { client: publisher } = await pool.open(limited, { protocolVersion: 4 });
    const sent = Array.from(
      { length: 200 },
      (_, i) => publisher.publish(topic, `${i}`, { qos: 1 }),
    );
    const got: string[] = [];
    const consume = (async () => {
      for await (const message of stream) {
        got.push(text(message.payload));
        if (got.length % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        if (got.length === 200) break;
      }
    })();
    await within(consume, `the 200 messages (have ${got.length})`, 20_000);
    await within(Promise.all(sent), "the 200 PUBACKs");
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => `${i}`));
  });
});
