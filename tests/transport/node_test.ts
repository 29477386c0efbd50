/**
 * The shared transport suite against the Node adapter over TCP and TLS (node:net and node:tls
 * servers on free ports), plus what Node needs beyond it: error messages that name the address,
 * TLS verification with the committed test certificates, giving up a hanging handshake, writes
 * that wait for `drain`, chunk ownership, read pacing, and unix sockets.
 * Deno and Bun run it too, through their node:net / node:tls.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
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
import {
  nextSocket,
  readBytes,
  refusedPort,
  useNodeServer,
  withServer,
  writeWaitsForDrain,
} from "./_node_server.ts";
import { openNode } from "../../src/transport/node.ts";
import { runtimeName } from "../../src/transport/defaults/detect.ts";
import type { TlsOptions, Transport, TransportTarget } from "../../src/transport/types.ts";
import { readCert } from "../_helpers/mosquitto.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const isNode = !isDeno && !isBun;

/** The message of an error and of its causes, joined. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.join(" / ");
}

describe("openNode", () => {
  const harness = useNodeServer(openNode);
  transportSuite("openNode", () => harness);

  it("the runtime is detected as Node", { skip: !isNode && "not Node" }, () => {
    assert.equal(runtimeName(), "node");
  });

  it("openNode names host:port and the reason when the connection is refused", async () => {
    const port = await refusedPort();
    await assert.rejects(
      openNode({ kind: "tcp", host: "127.0.0.1", port }, new Recorder()),
      (error: Error) => {
        const expected = `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`;
        assert.equal(error.message, expected);
        assert.ok(error.cause instanceof Error);
        return true;
      },
    );
  });

  it("openNode refuses ws and wss targets with a TypeError", async () => {
    const target: TransportTarget = { kind: "ws", host: "127.0.0.1", port: 1 };
    await assert.rejects(openNode(target, new Recorder()), TypeError);
  });
});

describe("openNode over TLS", () => {
  const server = tls.createServer({
    cert: readCert("server.pem"),
    key: readCert("server.key"),
    ca: readCert("ca.pem"),
    requestCert: true,
    rejectUnauthorized: false,
  });
  const tlsOptions: TlsOptions = { ca: readCert("ca.pem"), servername: "localhost" };
  const harness = useNodeServer(openNode, { kind: "tls", tls: tlsOptions }, server);
  transportSuite("openNode over TLS", () => harness);

  /** Opens a TLS transport to the suite's server (dialing 127.0.0.1) with `options`. */
  function open(options: TlsOptions): Promise<Transport> {
    return openNode({ ...harness.target(), tls: options }, new Recorder());
  }

  it("openNode sends servername as SNI and accepts a certificate the given CA signed for it", async () => {
    const accepted = nextSocket(server, "secureConnection") as Promise<tls.TLSSocket>;
    const transport = await open(tlsOptions);
    const socket = await accepted;
    assert.equal((socket as tls.TLSSocket & { servername?: string }).servername, "localhost");
    assert.equal(socket.authorized, false, "no client certificate was asked for");
    transport.close();
  });

  it("openNode verifies an IP address target against the certificate without SNI", async () => {
    const accepted = nextSocket(server, "secureConnection") as Promise<tls.TLSSocket>;
    const transport = await open({ ca: readCert("ca.pem") }); // dials and verifies 127.0.0.1
    const socket = await accepted;
    const servername = (socket as tls.TLSSocket & { servername?: unknown }).servername;
    assert.ok(!servername, `the server saw SNI ${servername}`); // false on Node, null on Deno
    transport.close();
  });

  it("openNode presents the client certificate and key", async () => {
    const accepted = nextSocket(server, "secureConnection") as Promise<tls.TLSSocket>;
    const transport = await open({
      ...tlsOptions,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
    });
    assert.equal((await accepted).authorized, true);
    transport.close();
  });

  it("openNode rejects a server whose certificate the given CA did not sign", async () => {
    await assert.rejects(
      open({ ca: readCert("untrusted.pem"), servername: "localhost" }),
      /^TlsError: TLS handshake with 127\.0\.0\.1:\d+ failed: .*certificate/,
    );
  });

  it("openNode rejects a server certificate without a name matching servername", async () => {
    await assert.rejects(
      open({ ...tlsOptions, servername: "example.com" }),
      /^TlsError: TLS handshake with .*altnames.*ERR_TLS_CERT_ALTNAME_INVALID/,
    );
  });

  it("openNode keeps verifying certificates when NODE_TLS_REJECT_UNAUTHORIZED is 0", async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      await assert.rejects(open({ ca: readCert("untrusted.pem"), servername: "localhost" }), /TLS/);
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  it("openNode without a CA does not trust the test CA (the system roots are used)", async () => {
    await assert.rejects(open({ servername: "localhost" }), /TLS/);
  });

  // Deno's and Bun's node:tls do not close a socket destroyed during its handshake (the server
  // never sees it close); there the runtime's own adapter is used, not this one.
  const keepsHandshakes = isNode ? false : "this runtime's node:tls leaves the socket open";
  it("openNode gives up a TLS handshake that hangs when the signal aborts, and closes the socket", {
    skip: keepsHandshakes,
  }, async () => {
    // A plain TCP server that never answers the ClientHello.
    await withServer(async (silent, port) => {
      const accepted = nextSocket(silent);
      const controller = new AbortController();
      const reason = new Error("give up");
      const target: TransportTarget = { kind: "tls", host: "127.0.0.1", port, tls: tlsOptions };
      const opening = openNode(target, new Recorder(), { signal: controller.signal });
      const socket = await accepted;
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.on("error", () => {});
      controller.abort(reason);
      await assert.rejects(opening, (error) => error === reason);
      await closed;
    });
  });
});

tlsSuite("openNode", openNode, { trustsCaAsLeaf: true }); // OpenSSL (and Deno's, Bun's node:tls)
socketSettingsSuite("openNode", openNode, {
  noVerification: true,
  bind: true,
  versions: true,
  ciphers: !("Deno" in globalThis), // Deno's node:tls ignores them (on Deno korero uses openDeno)
  runtime: "Node",
});

describe("openNode writes", () => {
  it("openNode write waits for drain when Node buffers the bytes, and keeps the order", async () => {
    await writeWaitsForDrain(openNode);
  });

  it("openNode write rejects, with onClose called once, when the server resets the connection", async () => {
    await withServer(async (server, port) => {
      const accepted = nextSocket(server);
      const recorder = new Recorder();
      const transport = await openNode({ kind: "tcp", host: "127.0.0.1", port }, recorder);
      const socket = await accepted;
      socket.pause();
      const writing = transport.write(pattern(16 * 1024 * 1024, 3));
      socket.resetAndDestroy();
      await assert.rejects(writing, /Cannot write/);
      await recorder.until(() => recorder.closes.length > 0);
      assert.equal(recorder.closes.length, 1);
      assert.match(
        recorder.closes[0]?.message ?? "",
        new RegExp(`^The connection to 127\\.0\\.0\\.1:${port} failed: `),
      );
    });
  });

  it("openNode close sends the bytes Node still buffers, then closes", async () => {
    await withServer(async (server, port) => {
      const accepted = nextSocket(server);
      const transport = await openNode({ kind: "tcp", host: "127.0.0.1", port }, new Recorder());
      const socket = await accepted;
      const ended = new Promise((resolve) => socket.once("end", resolve));
      const bytes = pattern(8 * 1024, 5); // below Node's high-water mark: write resolves at once
      const received = readBytes(socket, bytes.length);
      await transport.write(bytes);
      transport.close();
      assert.deepEqual(await received, bytes);
      await ended;
    });
  });
});

describe("openNode reads", () => {
  it("openNode hands over plain Uint8Array chunks that later reads do not overwrite", async () => {
    await withServer(async (server, port) => {
      const accepted = nextSocket(server);
      const recorder = new Recorder();
      const transport = await openNode({ kind: "tcp", host: "127.0.0.1", port }, recorder);
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
      // Plain Uint8Arrays (a Buffer's slice would be a view), each with its own memory.
      assert.ok(recorder.chunks.every((chunk) => chunk.constructor === Uint8Array));
      assert.equal(new Set(recorder.chunks.map((chunk) => chunk.buffer)).size, 50);
      transport.close();
    });
  });

  for (const readPacing of [true, false]) {
    it(`openNode with readPacing ${readPacing} delivers a dense stream of small writes whole and in order`, () =>
      denseStreamArrives(openNode, readPacing));
  }

  it("openNode reads on without pacing after an onData that returned true", () =>
    receiverCanAskToReadOn(openNode));

  it("openNode settles a write the socket took at once after the event loop's turn under 16 KiB, within it from 16 KiB", () =>
    writeSettlesByItsSize(openNode));
});

describe("openNode over a unix socket", () => {
  it("openNode connects to a unix socket path and exchanges bytes", () =>
    unixSocketEchoes(openNode));

  it("openNode names the path when no socket exists there", async () => {
    const path = join(tmpdir(), `korero-missing-${process.pid}.sock`);
    await assert.rejects(
      openNode({ kind: "unix", host: "", port: 0, path }, new Recorder()),
      (error: Error) => {
        assert.match(messages(error), new RegExp(`^Cannot connect to "${path}": .*ENOENT`));
        return true;
      },
    );
  });

  it("openNode rejects a unix target without a path with a TypeError", async () => {
    await assert.rejects(openNode({ kind: "unix", host: "", port: 0 }, new Recorder()), TypeError);
  });
});
