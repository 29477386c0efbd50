/**
 * The Bun adapter: TCP, TLS and unix sockets through `Bun.connect`. Deno type-checks this file
 * too and has no `Bun` types: the members used are declared here, and `Bun` read from globalThis.
 *
 * TLS: the opener resolves after the handshake, and only if Bun authorized the server (its
 * `authorizationError` is checked, so `NODE_TLS_REJECT_UNAUTHORIZED=0` changes nothing); else it
 * rejects with a {@link TlsError}. Bun verifies with BoringSSL, as Node does with OpenSSL: a
 * self-signed server certificate given as its own `ca` is accepted, with basicConstraints CA:FALSE
 * or CA:TRUE (Deno refuses the CA:TRUE one; see the Deno adapter).
 *
 * @module
 */

import { ReadPacer } from "./_read_pacer.ts";
import { takenWrite } from "./_next_turn.ts";
import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";
import { connectError, isTlsAlert, reasonOf, tlsError } from "./_errors.ts";

/** The members of a Bun socket used here. `write` takes what it can now: a count, -1 once closed. */
interface BunSocket {
  /** What `Bun.connect` was given as `data`: the socket's transport. */
  readonly data: BunTransport;
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay(noDelay: boolean): boolean;
  /** Stops reading from the kernel until `resume()`. */
  pause(): void;
  resume(): void;
}

/** Bun's socket callbacks. `data` gets a fresh Buffer per call (Bun 1.4 reuses none). */
interface BunSocketHandler {
  open(socket: BunSocket): void;
  handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
  close(socket: BunSocket, error?: Error): void;
}

type BunTls = { ca?: string | string[]; cert?: string; key?: string; serverName: string };
type BunAddress = { unix: string } | { hostname: string; port: number; tls?: BunTls };
type BunConnectOptions = BunAddress & { data: BunTransport; socket: BunSocketHandler };
type BunApi = { connect(options: BunConnectOptions): Promise<BunSocket> };

/** A read this large filled Bun's read buffer: more is waiting, so it is not paced. */
const FULL_READ = 64 * 1024;

/** Opens a TCP, TLS or unix socket connection with Bun's API. */
export const openBun: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  const bun = (globalThis as { Bun?: BunApi }).Bun;
  if (bun === undefined) throw new Error("Cannot open a Bun transport: this runtime is not Bun");
  if (needsNodeSockets(target)) {
    // Bun.connect has no local bind, proxy tunnel, ALPN, partial verification or key passphrase: Bun's
    // node:net / node:tls do.
    const { openNode } = await import("./node.ts");
    return openNode(target, handlers, options);
  }
  const transport = new BunTransport(handlers, options.readPacing ?? true);
  await abortable(transport.connect(bun, target), signal, () => transport.close());
  return transport;
};

/** Whether `target` asks for what only Bun's `node:net` / `node:tls` can do. */
function needsNodeSockets(target: TransportTarget): boolean {
  const tls = target.tls;
  return target.bind !== undefined || target.proxy !== undefined ||
    tls?.alpnProtocols !== undefined ||
    tls?.insecure === true || tls?.rejectUnauthorized === false || tls?.passphrase !== undefined ||
    tls?.minVersion !== undefined || tls?.maxVersion !== undefined || tls?.ciphers !== undefined;
}

/** Where Bun dials: a unix path, or host and port; for TLS, the name it sends (SNI) and verifies. */
function address(target: TransportTarget): BunAddress {
  if (target.kind === "unix") {
    if (target.path === undefined) throw new TypeError("A unix transport target needs a path");
    return { unix: target.path };
  }
  const dial = { hostname: target.host, port: target.port };
  if (target.kind === "tcp") return dial;
  const { ca, cert, key, servername } = target.tls ?? {};
  const pem = { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
  return { ...dial, tls: { ...pem, serverName: servername ?? target.host } }; // verified by default
}

/**
 * One connection. Its socket callbacks are one object shared by every connection, finding the
 * transport as the socket's `data`: an idle connection keeps no closures of its own.
 */
class BunTransport implements Transport {
  readonly #handlers: TransportHandlers;
  #socket: BunSocket | undefined;
  /** Writes in order: what is left of each, and its promise; only the head is being taken. */
  #queue: { bytes: Uint8Array; resolve(): void; reject(error: Error): void }[] | undefined =
    undefined;
  /** Set once `connect()` resolved: from then on a close is reported to `onClose`. */
  #opened = false;
  #closed = false;
  /** The error Bun reported before closing (its `close` callback may not carry it). */
  #error: Error | undefined;
  /** Where it connects (for error messages). */
  #target: TransportTarget | undefined = undefined;
  /** For TLS, from the TCP connection until data arrived: a failure is the handshake's. */
  #handshaking = false;
  /** Settles `connect()`'s promise, until it settled. */
  #connecting: { resolve(): void; reject(error: Error): void } | undefined = undefined;

  /** Pauses ~2 ms between reads under a dense stream (`_read_pacer.ts`). */
  readonly #pacer: ReadPacer | undefined;

  constructor(handlers: TransportHandlers, readPacing: boolean) {
    this.#handlers = handlers;
    this.#pacer = readPacing ? new ReadPacer() : undefined;
  }

  /** Bun's socket callbacks for every connection; each finds its transport as `socket.data`. */
  static readonly #callbacks: BunSocketHandler = {
    open: (socket) => socket.data.#onOpen(socket),
    handshake: (socket, success, authorizationError) =>
      socket.data.#onHandshake(socket, success, authorizationError),
    data: (socket, data) => socket.data.#onData(socket, data),
    drain: (socket) => socket.data.#flush(),
    error: (socket, error) => void (socket.data.#error ??= error),
    close: (socket, error = socket.data.#error) => socket.data.#onClose(error),
  };

  /** Dials `target`; resolves once the connection (and its TLS handshake) is established. */
  connect(bun: BunApi, target: TransportTarget): Promise<void> {
    this.#target = target;
    const promise = new Promise<void>((
      resolve,
      reject,
    ) => (this.#connecting = { resolve, reject }));
    const dial = address(target);
    new Promise<BunSocket>((connected) =>
      connected(bun.connect({ ...dial, data: this, socket: BunTransport.#callbacks }))
    ).catch((error: Error) => this.#fail("", error));
    return promise;
  }

  #onOpen(socket: BunSocket): void {
    this.#socket = socket;
    const kind = this.#target!.kind;
    if (kind !== "unix") socket.setNoDelay(true);
    if (kind !== "tls") this.#ready();
    else this.#handshaking = true;
  }

  #onHandshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void {
    // An authorizationError with success: NODE_TLS_REJECT_UNAUTHORIZED=0 let it through.
    if (success && authorizationError === null) return this.#ready();
    this.#refuse(authorizationError ?? new Error("the server was not authorized"));
    socket.end();
  }

  #onData(socket: BunSocket, data: Uint8Array): void {
    if (this.#closed) return;
    this.#handshaking = false;
    // A plain Uint8Array view: the codec expects its `slice` (a copy), not Buffer's (a view).
    const n = data.byteLength;
    const eager = this.#handlers.onData(new Uint8Array(data.buffer, data.byteOffset, n)) === true;
    const pause = this.#pacer?.afterRead(n, eager || n >= FULL_READ);
    if (pause !== undefined) {
      socket.pause();
      pause.then(() => this.#closed || socket.resume());
    }
  }

  #onClose(error: Error | undefined): void {
    const target = this.#target!;
    if (this.#opened && this.#handshaking && isTlsAlert(error)) {
      return this.#end(tlsError(target, error));
    }
    if (this.#opened) return this.#end(error);
    if (this.#handshaking) return this.#refuse(error);
    this.#fail("the connection closed before it was ready: ", error);
  }

  /** The connection is established: `connect()` resolves. */
  #ready(): void {
    this.#opened = true;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    connecting?.resolve();
  }

  /** The connection could not be made: `connect()` rejects (`what` and the cause say why). */
  #fail(what: string, cause: Error | null | undefined): void {
    const target = this.#target!;
    this.#rejectConnect(connectError(target, cause, `${what}${reasonOf(cause)}`));
  }

  /** The TLS handshake failed: `connect()` rejects with a TlsError. */
  #refuse(cause: Error | null | undefined): void {
    this.#rejectConnect(tlsError(this.#target!, cause ?? undefined));
  }

  #rejectConnect(error: Error): void {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    connecting?.reject(error);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot write: the connection is closed"));
    const socket = this.#socket;
    let flush = true;
    if (this.#queue === undefined && socket !== undefined) {
      // The common case: the socket takes all of it now, and no promise waits in the queue.
      const taken = socket.write(bytes);
      if (taken === bytes.length) return takenWrite(taken);
      if (taken >= 0) {
        bytes = bytes.subarray(taken);
        flush = false; // the rest waits for `drain`
      }
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queue ??= [];
      queue.push({ bytes, resolve, reject });
      if (flush && queue.length === 1) this.#flush();
    });
  }

  close(): void {
    if (this.#shut(new Error("Cannot write: the connection was closed"))) this.#socket?.end();
  }

  /** Hands queued bytes to the socket until it takes less than offered (then `drain` resumes). */
  #flush(): void {
    const socket = this.#socket;
    while (socket !== undefined && !this.#closed) {
      const queue = this.#queue;
      const head = queue?.[0];
      if (head === undefined) return;
      const taken = socket.write(head.bytes);
      if (taken < 0) return this.#end(this.#error ?? new Error("The connection closed"));
      if (taken < head.bytes.length) return void (head.bytes = head.bytes.subarray(taken));
      queue!.shift();
      if (queue!.length === 0) this.#queue = undefined;
      head.resolve();
    }
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
    const queue = this.#queue;
    this.#queue = undefined;
    for (const pending of queue ?? []) pending.reject(error);
    return true;
  }
}
