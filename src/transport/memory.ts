/**
 * An in-memory duplex transport for tests: the client side is a {@link TransportOpener}, the
 * server side a {@link MemoryServer} that a fake broker drives. Bytes are copied and delivered
 * in a later microtask, so code under test sees socket-like asynchrony.
 *
 * @example
 * ```ts
 * import { memoryPair } from "./memory.ts";
 * const { opener, server } = memoryPair();
 * server.onConnection = (connection) => {
 *   connection.onData = (bytes) => connection.write(bytes); // echo
 * };
 * const transport = await opener(
 *   { kind: "tcp", host: "memory", port: 1883 },
 *   { onData: () => {}, onClose: () => {} },
 * );
 * await transport.write(new Uint8Array([1, 2, 3]));
 * ```
 * @module
 */

import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";

/** The server end of one in-memory connection. */
export interface MemoryConnection {
  /** Where the client asked to connect. */
  readonly target: TransportTarget;
  /** Whether either side closed or dropped it. */
  readonly closed: boolean;
  /** Receives the bytes the client writes (a copy per write). */
  onData: ((bytes: Uint8Array) => void) | undefined;
  /** Called once when the client closes the connection. */
  onClose: (() => void) | undefined;
  /** Sends bytes to the client (copied; delivered in a later microtask). */
  write(bytes: Uint8Array): void;
  /** Closes cleanly: the client sees `onClose()` without an error after pending bytes. */
  close(): void;
  /** Breaks the connection abruptly: the client sees `onClose(error)`; pending bytes are lost. */
  drop(error?: Error): void;
}

/** The listening side of a {@link memoryPair}. */
export interface MemoryServer {
  /** Called for every connection the client opens (before the opener resolves). */
  onConnection: ((connection: MemoryConnection) => void) | undefined;
  /**
   * Decides each connection attempt: return an `Error` to refuse it, a promise to delay it (the
   * attempt completes when it settles, or fails if it rejects), or nothing to accept it at once.
   */
  onOpen: ((target: TransportTarget) => Error | Promise<void> | void) | undefined;
  /** Every connection made so far, oldest first. */
  readonly connections: MemoryConnection[];
  /** The newest connection, if any. */
  readonly current: MemoryConnection | undefined;
}

/** Creates a connected in-memory client opener and server. */
export function memoryPair(): { opener: TransportOpener; server: MemoryServer } {
  const connections: MemoryConnection[] = [];
  const server: MemoryServer = {
    onConnection: undefined,
    onOpen: undefined,
    connections,
    get current() {
      return connections[connections.length - 1];
    },
  };
  const opener: TransportOpener = async (target, handlers, options = {}) => {
    const signal = options.signal;
    signal?.throwIfAborted();
    const decision = server.onOpen?.(target);
    if (decision instanceof Error) {
      await Promise.resolve();
      throw decision;
    }
    await (decision === undefined ? Promise.resolve() : abortable(decision, signal));
    signal?.throwIfAborted();
    const pipe = new Pipe(target, handlers);
    connections.push(pipe);
    server.onConnection?.(pipe);
    return pipe.client;
  };
  return { opener, server };
}

class Pipe implements MemoryConnection {
  readonly target: TransportTarget;
  onData: ((bytes: Uint8Array) => void) | undefined = undefined;
  onClose: (() => void) | undefined = undefined;
  closed = false;
  readonly client: Transport;
  #handlers: TransportHandlers;

  constructor(target: TransportTarget, handlers: TransportHandlers) {
    this.target = target;
    this.#handlers = handlers;
    this.client = {
      write: (bytes) => {
        if (this.closed) return Promise.reject(new Error("Cannot write: the connection is closed"));
        const copy = bytes.slice();
        queueMicrotask(() => {
          if (!this.closed) this.onData?.(copy);
        });
        return Promise.resolve();
      },
      close: () => {
        if (this.closed) return;
        this.closed = true;
        queueMicrotask(() => this.onClose?.());
      },
    };
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => {
      if (!this.closed) this.#handlers.onData(copy);
    });
  }

  close(): void {
    if (this.closed) return;
    // After the bytes already queued by write(), which run first.
    queueMicrotask(() => {
      if (this.closed) return;
      this.closed = true;
      this.#handlers.onClose();
    });
  }

  drop(error = new Error("Connection reset (memory transport dropped)")): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.#handlers.onClose(error));
  }
}
