/**
 * The Deno adapter: TCP, TLS and unix sockets through `Deno.connect` / `Deno.connectTls`.
 *
 * @module
 */

import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";
import { ReadPacer } from "./_read_pacer.ts";

/**
 * Bytes asked of one `read()`. The buffer is reused and each chunk is a copy of just the bytes
 * read: cheaper than a fresh buffer per read for all but full reads (see bench/README.md), and
 * a small chunk does not pin 64 KiB while the codec's payload views into it live.
 */
const READ_SIZE = 64 * 1024;

/** Opens a TCP, TLS or unix socket connection with Deno's APIs. */
export const openDeno: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  const conn = await abortable(dial(target, signal), signal, (late) => late.close());
  return new DenoTransport(conn, handlers, options.readPacing ?? true);
};

function dial(target: TransportTarget, signal: AbortSignal | undefined): Promise<Deno.Conn> {
  if (target.kind === "unix") {
    if (target.path === undefined) throw new TypeError("A unix transport target needs a path");
    return Deno.connect({ transport: "unix", path: target.path });
  }
  const tcp = () =>
    Deno.connect({ hostname: target.host, port: target.port, ...(signal && { signal }) })
      .then((conn) => (conn.setNoDelay(true), conn));
  if (target.kind === "tcp") return tcp();
  const tls = target.tls ?? {};
  const caCerts = tls.ca === undefined ? undefined : typeof tls.ca === "string" ? [tls.ca] : tls.ca;
  const hostname = tls.servername ?? target.host;
  if (tls.cert === undefined || tls.key === undefined) {
    // Dial `host`, but send SNI for and verify `servername`.
    return tcp().then((conn) => Deno.startTls(conn, { hostname, ...(caCerts && { caCerts }) }));
  }
  // Deno takes a client certificate only in connectTls, which dials the name it verifies.
  const options: Deno.ConnectTlsOptions = { hostname, port: target.port };
  if (caCerts !== undefined) options.caCerts = caCerts;
  return Deno.connectTls({ ...options, cert: tls.cert, key: tls.key });
}

/** Rejects with the abort reason when `signal` aborts first; a connection made later is closed. */
class DenoTransport implements Transport {
  #conn: Deno.Conn;
  #handlers: TransportHandlers;
  #closed = false;

  constructor(conn: Deno.Conn, handlers: TransportHandlers, readPacing: boolean) {
    this.#conn = conn;
    this.#handlers = handlers;
    this.#readLoop(readPacing ? new ReadPacer() : undefined);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error("Cannot write: the connection is closed");
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await this.#conn.write(written === 0 ? bytes : bytes.subarray(written));
      }
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime.
    }
  }

  async #readLoop(pacer: ReadPacer | undefined): Promise<void> {
    const buffer = new Uint8Array(READ_SIZE);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        if (this.#closed) return;
        this.#handlers.onData(buffer.slice(0, n));
        const pause = pacer?.afterRead(n, n === READ_SIZE);
        if (pause !== undefined) {
          await pause;
          if (this.#closed) return;
        }
      }
      this.#fail(undefined);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The connection ended without a `close()` from us: report it once. */
  #fail(error: unknown): void {
    if (this.#closed) return;
    this.close();
    this.#handlers.onClose(
      error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)),
    );
  }
}
