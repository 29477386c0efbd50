/**
 * Loopback port helpers for tests (node:net only, so they run on Deno and Bun).
 * @module
 */

import { readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";

const HOST = "127.0.0.1";
const LOWEST = 20_000;
const BLOCK = 128;

/** The block of ports this module hands out from; `lock` listens on the block's first port. */
let block: { next: number; end: number; lock: Server } | undefined;

/**
 * A 127.0.0.1 port that nothing listens on now and that no other user of this module (in this
 * or another process) will be given, so a broker can be restarted on it later.
 *
 * Ports come from a block of 128 below the kernel's ephemeral range (so no client connection
 * takes one as its local port): the block belongs to whoever listens on its first port, and this
 * module holds that listener until the process exits. Ports are never handed out twice.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 4 * BLOCK; tries++) {
    if (block === undefined || block.next >= block.end) block = await claimBlock();
    if (block === undefined) break;
    const port = block.next++;
    if (await tryListen(port) !== undefined) return port;
  }
  const port = await tryListen(0); // no /proc or no free block: let the kernel choose
  if (port === undefined) throw new Error("No free 127.0.0.1 port");
  return port;
}

/** Whether a TCP connection to `host:port` is accepted (within `timeoutMs`). */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Claims a free block by listening on its first port; the listener stays open (unref'd). */
async function claimBlock(): Promise<typeof block> {
  const count = Math.floor((ephemeralStart() - LOWEST) / BLOCK);
  const first = Math.floor(Math.random() * Math.max(count, 0));
  for (let i = 0; i < count; i++) {
    const lockPort = LOWEST + ((first + i) % count) * BLOCK;
    const lock = await listen(lockPort);
    if (lock === undefined) continue;
    lock.unref();
    return { next: lockPort + 1, end: lockPort + BLOCK, lock };
  }
  return undefined;
}

/** A server listening on `port`, or undefined if the port is taken. */
function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", () => resolve(undefined));
    server.listen({ host: HOST, port, exclusive: true }, () => resolve(server));
  });
}

/** Listens on `port` (0 = any) and closes again; the port, or undefined if it was taken. */
async function tryListen(port: number): Promise<number | undefined> {
  const server = await listen(port);
  if (server === undefined) return undefined;
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address !== null ? address.port : undefined;
}

/** The first port of Linux's ephemeral range, or 0 when unknown (no /proc). */
function ephemeralStart(): number {
  try {
    const text = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
    const start = Number.parseInt(text.trim().split(/\s+/)[0] ?? "", 10);
    return Number.isFinite(start) ? start : 0;
  } catch {
    return 0;
  }
}
