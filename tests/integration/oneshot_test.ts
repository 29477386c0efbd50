/**
 * paho's one-shot helpers in korero form (`@korero/mqtt/publish`, `@korero/mqtt/subscribe`)
 * against a real Mosquitto: single / multiple publishes in order, simple with msgCount and
 * retained, callback until the client disconnects, paho's refusal text, timeouts and aborts, the
 * argument errors, and paho's connection parameters (TLS, WebSocket, `url`, `auth`, `clientId`,
 * `keepalive`, `will`, `protocolVersion`) as the broker sees them.
 */

import { after, before, describe, it as syncIt } from "node:test";
import assert from "node:assert/strict";
import { ConnectionRefusedError, payloadText, TimeoutError } from "../../mod.ts";
import { multiple, single } from "../../src/oneshot/publish.ts";
import { callback, simple } from "../../src/oneshot/subscribe.ts";
import { publishMultiple, publishSingle, subscribeCallback, subscribeSimple } from "../../mod.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, uniqueTopic } from "./_support.ts";

describe("One-shot helpers", () => {
  let broker: MosquittoBroker;
  let authBroker: MosquittoBroker;
  let server: { hostname: string; port: number };
  before(async () => {
    broker = await startMosquitto({ verboseLog: false });
    authBroker = await startMosquitto({
      verboseLog: false,
      extraConfig: ["allow_anonymous false"],
    });
    server = { hostname: "127.0.0.1", port: broker.port };
  });
  after(async () => {
    await broker?.stop();
    await authBroker?.stop();
  });

  syncIt("the root re-exports them under unambiguous names", () => {
    assert.equal(publishSingle, single);
    assert.equal(publishMultiple, multiple);
    assert.equal(subscribeSimple, simple);
    assert.equal(subscribeCallback, callback);
  });

  /** Options whose client reports its SUBACK through `subscribed`. */
  function watchingSuback() {
    let resolve!: () => void;
    const subscribed = new Promise<void>((r) => (resolve = r));
    const client = {
      trace: true,
      logger: (_level: string, line: string) => {
        if (line.startsWith("Received SUBACK")) resolve();
      },
    };
    return { subscribed, client };
  }

  it("single() publishes a (retained) message that simple() receives", async () => {
    const topic = uniqueTopic("oneshot/single");
    await single(topic, "hello", { ...server, qos: 1, retain: true });
    const message = await simple(topic, { ...server, qos: 1, timeout: 10_000 });
    assert.equal(message.topic, topic);
    assert.equal(payloadText(message), "hello");
    assert.equal(message.retain, true);
    await single(topic, null, { ...server, retain: true }); // clear it
  });

  it("multiple() publishes in order (objects and paho tuples); simple() with msgCount returns the list; retained: false skips retained messages", async () => {
    const topic = uniqueTopic("oneshot/multi");
    const results = await multiple([
      { topic: `${topic}/r`, payload: "old", retain: true, qos: 1 },
      { topic: `${topic}/r`, payload: "kept", retain: true, qos: 1 },
    ], server);
    assert.equal(results.length, 2);
    // With retained: false, the retained "kept" is not counted; then three live messages.
    const watch = watchingSuback();
    const waiting = simple(`${topic}/#`, {
      ...server,
      qos: 1,
      msgCount: 3,
      retained: false,
      timeout: 10_000,
      client: watch.client,
    });
    await watch.subscribed;
    await multiple([
      [`${topic}/a`, "1", 1, false],
      { topic: `${topic}/b`, payload: "2", qos: 2 },
      [`${topic}/c`, "3"],
    ], server);
    const messages = await waiting;
    assert.deepEqual(messages.map((m) => [m.topic, payloadText(m)]), [
      [`${topic}/a`, "1"],
      [`${topic}/b`, "2"],
      [`${topic}/c`, "3"],
    ]);
    // The retained message is there for a subscriber that counts it.
    const retained = await simple(`${topic}/r`, { ...server, timeout: 5000 });
    assert.equal(payloadText(retained), "kept");
    assert.equal(retained.retain, true);
    await single(`${topic}/r`, null, { ...server, retain: true }); // clear it
  });

  it("callback() calls back until the callback disconnects the client", async () => {
    const topic = uniqueTopic("oneshot/callback");
    await single(topic, "first", { ...server, retain: true, qos: 1 });
    const seen: string[] = [];
    await callback(
      (message, client) => {
        seen.push(payloadText(message));
        void client.disconnect();
      },
      topic,
      { ...server, timeout: 10_000 },
    );
    assert.deepEqual(seen, ["first"]);
    await single(topic, null, { ...server, retain: true });
  });

  it("a refused connection rejects with ConnectionRefusedError carrying paho's connack_string", async () => {
    await assert.rejects(
      single("t", "x", { hostname: "127.0.0.1", port: authBroker.port }),
      (error: unknown) =>
        error instanceof ConnectionRefusedError &&
        error.message === "Connection Refused: not authorised." && error.reasonCode === 0x87,
    );
    await assert.rejects(
      single("t", "x", { hostname: "127.0.0.1", port: authBroker.port, protocolVersion: 5 }),
      (error: unknown) =>
        error instanceof ConnectionRefusedError && error.message === "Not authorized" &&
        error.reasonCode === 0x87,
    );
  });

  it("timeout and signal bound every helper", async () => {
    await assert.rejects(
      simple(uniqueTopic("oneshot/never"), { ...server, timeout: 200 }),
      TimeoutError,
    );
    const controller = new AbortController();
    const waiting = callback(() => {}, uniqueTopic("oneshot/never"), {
      ...server,
      signal: controller.signal,
    });
    const reason = new Error("stop");
    setTimeout(() => controller.abort(reason), 100);
    await assert.rejects(waiting, (error) => error === reason);
  });

  it("bad arguments are TypeError / RangeError before connecting", async () => {
    await assert.rejects(multiple([], server), TypeError);
    await assert.rejects(multiple([{ nope: 1 } as never], server), TypeError);
    await assert.rejects(simple("t", { ...server, msgCount: 0 }), RangeError);
    await assert.rejects(single("t", "x", { ...server, auth: {} as never }), /username/);
    await assert.rejects(single("t", "x", { ...server, bogus: 1 } as never), /Unknown option/);
    await assert.rejects(
      single("t", "x", { ...server, transport: "udp" as never }),
      /"tcp" or "websockets"/,
    );
  });
});

describe("One-shot helpers' connection parameters", () => {
  let broker: MosquittoBroker;
  let dir: string;
  const auth = { username: "alice", password: "s3cret" };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-oneshot-"));
    const passwords = join(dir, "passwords");
    execFileSync("mosquitto_passwd", ["-c", "-b", passwords, auth.username, auth.password]);
    broker = await startMosquitto({
      tls: true,
      websockets: true,
      extraConfig: [`password_file ${passwords}`, "allow_anonymous false"],
    });
  });
  after(async () => {
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("single() over TLS with auth, clientId, keepalive, will and MQTT 5; simple() over WebSocket and by url", async () => {
    const topic = uniqueTopic("oneshot/params");
    const since = broker.logMark();
    await single(topic, "through TLS", {
      hostname: "localhost",
      port: broker.tlsPort,
      tls: { ca: readCert("ca.pem") },
      auth,
      clientId: "oneshot-params",
      keepalive: 17,
      will: { topic: `${topic}/will`, payload: "gone", qos: 1 },
      protocolVersion: 5,
      qos: 1,
      retain: true,
    });
    // Mosquitto logs the CONNECT as it read it: protocol 5, keepalive 17, the user, the will.
    await broker.waitForLog(
      /New client connected from [^ ]+ as oneshot-params \(p5, c1, k17, u'alice'\)/,
      { since },
    );
    await broker.waitForLog(/Will message specified \(4 bytes\) \(r0, q1\)/, { since });

    const overWebSocket = await simple(topic, {
      hostname: "127.0.0.1",
      port: broker.wsPort,
      transport: "websockets",
      auth,
      qos: 1,
      timeout: 10_000,
    });
    assert.equal(payloadText(overWebSocket), "through TLS");
    const byUrl = await simple(topic, {
      url: broker.url("mqtts"),
      tls: { ca: readCert("ca.pem") },
      auth,
      qos: 1,
      timeout: 10_000,
    });
    assert.equal(payloadText(byUrl), "through TLS");
    await single(topic, "", {
      url: broker.url("mqtts"),
      tls: { ca: readCert("ca.pem") },
      auth,
      retain: true,
    });
  });
});
