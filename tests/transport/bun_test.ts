/**
 * The shared transport suite against the Bun adapter (node:net and node:tls servers on free
 * ports), plus what Bun needs beyond it: partial writes finished on `drain`, chunk ownership,
 * TLS verification with the committed test certificates, and unix sockets.
 * Skipped under other runtimes: `Bun.connect` exists only in Bun.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pattern, Recorder, transportSuite } from "./transport_suite.ts";
import { tlsSuite } from "./tls_suite.ts";
import {
  denseStreamArrives,
  receiverCanAskToReadOn,
  unixSocketEchoes,
  writeSettlesByItsSize,
} from "./_node_server.ts";
import { socketSettingsSuite } from "./socket_settings_suite.ts";
import { listen, nextSocket, useNodeServer, writeWaitsForDrain } from "./_node_server.ts";
import { openBun } from "../../src/transport/bun.ts";
import { runtimeName } from "../../src/transport/defaults/detect.ts";
import type { TlsOptions, Transport } from "../../src/transport/types.ts";
import { readCert } from "../_helpers/mosquitto.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const skip = isBun ? false : "openBun needs Bun.connect, which only the Bun runtime has";

describe("openBun", { skip }, () => {
  const harness = useNodeServer(openBun);
  if (isBun) transportSuite("openBun", () => harness);

  it("the runtime is detected as Bun", () => {
    assert.equal(runtimeName(), "bun");
  });
});

describe("openBun over TLS", { skip }, () => {
  const server = tls.createServer({
    cert: readCert("server.pem"),
    key: readCert("server.key"),
    ca: readCert("ca.pem"),
    requestCert: true,
    rejectUnauthorized: false,
  });
  const tlsOptions: TlsOptions = { ca: readCert("ca.pem"), servername: "localhost" };
  const harness = useNodeServer(openBun, { kind: "tls", tls: tlsOptions }, server);
  if (isBun) transportSuite("openBun over TLS", () => harness);

  /** Opens a TLS transport to the suite's server (dialing 127.0.0.1) with `options`. */
  function open(options: TlsOptions): Promise<Transport> {
    return openBun({ ...harness.target(), tls: options }, new Recorder());
  }

  it("openBun sends servername as SNI and accepts a certificate the given CA signed for it", async () => {
    const accepted = nextSocket(server, "secureConnection") as Promise<tls.TLSSocket>;
    const transport = await open(tlsOptions);
    const socket = await accepted;
    assert.equal((socket as tls.TLSSocket & { servername?: string }).servername, "localhost");
    assert.equal(socket.authorized, false, "no client certificate was asked for");
    transport.close();
  });

  it("openBun presents the client certificate and key", async () => {
    const accepted = nextSocket(server, "secureConnection") as Promise<tls.TLSSocket>;
    const transport = await open({
      ...tlsOptions,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
    });
    assert.equal((await accepted).authorized, true);
    transport.close();
  });

  it("openBun rejects a server whose certificate the given CA did not sign", async () => {
    await assert.rejects(open({ ca: readCert("untrusted.pem"), servername: "localhost" }), /TLS/);
  });

  it("openBun rejects a server certificate without a name matching servername", async () => {
    await assert.rejects(open({ ...tlsOptions, servername: "example.com" }), /TLS.*altnames/);
  });

  it("openBun keeps verifying certificates when NODE_TLS_REJECT_UNAUTHORIZED is 0", async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      await assert.rejects(open({ ca: readCert("untrusted.pem"), servername: "localhost" }), /TLS/);
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  it("openBun without a CA does not trust the test CA (the system roots are used)", async () => {
    await assert.rejects(open({ servername: "localhost" }), /TLS/);
  });
});

describe("openBun writes", { skip }, () => {
  it("openBun write waits for drain when the socket takes part of the bytes, and keeps the order", async () => {
    await writeWaitsForDrain(openBun);
  });

  it("openBun write rejects, with onClose called once, when the server resets the connection", async () => {
    const server = net.createServer();
    const port = await listen(server);
    try {
      const accepted = nextSocket(server);
      const recorder = new Recorder();
      const transport = await openBun({ kind: "tcp", host: "127.0.0.1", port }, recorder);
      const socket = await accepted;
      socket.pause();
      const writing = transport.write(pattern(16 * 1024 * 1024, 3));
      socket.resetAndDestroy();
      await assert.rejects(writing, /Cannot write/);
      await recorder.until(() => recorder.closes.length > 0);
      assert.equal(recorder.closes.length, 1);
      assert.ok(recorder.closes[0] instanceof Error);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("openBun hands over chunks that later reads do not overwrite", async () => {
    const server = net.createServer();
    const port = await listen(server);
    try {
      const accepted = nextSocket(server);
      const recorder = new Recorder();
      const transport = await openBun({ kind: "tcp", host: "127.0.0.1", port }, recorder);
      const socket = await accepted;
      const sent: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < 50; i++) {
        sent.push(pattern(100 + i, i));
        socket.write(sent[i]!);
        total += sent[i]!.length;
        // The next chunk only once this one arrived, so they arrive as separate reads.
        await recorder.until(() => recorder.received === total);
      }
      assert.ok(recorder.chunks.length > 1, "all bytes came in one read");
      assert.deepEqual(recorder.bytes(), new Uint8Array(sent.flatMap((chunk) => [...chunk])));
      assert.ok(recorder.chunks.every((chunk) => chunk.constructor === Uint8Array));
      transport.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("openBun over a unix socket", { skip }, () => {
  it("openBun connects to a unix socket path and exchanges bytes", () => unixSocketEchoes(openBun));

  it("openBun rejects with an Error when no socket exists at the path", async () => {
    const path = join(tmpdir(), `korero-missing-${process.pid}.sock`);
    await assert.rejects(openBun({ kind: "unix", host: "", port: 0, path }, new Recorder()), Error);
  });
});

if (isBun) {
  describe("openBun read pacing", () => {
    for (const readPacing of [true, false]) {
      it(`openBun with readPacing ${readPacing} delivers a dense stream of small writes whole and in order`, () =>
        denseStreamArrives(openBun, readPacing));
    }

    it("openBun reads on without pacing after an onData that returned true", () =>
      receiverCanAskToReadOn(openBun));

    it("openBun settles a write the socket took at once after the event loop's turn under 16 KiB, within it from 16 KiB", () =>
      writeSettlesByItsSize(openBun));
  });
}

if (isBun) tlsSuite("openBun", openBun, { trustsCaAsLeaf: true }); // BoringSSL
// Through Bun's node:net / node:tls, which the adapter uses for these settings.
if (isBun) {
  socketSettingsSuite("openBun", openBun, {
    noVerification: true,
    bind: true,
    versions: true,
    runtime: "Bun",
  });
}
