/**
 * The server side of the shared transport suite for socket adapters: a node:net (or node:tls)
 * server on a free 127.0.0.1 port, which runs on Deno and Bun alike.
 *
 * @module
 */

import { after, before } from "node:test";
import * as net from "node:net";
import type { ServerSide, SuiteHarness } from "./transport_suite.ts";
import type { TransportOpener, TransportTarget } from "../../src/transport/types.ts";

/** The {@link ServerSide} of one accepted socket. */
export function serverSide(socket: net.Socket): ServerSide {
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

/** Listens on a free 127.0.0.1 port; resolves with it. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A 127.0.0.1 port where nothing listens (it did a moment ago). */
export async function refusedPort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts `server` (a plain node:net one unless given) before the enclosing `describe` block and
 * closes it after; returns the suite's harness for `opener`, with targets of `kind`.
 */
export function useNodeServer(
  opener: TransportOpener,
  target: Omit<TransportTarget, "host" | "port"> = { kind: "tcp" },
  server: net.Server = net.createServer(),
): SuiteHarness {
  let port = 0;
  let refused = 0;
  const accepts: ((side: ServerSide) => void)[] = [];
  const event = target.kind === "tls" ? "secureConnection" : "connection";
  server.on(event, (socket: net.Socket) => accepts.shift()?.(serverSide(socket)));
  before(async () => {
    port = await listen(server);
    refused = await refusedPort();
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    opener,
    target: () => ({ ...target, host: "127.0.0.1", port }),
    refusedTarget: () => ({ ...target, host: "127.0.0.1", port: refused }),
    accept: () => new Promise((resolve) => accepts.push(resolve)),
  };
}
