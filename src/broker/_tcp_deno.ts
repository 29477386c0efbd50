/**
 * The TCP listener on Deno: `Deno.listen`, one read loop per connection.
 *
 * @module
 */

import { type Accept, type ListenAddress, type Listener, WriteQueue } from "./listener.ts";

/** The members of a Deno connection used here (Deno types are not assumed). */
interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}
interface DenoListener extends AsyncIterable<DenoConn> {
  readonly addr: { port: number };
  close(): void;
}
type DenoApi = {
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
};

const READ_SIZE = 64 * 1024;
/** How long `close()` waits for the connections' last bytes before it cuts them. */
const CLOSE_GRACE_MS = 2_000;

/** Listens on `address` with `Deno.listen`. */
export function listenDeno(address: ListenAddress, accept: Accept): Listener {
  const deno = (globalThis as { Deno?: DenoApi }).Deno!;
  const listener = deno.listen({ ...address, transport: "tcp" });
  const open = new Set<Promise<void>>();
  const links = new Set<{ queue: WriteQueue; shut: () => void }>();
  (async () => {
    try {
      for await (const conn of listener) {
        const done = serve(conn, accept, links);
        open.add(done);
        done.finally(() => open.delete(done));
      }
    } catch {
      // the listener was closed
    }
  })();
  return {
    port: listener.addr.port,
    async close() {
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const { queue } of links) queue.end();
      // A client that takes no bytes (so the last ones never flush) is cut after a grace period.
      const timer = setTimeout(() => links.forEach(({ shut }) => shut()), CLOSE_GRACE_MS);
      await Promise.all(open);
      clearTimeout(timer);
    },
  };
}

async function serve(
  conn: DenoConn,
  accept: Accept,
  links: Set<{ queue: WriteQueue; shut: () => void }>,
): Promise<void> {
  conn.setNoDelay?.(true);
  let closed = false;
  const shut = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const queue = new WriteQueue(async (bytes) => {
    for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
  }, shut);
  const link = { queue, shut };
  links.add(link);
  const peer = accept({ write: (bytes) => queue.push(bytes), close: () => queue.end() });
  const buffer = new Uint8Array(READ_SIZE);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      peer.data(buffer.slice(0, n));
    }
  } catch {
    // reset, or closed by us
  }
  links.delete(link);
  queue.abort();
  shut();
  peer.closed();
}
