/**
 * The TCP listener on Node: `node:net`, from `process.getBuiltinModule` (no `node:` import, so
 * a bundler for browsers finds none).
 *
 * @module
 */

import type * as Net from "node:net";
import type { Accept, ListenAddress, Listener } from "./listener.ts";

/** The runtime's `node:net`. */
function net(): typeof Net {
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  if (process?.getBuiltinModule === undefined) {
    throw new Error("The broker's TCP listener needs Deno, Bun or Node 20.16+");
  }
  return process.getBuiltinModule("node:net") as typeof Net;
}

/** Listens on `address` with `node:net`. */
export async function listenNode(address: ListenAddress, accept: Accept): Promise<Listener> {
  const sockets = new Set<Net.Socket>();
  const server = net().createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const peer = accept({
      write: (bytes) => void socket.write(bytes),
      close: () => void socket.end(),
    });
    socket.on("data", (chunk: Uint8Array) => peer.data(new Uint8Array(chunk)));
    socket.on("error", () => {}); // close follows
    socket.on("close", () => {
      sockets.delete(socket);
      peer.closed();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.hostname, () => resolve());
  });
  return {
    port: (server.address() as Net.AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.end();
      // A client that keeps its side open is cut after a grace period.
      const timer = setTimeout(() => sockets.forEach((socket) => socket.destroy()), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
