/**
 * The Cloudflare Workers adapter: TCP and TLS through `connect()` from `cloudflare:sockets`.
 *
 * TLS verifies the server against the public roots Workers trust; a `servername` other than the
 * host is dialled with `startTls({ expectedServerHostname })`. Workers take no CA certificates
 * and send no client certificate: `ca`, `cert` and `key` are refused with an Error, as are unix
 * targets. A connection belongs to the request (or Durable Object) that opened it: Workers
 * refuse I/O on it from another request. `readPacing` is ignored (Workers' clock stands still
 * between I/O events).
 *
 * The module is imported with a specifier that is not a literal, so that Deno (which type-checks
 * this file) and bundlers for other runtimes leave it alone; its few types are declared here.
 *
 * @module
 */

import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";

/** The members of a `cloudflare:sockets` Socket used here. */
interface Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<unknown>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
  startTls(options?: { expectedServerHostname?: string }): Socket;
}
type Connect = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: "off" | "on" | "starttls"; allowHalfOpen?: boolean },
) => Socket;

let sockets: Promise<Connect> | undefined;

/** Opens a TCP or TLS connection with Workers' `connect()`. */
export const openCloudflare: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  sockets ??= import("cloudflare:sockets").then(
    (module: { connect: Connect }) => module.connect,
    (cause) => {
      sockets = undefined;
      throw new Error("Cannot open a Cloudflare transport: no cloudflare:sockets here", { cause });
    },
  );
  const connect = await abortable(sockets, signal);
  const [socket, to, hint] = dial(connect, target);
  const stop = () => void socket.close().catch(() => {}); // an abort stops the attempt at once
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await abortable(socket.opened, signal);
  } catch (error) {
    stop();
    if (error === signal?.reason) throw error;
    throw new Error(`Cannot connect to ${to}: ${message(error)}`, { cause: error });
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  return new CloudflareTransport(socket, handlers, to, hint);
};

/**
 * Starts the connection. Returns the socket, where it goes (for messages), and for `startTls`
 * what to add to a failure before any data arrived (only then does a bad handshake show).
 */
function dial(connect: Connect, target: TransportTarget): [Socket, string, string] {
  const { kind, host, port } = target;
  const to = `${host.includes(":") ? `[${host}]` : host}:${port}${kind === "tls" ? " (TLS)" : ""}`;
  if (kind === "unix") {
    throw new Error(`Cannot connect to "${target.path}": Workers have no unix sockets`);
  }
  if (kind !== "tcp" && kind !== "tls") {
    throw new TypeError(`openCloudflare opens tcp and tls targets, not "${kind}"`);
  }
  const { servername, ...pem } = kind === "tls" ? target.tls ?? {} : {};
  const given = Object.keys(pem).filter((name) => pem[name as keyof typeof pem] !== undefined);
  if (given.length > 0) {
    throw new Error(
      `Cannot connect to ${to} with ${given.join(", ")}: Cloudflare Workers' sockets take ` +
        `only a server name (no CA or client certificates, ALPN or verification settings; ` +
        `they trust the public roots)`,
    );
  }
  if (target.proxy !== undefined) {
    throw new Error(`Cannot connect to ${to} through a proxy: Workers' sockets go out directly`);
  }
  if (target.bind !== undefined) {
    throw new Error(`Cannot connect to ${to} with bindAddress / bindPort: Workers cannot bind`);
  }
  const other = servername !== undefined && servername !== host ? servername : undefined;
  const secureTransport = kind === "tcp" ? "off" : other === undefined ? "on" : "starttls";
  let socket: Socket;
  try {
    socket = connect({ hostname: host, port }, { secureTransport, allowHalfOpen: false });
    if (other !== undefined) socket = socket.startTls({ expectedServerHostname: other });
  } catch (error) {
    throw new Error(`Cannot connect to ${to}: ${message(error)}`, { cause: error });
  }
  socket.closed.catch(() => {}); // failures are reported through `opened`, reads and writes
  const hint = other && ` before any data arrived (did the TLS handshake for "${other}" fail?)`;
  return [socket, to, hint ?? ""];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class CloudflareTransport implements Transport {
  readonly #socket: Socket;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #handlers: TransportHandlers;
  readonly #to: string;
  /** Added to a failure until data arrived (see `dial`). */
  #hint: string;
  #closed = false;

  constructor(socket: Socket, handlers: TransportHandlers, to: string, hint: string) {
    this.#socket = socket;
    this.#writer = socket.writable.getWriter();
    this.#handlers = handlers;
    this.#to = to;
    this.#hint = hint;
    this.#read(socket.readable.getReader());
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error("Cannot write: the connection is closed");
    try {
      await this.#writer.write(bytes); // settles once the socket took the bytes (none are copied)
    } catch (cause) {
      if (this.#closed) throw new Error("Cannot write: the connection was closed", { cause });
      const error = this.#error(cause);
      this.#end(error);
      throw new Error(`Cannot write: ${error.message}`, { cause: error });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close().catch(() => {});
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await reader.read(); // a fresh buffer per chunk
        if (this.#closed) return;
        if (done) break;
        this.#hint = "";
        this.#handlers.onData(value);
      }
      this.#end(this.#hint === "" ? undefined : this.#error(undefined));
    } catch (cause) {
      this.#end(this.#error(cause));
    }
  }

  /** Why the connection failed, naming where it went. */
  #error(cause: unknown): Error {
    const why = cause === undefined ? "it closed" : message(cause);
    return new Error(`The connection to ${this.#to} failed${this.#hint}: ${why}`, { cause });
  }

  /** The connection ended without a `close()` from us: report it once. */
  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.close();
    this.#handlers.onClose(error);
  }
}
