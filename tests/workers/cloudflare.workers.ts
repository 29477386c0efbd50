/**
 * The shared transport suite against `openCloudflare` running in workerd (miniflare), relayed
 * from Node (see _relay.ts), with node:net servers as the other end; plus what Workers add: TLS
 * against Mosquitto with the test CA trusted by workerd, `servername` through `startTls`, the
 * TLS options Workers cannot take, an abort while the TLS handshake waits, and the module
 * loaded without a bundler. Run by `.ci/test-workers` on Node ≥ 22.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Recorder, type SuiteHarness, transportSuite } from "../transport/transport_suite.ts";
import { listen, refusedPort, useNodeServer } from "../transport/_node_server.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import type { TransportOpener, TransportTarget } from "../../src/transport/types.ts";
import { type Relay, startRelay } from "./_relay.ts";
import { startWorker, transpile } from "./_workerd.ts";

let relay: Relay | undefined;
const viaWorker: TransportOpener = (target, handlers, options) =>
  relay!.opener(target, handlers, options);

before(async () => {
  relay = await startRelay({ trustTestCa: true });
});
after(() => relay?.stop());

describe("openCloudflare in workerd", () => {
  const server = useNodeServer(viaWorker);
  // The server seeing the close is not the end: what the worker reported must have arrived too.
  const harness: SuiteHarness = {
    ...server,
    accept: async () => {
      const side = await server.accept();
      return { ...side, ended: side.ended.then(() => relay!.flush()) };
    },
  };
  transportSuite("openCloudflare", () => harness);

  it("openCloudflare never called onClose twice or after close() in the suite", async () => {
    await relay!.flush();
    assert.deepEqual(relay!.violations, []);
  });

  it("openCloudflare names host:port when the connection is refused", async () => {
    const port = await refusedPort();
    await assert.rejects(
      viaWorker({ kind: "tcp", host: "127.0.0.1", port }, new Recorder()),
      (error: Error) => error.message.startsWith(`Cannot connect to 127.0.0.1:${port}: `),
    );
  });

  it("openCloudflare rejects with the abort reason when aborted during the TLS handshake", async () => {
    const server = net.createServer(); // accepts, and never answers the ClientHello
    const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
    const port = await listen(server);
    try {
      const controller = new AbortController();
      const reason = new Error("give up");
      const target: TransportTarget = { kind: "tls", host: "127.0.0.1", port };
      const opening = viaWorker(target, new Recorder(), { signal: controller.signal });
      (await accepted).on("error", () => {});
      controller.abort(reason);
      await assert.rejects(opening, (error) => error === reason);
      // (workerd lets go of a socket whose TLS handshake is pending only when the request ends.)
    } finally {
      server.close();
    }
  });

  for (const option of ["ca", "cert", "key"] as const) {
    it(`openCloudflare refuses tls.${option}, naming it`, async () => {
      const target: TransportTarget = {
        kind: "tls",
        host: "127.0.0.1",
        port: 8883,
        tls: { [option]: "-----BEGIN CERTIFICATE-----" },
      };
      await assert.rejects(
        viaWorker(target, new Recorder()),
        new RegExp(
          `^Error: Cannot connect to 127\\.0\\.0\\.1:8883 \\(TLS\\) with ${option}: Cloudflare`,
        ),
      );
    });
  }

  it("openCloudflare refuses unix targets", async () => {
    const target: TransportTarget = { kind: "unix", host: "", port: 0, path: "/tmp/x.sock" };
    await assert.rejects(viaWorker(target, new Recorder()), /Workers have no unix sockets/);
  });
});

describe("openCloudflare over TLS to Mosquitto", () => {
  let broker: MosquittoBroker;
  before(async () => {
    broker = await startMosquitto({ tls: true });
  });
  after(() => broker?.stop());

  /** CONNECT (MQTT 3.1.1, clean, client id "cf"); the broker answers CONNACK 20 02 00 00. */
  const CONNECT = new Uint8Array([
    0x10,
    0x0e,
    0x00,
    0x04,
    0x4d,
    0x51,
    0x54,
    0x54,
    0x04,
    0x02,
    0x00,
    0x3c,
    0x00,
    0x02,
    0x63,
    0x66,
  ]);

  async function connack(target: TransportTarget): Promise<Uint8Array> {
    const recorder = new Recorder();
    const transport = await viaWorker(target, recorder);
    await transport.write(CONNECT);
    await recorder.until(() => recorder.received >= 4);
    transport.close();
    return recorder.bytes();
  }

  it("openCloudflare talks MQTT over TLS, verifying the broker's name", async () => {
    const target: TransportTarget = { kind: "tls", host: "localhost", port: broker.tlsPort };
    assert.deepEqual(await connack(target), new Uint8Array([0x20, 0x02, 0x00, 0x00]));
  });

  it("openCloudflare dials the host and verifies servername (startTls)", async () => {
    const target: TransportTarget = {
      kind: "tls",
      host: "127.0.0.1",
      port: broker.tlsPort,
      tls: { servername: "localhost" },
    };
    assert.deepEqual(await connack(target), new Uint8Array([0x20, 0x02, 0x00, 0x00]));
  });

  it("openCloudflare reports a servername the certificate does not name, naming it", async () => {
    const target: TransportTarget = {
      kind: "tls",
      host: "127.0.0.1",
      port: broker.tlsPort,
      tls: { servername: "wrong.example" },
    };
    const recorder = new Recorder();
    const transport = await viaWorker(target, recorder);
    // The handshake fails at the first read or write, whichever comes first.
    await assert.rejects(transport.write(CONNECT));
    await recorder.until(() => recorder.closes.length > 0);
    assert.match(
      recorder.closes[0]!.message,
      /^The connection to 127\.0\.0\.1:\d+ \(TLS\) failed before any data arrived \(did the TLS handshake for "wrong\.example" fail\?\)/,
    );
  });
});

describe("openCloudflare unbundled", () => {
  it("openCloudflare loads and connects as separate modules (no bundler)", async () => {
    const server = net.createServer((socket) => socket.end("hi"));
    const port = await listen(server);
    const main = `
      import { openCloudflare } from "./cloudflare.js";
      export default {
        async fetch() {
          const chunks = [];
          const closed = Promise.withResolvers();
          const handlers = { onData: (c) => chunks.push(...c), onClose: closed.resolve };
          await openCloudflare({ kind: "tcp", host: "127.0.0.1", port: ${port} }, handlers);
          await closed.promise;
          return new Response(String.fromCharCode(...chunks));
        },
      };`;
    const worker = await startWorker([
      { path: "main.js", contents: main },
      { path: "cloudflare.js", contents: await transpile("src/transport/cloudflare.ts") },
      { path: "_abortable.js", contents: await transpile("src/transport/_abortable.ts") },
    ]);
    try {
      const response = await worker.dispatchFetch("http://worker/");
      assert.equal(await response.text(), "hi");
    } finally {
      await worker.dispose();
      server.close();
    }
  });
});
