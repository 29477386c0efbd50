/**
 * The shared transport suite against the Deno adapter, with a node:net server on a free port.
 * Skipped under other runtimes (the adapter is imported only under Deno).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Recorder, transportSuite } from "./transport_suite.ts";
import type { ServerSide, SuiteHarness } from "./transport_suite.ts";
import type { TransportOpener } from "../../src/transport/types.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

function serverSide(socket: net.Socket): ServerSide {
  const received: Buffer[] = [];
  let size = 0;
  let waiting: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    received.push(chunk);
    size += chunk.length;
    waiting?.();
  });
  socket.on("error", () => {});
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  return {
    write: (bytes) => void socket.write(bytes),
    async read(n) {
      while (size < n) await new Promise<void>((resolve) => (waiting = resolve));
      return new Uint8Array(Buffer.concat(received).subarray(0, n));
    },
    end: () => void socket.end(),
    ended,
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe("openDeno", { skip: !isDeno }, () => {
  const server = net.createServer();
  let port = 0;
  let refusedPort = 0;
  let opener: TransportOpener;
  const accepts: ((side: ServerSide) => void)[] = [];
  server.on("connection", (socket) => accepts.shift()?.(serverSide(socket)));

  before(async () => {
    opener = (await import("../../src/transport/deno.ts")).openDeno;
    port = await listen(server);
    const probe = net.createServer();
    refusedPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const harness: SuiteHarness = {
    opener: (target, handlers, signal) => opener(target, handlers, signal),
    target: () => ({ kind: "tcp", host: "127.0.0.1", port }),
    refusedTarget: () => ({ kind: "tcp", host: "127.0.0.1", port: refusedPort }),
    accept: () => new Promise((resolve) => accepts.push(resolve)),
  };
  if (isDeno) transportSuite("openDeno", () => harness);
});

describe("openDeno over a unix socket", { skip: !isDeno }, () => {
  it("openDeno connects to a unix socket path and exchanges bytes", async () => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/korero-`);
    const path = `${dir}/broker.sock`;
    const server = net.createServer((socket) => socket.on("data", (d) => socket.write(d)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const recorder = new Recorder();
      const transport = await openDeno({ kind: "unix", host: "", port: 0, path }, recorder);
      await transport.write(new Uint8Array([1, 2, 3]));
      await recorder.until(() => recorder.received === 3);
      assert.deepEqual(recorder.bytes(), new Uint8Array([1, 2, 3]));
      transport.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
