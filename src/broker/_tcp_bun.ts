/**
 * The TCP listener on Bun: `Bun.listen`; the writes of one turn go out as one, and what Bun
 * cannot take yet waits for `drain`.
 *
 * @module
 */

import { type Accept, concat, type ListenAddress, type Listener, type Peer } from "./listener.ts";

/** The members of a Bun server socket used here (Bun types are not assumed). */
interface BunSocket {
  data: State;
  write(bytes: Uint8Array): number;
  end(): void;
  setNoDelay?(noDelay?: boolean): void;
}
interface State {
  peer: Peer;
  /** Bytes not yet handed to Bun (a partly written chunk first). */
  out: Uint8Array[];
  /** A flush is due in a microtask (the writes of one turn go out as one). */
  scheduled: boolean;
  /** Bun took part of the last write: wait for `drain`. */
  blocked: boolean;
  closing: boolean;
  ended: boolean;
}
interface BunListener {
  readonly port: number;
  stop(closeActive?: boolean): void;
}
type BunApi = {
  listen(options: {
    hostname: string;
    port: number;
    socket: {
      open(socket: BunSocket): void;
      data(socket: BunSocket, data: Uint8Array): void;
      drain(socket: BunSocket): void;
      close(socket: BunSocket): void;
      error(socket: BunSocket, error: Error): void;
    };
  }): BunListener;
};

/** How long `close()` waits for the connections' last bytes before it cuts them. */
const CLOSE_GRACE_MS = 2_000;

/** Listens on `address` with `Bun.listen`. */
export function listenBun(address: ListenAddress, accept: Accept): Listener {
  const bun = (globalThis as { Bun?: BunApi }).Bun!;
  const sockets = new Set<BunSocket>();
  const waiters = new Set<() => void>();
  const server = bun.listen({
    ...address,
    socket: {
      open(socket) {
        socket.setNoDelay?.(true);
        sockets.add(socket);
        const state: State = {
          peer: undefined!,
          out: [],
          scheduled: false,
          blocked: false,
          closing: false,
          ended: false,
        };
        socket.data = state;
        state.peer = accept({
          write: (bytes) => {
            if (state.closing || state.ended) return;
            state.out.push(bytes);
            schedule(socket);
          },
          close: () => {
            state.closing = true;
            schedule(socket);
          },
        });
      },
      data(socket, data) {
        socket.data.peer.data(new Uint8Array(data)); // a copy, as a plain Uint8Array
      },
      drain(socket) {
        socket.data.blocked = false;
        flush(socket);
      },
      close(socket) {
        sockets.delete(socket);
        const state = socket.data;
        state.ended = true;
        state.peer.closed();
        if (sockets.size === 0) { for (const wake of waiters) wake(); }
      },
      error() {
        // close follows
      },
    },
  });
  return {
    port: server.port,
    async close() {
      server.stop(false);
      for (const socket of sockets) {
        socket.data.closing = true;
        schedule(socket);
      }
      if (sockets.size > 0) {
        // A client that takes no bytes (so the last ones never flush) is cut after a grace period.
        const timer = setTimeout(() => server.stop(true), CLOSE_GRACE_MS);
        await new Promise<void>((resolve) => waiters.add(resolve));
        clearTimeout(timer);
      }
      server.stop(true);
    },
  };
}

/** Flushes in a microtask, unless one is due or Bun is not taking bytes. */
function schedule(socket: BunSocket): void {
  const state = socket.data;
  if (state.scheduled || state.blocked) return;
  state.scheduled = true;
  queueMicrotask(() => {
    state.scheduled = false;
    flush(socket);
  });
}

/** Hands Bun everything queued as one write; ends the socket once all went out on close. */
function flush(socket: BunSocket): void {
  const state = socket.data;
  if (state.ended || state.blocked) return;
  if (state.out.length > 0) {
    const bytes = concat(state.out);
    state.out = [];
    const n = socket.write(bytes);
    if (n >= 0 && n < bytes.length) {
      state.out.push(bytes.subarray(n));
      state.blocked = true;
      return;
    }
  }
  if (state.closing) socket.end();
}
