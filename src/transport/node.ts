/**
 * The Node.js adapter: TCP, TLS and unix sockets through `node:net` / `node:tls`. Node 24 runs
 * this file unbuilt (type stripping), so it holds only erasable TypeScript.
 *
 * TLS: the opener resolves after the handshake with an authorized server (always verified, also
 * under `NODE_TLS_REJECT_UNAUTHORIZED=0`); a failed handshake rejects with a {@link TlsError}.
 * OpenSSL accepts a self-signed server certificate given as its own `ca`, with basicConstraints
 * CA:FALSE or CA:TRUE (Deno refuses the CA:TRUE one; see the Deno adapter).
 *
 * Dialling (TLS options, proxies, error codes) is `_node_dial.ts`'s; this file is the opener and
 * the connection once dialled.
 *
 * @example
 * ```ts
 * import { MqttClient } from "@korero/mqtt";
 * import { openNode } from "./node.ts";
 *
 * // The default transport picks openNode on Node by itself; passing it is for custom setups.
 * const client = new MqttClient({ url: "mqtt://localhost:1883", transport: openNode });
 * ```
 * @module
 */

import type { Socket } from "node:net";
import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";
import { ReadPacer } from "./_read_pacer.ts";
import { takenWrite } from "./_next_turn.ts";
import { address, connectError, isTlsAlert, tlsError } from "./_errors.ts";
import { describe, dial, proxyTunnel } from "./_node_dial.ts";

/**
 * Bytes one read may take. Reads go into a reused buffer (Node's `onread`) and each chunk is a
 * copy of the bytes read, as in the Deno adapter; pausing that socket stops reading from the
 * kernel, which is what read pacing needs. A TLS read yields at most one record (16 KiB).
 */
const READ_SIZE = 64 * 1024;
const TLS_RECORD = 16 * 1024;
/**
 * The read buffer of every connection: Node reads into it and calls back at once, and the
 * callback copies what was read before it returns, so connections can share one (an idle
 * connection then keeps no read memory of its own).
 */
let readBuffer: Uint8Array | undefined;
const sharedReadBuffer = () => (readBuffer ??= new Uint8Array(READ_SIZE));
/** How long `close()` lets Node flush what it holds before it drops the connection. */
const CLOSE_GRACE_MS = 5_000;

/** Opens a TCP, TLS or unix socket connection with Node's `node:net` and `node:tls`. */
export const openNode: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  let tunnelled: Socket | undefined;
  if (target.proxy !== undefined) {
    tunnelled = await abortable(proxyTunnel(target), signal, (socket) => socket.destroy());
  }
  let connecting!: Settlers;
  const opened = new Promise<void>((resolve, reject) => (connecting = { resolve, reject }));
  const readPacing = options.readPacing ?? true;
  const transport = new NodeTransport(target, handlers, readPacing, connecting, tunnelled);
  const giveUp = () => transport.close(); // before abortable's listener: the reason still wins
  signal?.addEventListener("abort", giveUp, { once: true });
  try {
    await abortable(opened, signal, giveUp);
  } finally {
    signal?.removeEventListener("abort", giveUp);
  }
  return transport;
};

/** Settles a promise. */
interface Settlers {
  resolve(): void;
  reject(error: Error): void;
}

/** Where a socket keeps its transport, for the socket listeners all connections share. */
const TRANSPORT = Symbol("korero.transport");

/** A socket with its transport. */
type OwnedSocket = Socket & { [TRANSPORT]: NodeTransport };

/**
 * One connection. Its socket's event listeners are functions shared by every connection (Node
 * calls a listener with the socket as `this`, and the socket keeps its transport), so an idle
 * connection keeps one closure of its own: its `onread` callback.
 */
class NodeTransport implements Transport {
  readonly #handlers: TransportHandlers;
  readonly #socket: Socket;
  readonly #target: TransportTarget;
  /** Pauses ~2 ms between reads under a dense stream (`_read_pacer.ts`). */
  readonly #pacer: ReadPacer | undefined;
  /** A read of this many bytes filled the buffer: more are waiting. */
  readonly #full: number;
  /** Settles the opener's promise, until it settled. */
  #connecting: Settlers | undefined;
  /** Writes waiting for `drain`. */
  #waiting: Settlers[] | undefined = undefined;
  #ready = false;
  /** For TLS, from the TCP connection on: a failure before data arrived is the handshake's. */
  #handshaking: boolean;
  /** Whether data arrived: a TLS alert before it is a TlsError (see isTlsAlert). */
  #received = false;
  #closed = false;
  /** The error Node reported before closing (its `close` event carries none). */
  #error: Error | undefined;

  /**
   * `connecting` resolves once connected (and the TLS handshake done), or rejects with why not;
   * `tunnel`: a socket a proxy opened to the broker (read through `data` events, unpaced).
   */
  constructor(
    target: TransportTarget,
    handlers: TransportHandlers,
    readPacing: boolean,
    connecting: Settlers,
    tunnel?: Socket,
  ) {
    this.#handlers = handlers;
    this.#target = target;
    this.#connecting = connecting;
    this.#pacer = readPacing ? new ReadPacer() : undefined;
    this.#full = target.kind === "tls" ? TLS_RECORD : READ_SIZE;
    this.#handshaking = tunnel !== undefined && target.kind === "tls";
    // Not a shared function: Bun's node:net calls `onread` without the socket as `this`.
    const onread = {
      buffer: sharedReadBuffer,
      callback: (n: number, into: Uint8Array) => this.#read(into, n, n >= this.#full),
    };
    const socket = this.#socket = dial(target, onread, tunnel);
    (socket as OwnedSocket)[TRANSPORT] = this;
    const listeners = NodeTransport.#listeners;
    if (tunnel !== undefined) {
      socket.on("data", listeners.data);
      if (target.kind === "tcp") {
        this.#opened();
        socket.resume();
      }
    }
    if (tunnel === undefined || target.kind !== "tcp") {
      socket.once(target.kind === "tls" ? "secureConnect" : "connect", listeners.opened);
    }
    socket.once("connect", listeners.connected);
    socket.on("close", listeners.close);
    socket.on("drain", listeners.drain);
    socket.on("error", listeners.error);
  }

  /** The socket listeners of every connection; each finds its transport on the socket. */
  static readonly #listeners = {
    /** A tunnelled socket's bytes. */
    data(this: OwnedSocket, chunk: Uint8Array): void {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length); // not a Buffer
      this[TRANSPORT].#read(bytes, bytes.length, false, false);
    },
    /** Connected (TLS: handshake done). */
    opened(this: OwnedSocket): void {
      this[TRANSPORT].#opened();
    },
    /** The TCP connection is made: for TLS, the handshake starts. */
    connected(this: OwnedSocket): void {
      const transport = this[TRANSPORT];
      transport.#handshaking = transport.#target.kind === "tls";
    },
    close(this: OwnedSocket): void {
      this[TRANSPORT].#socketClosed();
    },
    drain(this: OwnedSocket): void {
      const transport = this[TRANSPORT];
      const waiting = transport.#waiting;
      transport.#waiting = undefined;
      for (const pending of waiting ?? []) pending.resolve();
    },
    error(this: OwnedSocket, error: Error): void {
      this[TRANSPORT].#error ??= error;
    },
  };

  /** Connected (and the TLS handshake done): the opener resolves. */
  #opened(): void {
    if (this.#target.kind !== "unix") this.#socket.setNoDelay(true);
    this.#ready = true;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    connecting?.resolve();
  }

  /** The socket closed: the end of an open connection, or why it could not be opened. */
  #socketClosed(): void {
    const target = this.#target;
    const error = this.#error;
    const why = error && describe(error);
    if (this.#ready && this.#handshaking && !this.#received && isTlsAlert(error)) {
      return this.#end(tlsError(target, error));
    }
    if (this.#ready) {
      return this.#end(
        error &&
          new Error(`The connection to ${address(target)} failed: ${why}`, { cause: error }),
      );
    }
    const what = why ?? "the connection closed before it was ready";
    const connecting = this.#connecting;
    this.#connecting = undefined;
    connecting?.reject(
      this.#handshaking ? tlsError(target, error) : connectError(target, error, what),
    );
    this.#shut(new Error("Cannot write: the connection was not made"));
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot write: the connection is closed"));
    if (this.#socket.write(bytes)) return takenWrite(bytes.length);
    return new Promise((resolve, reject) => (this.#waiting ??= []).push({ resolve, reject }));
  }

  close(): void {
    const stuck = this.#waiting !== undefined;
    if (!this.#shut(new Error("Cannot write: the connection was closed"))) return;
    const socket = this.#socket;
    if (stuck || !this.#ready) return void socket.destroy();
    // The bytes Node still holds go out first (a DISCONNECT, say), unless the peer takes none.
    socket.end(() => socket.destroy());
    socket.setTimeout(CLOSE_GRACE_MS, () => socket.destroy());
  }

  /**
   * Hands a copy of what was read to `onData`; under a dense stream (and if `paced`), pauses a
   * tick after it.
   */
  #read(buffer: Uint8Array, n: number, full: boolean, paced = true): true {
    if (this.#closed) return true;
    this.#received = true;
    // Uint8Array's slice: a copy (a Buffer's: a view).
    const eager = this.#handlers.onData(buffer.slice(0, n)) === true;
    const pause = paced ? this.#pacer?.afterRead(n, full || eager) : undefined;
    if (pause !== undefined) {
      this.#socket.pause(); // with `onread`, this stops reading from the kernel
      pause.then(() => this.#closed || this.#socket.resume());
    }
    return true;
  }

  /** The connection ended without a `close()` from us: report it once. */
  #end(error: Error | undefined): void {
    const message = `Cannot write: ${error?.message ?? "the connection closed"}`;
    if (this.#shut(new Error(message, { cause: error }))) this.#handlers.onClose(error);
  }

  /** Marks the transport closed and fails its pending writes; false if it already was. */
  #shut(error: Error): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    for (const pending of waiting ?? []) pending.reject(error);
    return true;
  }
}
