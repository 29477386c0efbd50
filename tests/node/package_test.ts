/**
 * korero as a Node user gets it, against a real Mosquitto: `.ci/test-node` bundles this file with
 * `../../mod.ts` mapped to the `@korero/mqtt` package installed from the packed tarball, and runs
 * it on Node 20, 22 and 24. No `transport` option anywhere: the runtime detection (the package's
 * `node` export condition) must pick the Node adapter by itself. `../../src/lite/mod.ts` is
 * mapped to `@korero/mqtt/lite` the same way: the lite client round-trips over ws:// with Node's
 * global WebSocket (Node 22+) or, on Node 20 (which has none), with `webSocket` from the `ws`
 * package (loaded with `require`, found through `NODE_PATH`).
 *
 * Deno and Bun skip it: the integration suite covers them with their own adapters.
 */
import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { connect, type QoS, TlsError } from "../../mod.ts";
import { connect as connectLite, type LiteOptions } from "../../src/lite/mod.ts";
import type { WebSocketConstructor } from "../../src/transport/types.ts";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { refusedPort } from "../transport/_node_server.ts";
import { ClientPool, it, text, uniqueTopic, within } from "../integration/_support.ts";

const isNode = process.versions.node !== undefined && !("Deno" in globalThis) &&
  !("Bun" in globalThis);
const skip = isNode ? false : "Node only (tests/integration covers Deno and Bun)";
const nodeMajor = Number(process.versions.node?.split(".")[0]);

/** The message of an error and of its causes, joined. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.join(" / ");
}

describe("@korero/mqtt on Node against Mosquitto", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "korero-node-"));
  const socketPath = join(dir, "mqtt.sock");
  const pool = new ClientPool();
  const ca = readCert("ca.pem");
  let broker: MosquittoBroker;
  let url: string;

  before(async () => {
    if (!isNode) return;
    broker = await startMosquitto({
      websockets: true,
      tls: true,
      clientCertTls: true,
      persistence: true,
      extraConfig: [`listener 0 ${socketPath}`],
    });
    url = `mqtt://${broker.host}:${broker.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const qos of [0, 1, 2] as QoS[]) {
    it(`connect, subscribe and publish at QoS ${qos} over TCP`, async () => {
      const topic = uniqueTopic(`qos${qos}`);
      const sub = await pool.open(url, { protocolVersion: 5 });
      await sub.client.subscribe(topic, { qos });
      const pub = await pool.open(url);
      await pub.client.publish(topic, `at qos ${qos}`, { qos });
      const message = await sub.inbox.find((m) => m.topic === topic, "the message");
      assert.equal(text(message.payload), `at qos ${qos}`);
      assert.equal(message.qos, qos);
    });
  }

  /** The lite client's WebSocket: Node's global one from Node 22, `ws` on Node 20. */
  function liteWebSocket(): Pick<LiteOptions, "webSocket"> {
    if (nodeMajor >= 22) return {};
    const ws = createRequire(import.meta.url)("ws") as { WebSocket: WebSocketConstructor };
    return { webSocket: ws.WebSocket };
  }

  it(
    `@korero/mqtt/lite round-trips a QoS 1 message over ws:// (${
      nodeMajor >= 22 ? "the global WebSocket" : "webSocket: the ws package's"
    })`,
    async () => {
      for (const protocolVersion of [4, 5] as const) {
        const client = await connectLite(broker.url("ws"), {
          protocolVersion,
          reconnect: false,
          ...liteWebSocket(),
        });
        try {
          const topic = uniqueTopic(`lite${protocolVersion}`);
          const messages = client.messages(topic);
          assert.deepEqual((await client.subscribe(topic, { qos: 1 })).reasonCodes, [1]);
          const sent = await client.publish(topic, `lite over ws:// (${protocolVersion})`, {
            qos: 1,
          });
          assert.equal(sent.reasonCode, 0);
          assert.ok(sent.mid > 0, `QoS 1 was sent with packet identifier ${sent.mid}`);
          const first = async () => {
            for await (const message of messages) return message;
            throw new Error("the message stream ended");
          };
          const message = await within(first(), "the lite client's message");
          assert.equal(message.topic, topic);
          assert.equal(text(message.payload), `lite over ws:// (${protocolVersion})`);
          assert.equal(message.qos, 1);
        } finally {
          await client.disconnect();
        }
      }
    },
  );

  it("connect over mqtts:// trusts a server certificate signed by the given CA", async () => {
    const client = pool.track(await connect(`mqtts://localhost:${broker.tlsPort}`, { ca }));
    const topic = uniqueTopic("tls");
    const received = new Promise<string>((resolve) => {
      client.onMessage = ({ message }) => resolve(text(message.payload));
    });
    await client.subscribe(topic, { qos: 1 });
    await client.publish(topic, "over TLS", { qos: 1 });
    assert.equal(await within(received, "the message over TLS"), "over TLS");
  });

  it("connect presents a client certificate to a listener that requires one", async () => {
    const client = pool.track(
      await connect(`mqtts://localhost:${broker.mtlsPort}`, {
        ca,
        cert: readCert("client.pem"),
        key: readCert("client.key"),
      }),
    );
    assert.equal((await client.publish(uniqueTopic("mtls"), "hi", { qos: 1 })).reasonCode, 0);
  });

  it("connect over mqtts:// without the CA rejects with a TlsError naming host:port", async () => {
    const error = await connect(`mqtts://localhost:${broker.tlsPort}`, { reconnect: false })
      .then((client) => (pool.track(client), assert.fail("connected to an untrusted server")))
      .catch((error: unknown) => error);
    const tls = error;
    assert.ok(tls instanceof TlsError, `rejected with ${messages(error)}`);
    assert.equal(tls.name, "TlsError");
    assert.match(
      tls.message,
      new RegExp(`^TLS handshake with localhost:${broker.tlsPort} failed: .`),
    );
  });

  it("connect with unixSocket talks to Mosquitto over a unix socket", async () => {
    const options = { unixSocket: socketPath, protocolVersion: 5 as const };
    const sub = await pool.open("mqtt://localhost", options);
    const topic = uniqueTopic("unix");
    await sub.client.subscribe(topic, { qos: 1 });
    const pub = await pool.open("mqtt://localhost", options);
    await pub.client.publish(topic, "over a unix socket", { qos: 1 });
    const message = await sub.inbox.find((m) => m.topic === topic, "the message over the socket");
    assert.equal(text(message.payload), "over a unix socket");
  });

  it("connect names host:port when nothing listens there (the Node adapter's message)", async () => {
    const port = await refusedPort();
    const error = await connect(`mqtt://127.0.0.1:${port}`, { reconnect: false })
      .then((client) => (pool.track(client), assert.fail("connected to a closed port")))
      .catch((error: unknown) => error);
    const expected = `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`;
    assert.ok(messages(error).includes(expected), messages(error));
  });

  it("a client reconnects after the broker restarts, and keeps its subscription", async () => {
    const topic = uniqueTopic("restart");
    const sub = await pool.open(url, {
      clientId: "korero-node-restart",
      clean: false,
      reconnect: { minDelay: 50, maxDelay: 500 },
    });
    await sub.client.subscribe(topic, { qos: 1 });
    await broker.restart();
    await sub.events.find((e) => e.kind === "connect" && e.reconnect, "the reconnect");
    const pub = await pool.open(url);
    await pub.client.publish(topic, "after the restart", { qos: 1 });
    const message = await sub.inbox.find((m) => m.topic === topic, "the message after it");
    assert.equal(text(message.payload), "after the restart");
  });
});
