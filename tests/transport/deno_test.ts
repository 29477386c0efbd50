/**
 * The shared transport suite against the Deno adapter, with a node:net server on a free port.
 * Skipped under other runtimes (the adapter is imported only under Deno).
 */
import { after, before, describe } from "node:test";
import * as net from "node:net";
import { transportSuite } from "./transport_suite.ts";
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
