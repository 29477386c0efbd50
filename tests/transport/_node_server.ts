/**
 * The server side of the shared transport suite for socket adapters: a node:net (or node:tls)
 * server on a free 127.0.0.1 port, which runs on Deno and Bun alike.
 *
 * @module
 */

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import * as net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pattern, Recorder, type ServerSide, type SuiteHarness } from "./transport_suite.ts";
import type { TransportOpener, TransportTarget } from "../../src/transport/types.ts";
import { ReadPacer } from "../../src/transport/_read_pacer.ts";
import { TURN_BATCH } from "../../src/transport/_next_turn.ts";

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

/** Resolves with the next socket `server` accepts (after the TLS handshake for a tls server). */
export function nextSocket(server: net.Server, event = "connection"): Promise<net.Socket> {
  return new Promise((resolve) => server.once(event, resolve));
}

/** Resolves with the first `n` bytes `socket` sends. */
export function readBytes(socket: net.Socket, n: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= n) resolve(new Uint8Array(Buffer.concat(chunks).subarray(0, n)));
    });
  });
}

/** Runs `body` with a plain node:net server on a free 127.0.0.1 port, closed afterwards. */
export async function withServer(
  body: (server: net.Server, port: number) => Promise<void>,
): Promise<void> {
  const server = net.createServer();
  const port = await listen(server);
  try {
    await body(server, port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Checks that `opener`'s `write()` settles only once the socket took all the bytes (the server
 * reads nothing until it resumes, and 16 MiB do not fit in the kernel's buffers), in order.
 */
export function writeWaitsForDrain(opener: TransportOpener): Promise<void> {
  return withServer(async (server, port) => {
    const accepted = nextSocket(server);
    const transport = await opener({ kind: "tcp", host: "127.0.0.1", port }, new Recorder());
    const socket = await accepted;
    socket.pause();
    const first = pattern(16 * 1024 * 1024, 1);
    const second = pattern(1000, 2);
    let resumed = false;
    const settled: string[] = [];
    const writes = [
      transport.write(first).then(() => settled.push(resumed ? "first" : "first too early")),
      transport.write(second).then(() => settled.push(resumed ? "second" : "second too early")),
    ];
    await new Promise((resolve) => setImmediate(resolve)); // an early settlement shows by now
    assert.deepEqual(settled, [], "resolved before the socket took all the bytes");
    const received = readBytes(socket, first.length + second.length);
    resumed = true;
    socket.resume();
    await Promise.all(writes);
    assert.deepEqual(settled, ["first", "second"]);
    const bytes = await received;
    assert.ok(bytes.subarray(0, first.length).every((byte, i) => byte === first[i]));
    assert.deepEqual(bytes.subarray(first.length), second);
    transport.close();
  });
}

/** Whether `write` settles within the turn it was made in (after its microtasks, before the next). */
async function settlesWithinTheTurn(write: Promise<void>): Promise<boolean> {
  let settled = false;
  const watched = write.then(() => (settled = true));
  for (let i = 0; i < 100; i++) await null; // the microtasks of this turn
  const within = settled;
  await watched;
  return within;
}

/**
 * `opener`'s `write()` of bytes the socket takes at once settles after the event loop's turn when
 * under {@link TURN_BATCH} bytes, not in a microtask: what a client pushes meanwhile (a loop
 * publishing one message per microtask) waits for it and goes out in one write, not one system
 * call per message. A write of TURN_BATCH bytes or more (a batch already) settles within the
 * turn, so a burst is not spread over turns.
 */
export function writeSettlesByItsSize(opener: TransportOpener): Promise<void> {
  return withServer(async (server, port) => {
    const accepted = nextSocket(server);
    const transport = await opener({ kind: "tcp", host: "127.0.0.1", port }, new Recorder());
    const socket = await accepted;
    try {
      const writes = [
        pattern(10, 1),
        pattern(10, 2),
        pattern(TURN_BATCH, 3),
        pattern(TURN_BATCH - 1, 4),
      ];
      const received = readBytes(socket, writes.reduce((n, w) => n + w.length, 0));
      assert.equal(
        await settlesWithinTheTurn(transport.write(writes[0]!)),
        false,
        "settled within the turn it was made in",
      );
      await transport.write(writes[1]!);
      assert.equal(
        await settlesWithinTheTurn(transport.write(writes[2]!)),
        true,
        "a large write waited for the turn",
      );
      assert.equal(
        await settlesWithinTheTurn(transport.write(writes[3]!)),
        false,
        "a write one byte smaller settled within the turn",
      );
      assert.deepEqual(await received, new Uint8Array(writes.flatMap((w) => [...w])));
    } finally {
      transport.close();
      socket.destroy();
    }
  });
}

/**
 * A dense stream of 4,000 small writes from the server reaches `opener`'s transport whole and in
 * order, with `readPacing` on or off (pausing between reads must lose and reorder nothing).
 */
export function denseStreamArrives(opener: TransportOpener, readPacing: boolean): Promise<void> {
  return withServer(async (server, port) => {
    const accepted = nextSocket(server);
    const recorder = new Recorder();
    const target: TransportTarget = { kind: "tcp", host: "127.0.0.1", port };
    const transport = await opener(target, recorder, { readPacing });
    const socket = await accepted;
    const sent = Array.from({ length: 4000 }, (_, i) => pattern(60, i));
    for (const chunk of sent) socket.write(chunk); // many packets, as a broker sends them
    await recorder.until(() => recorder.received === 4000 * 60);
    assert.deepEqual(recorder.bytes(), new Uint8Array(sent.flatMap((chunk) => [...chunk])));
    transport.close();
  });
}

/**
 * What the receiver's `onData` returns reaches `opener`'s read pacer: a receiver that asks to read
 * on (true) has every read passed as `readOn` (never paused), one that returns nothing has the
 * reads that did not fill the buffer passed as they are. (The pacer's method is wrapped to see
 * its arguments, whether or not the stream is dense enough to be paced.)
 */
export function receiverCanAskToReadOn(opener: TransportOpener): Promise<void> {
  const afterRead = ReadPacer.prototype.afterRead;
  const seen: boolean[] = [];
  ReadPacer.prototype.afterRead = function (this: ReadPacer, n: number, readOn: boolean) {
    seen.push(readOn);
    return afterRead.call(this, n, readOn);
  };
  return withServer(async (server, port) => {
    for (const askToReadOn of [true, false]) {
      seen.length = 0;
      const accepted = nextSocket(server);
      let received = 0;
      let arrived: (() => void) | undefined;
      const handlers = {
        onData(chunk: Uint8Array) {
          received += chunk.length;
          arrived?.();
          return askToReadOn ? true : undefined;
        },
        onClose() {},
      };
      const target: TransportTarget = { kind: "tcp", host: "127.0.0.1", port };
      const transport = await opener(target, handlers, { readPacing: true });
      const socket = await accepted;
      for (let i = 0; i < 20; i++) {
        socket.write(pattern(60, i));
        await new Promise((resolve) => setImmediate(resolve));
      }
      while (received < 20 * 60) await new Promise<void>((resolve) => (arrived = resolve));
      transport.close();
      assert.ok(seen.length > 0, "the pacer saw no read");
      if (askToReadOn) assert.ok(seen.every((readOn) => readOn), `readOn: ${seen.join(",")}`);
      else assert.ok(seen.includes(false), `readOn: ${seen.join(",")}`);
    }
  }).finally(() => (ReadPacer.prototype.afterRead = afterRead));
}

/** `opener` connects to a unix socket path (an echo server) and exchanges bytes both ways. */
export async function unixSocketEchoes(opener: TransportOpener): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "korero-"));
  const path = join(dir, "broker.sock");
  const server = net.createServer((socket) => socket.on("data", (d) => socket.write(d)));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    const recorder = new Recorder();
    const transport = await opener({ kind: "unix", host: "", port: 0, path }, recorder);
    await transport.write(new Uint8Array([1, 2, 3]));
    await recorder.until(() => recorder.received === 3);
    assert.deepEqual(recorder.bytes(), new Uint8Array([1, 2, 3]));
    transport.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
