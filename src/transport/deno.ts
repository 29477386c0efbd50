/**
 * The Deno adapter: TCP, TLS and unix sockets through `Deno.connect` / `Deno.connectTls`. The
 * members used are declared here and `Deno` is read from globalThis, so the file type-checks
 * (and the npm build compiles) without Deno's ambient types.
 *
 * TLS: the handshake is done before the opener resolves, so a certificate that is not trusted is a
 * {@link TlsError} from the opener. Deno verifies with rustls (webpki), which refuses a server
 * certificate that is itself a CA (basicConstraints CA:TRUE, as `openssl req -x509` makes a
 * self-signed one by default) even when it is given as `ca`; Node and Bun (OpenSSL) accept it.
 * A self-signed certificate with CA:FALSE given as its own `ca` is accepted on every runtime.
 *
 * @module
 */

import type { Transport, TransportHandlers, TransportOpener, TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";
import { ReadPacer } from "./_read_pacer.ts";
import { connectError, isTlsAlert, tlsError } from "./_errors.ts";
import { decryptPkcs8 } from "./_encrypted_key.ts";
import { isEncryptedKey } from "./_pem.ts";
import { type ProxyChannel, tunnel } from "./_proxy.ts";
import { TlsError } from "../errors.ts";

/** The members of a Deno connection used here. */
interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  /** TLS connections: completes the handshake (else the first read or write does). */
  handshake?(): Promise<unknown>;
}

type DenoTcp = { hostname: string; port: number; signal?: AbortSignal };
type DenoCerts = {
  caCerts?: string[];
  alpnProtocols?: string[];
  unsafelyDisableHostnameVerification?: boolean;
};
type DenoApi = {
  connect(options: DenoTcp | { transport: "unix"; path: string }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: DenoCerts & { hostname: string }): Promise<DenoConn>;
  connectTls(options: DenoTcp & DenoCerts & { cert?: string; key?: string }): Promise<DenoConn>;
};

/**
 * Bytes asked of one `read()`. The buffer is reused and each chunk is a copy of just the bytes
 * read: cheaper than a fresh buffer per read for all but full reads (see bench/README.md), and
 * a small chunk does not pin 64 KiB while the codec's payload views into it live.
 */
const READ_SIZE = 64 * 1024;
/**
 * What a connection's read buffer starts at: an idle connection's whole read memory, held by its
 * pending read (so not shareable). A read that fills it doubles it, so a stream gets to
 * READ_SIZE within nine reads; {@link SHRINK_AFTER} small reads in a row take it back here.
 */
const FIRST_READ_SIZE = 128;
/**
 * How long every read must have been small (at most FIRST_READ_SIZE bytes: keepalive,
 * acknowledgements, sparse small messages) before a grown buffer goes back to FIRST_READ_SIZE,
 * in milliseconds: a connection that once took a burst does not keep 64 KiB while idle, and a
 * busy one, whose reads now and then gather more, keeps its buffer.
 */
const SHRINK_AFTER_MS = 1000;

/** Opens a TCP, TLS or unix socket connection with Deno's APIs. */
export const openDeno: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  if (target.bind !== undefined) {
    throw new Error(
      "options.bindAddress / bindPort are not supported on Deno: Deno.connect cannot bind a local address (Node and Bun can)",
    );
  }
  const versions = (["minVersion", "maxVersion", "ciphers"] as const).filter((name) =>
    target.tls?.[name] !== undefined
  );
  if (versions.length > 0) {
    throw new Error(
      `options.${versions.join(", options.")} ${
        versions.length > 1 ? "are" : "is"
      } not supported on Deno: Deno.connectTls negotiates TLS 1.2 or 1.3 with rustls's safe defaults and takes no version or cipher settings (Node and Bun do)`,
    );
  }
  if (target.tls?.rejectUnauthorized === false) {
    throw new Error(
      "options.rejectUnauthorized: false is not supported on Deno: it cannot turn certificate verification off for one connection (only the --unsafely-ignore-certificate-errors flag can); use options.ca to trust the certificate",
    );
  }
  const dialled = dial(target, signal).catch((error) => {
    throw signal?.aborted || error instanceof TlsError ? error : connectError(target, error);
  });
  const conn = await abortable(dialled, signal, closeQuietly);
  const tls = target.kind === "tls" ? target : undefined;
  return new DenoTransport(conn, handlers, options.readPacing ?? true, tls);
};

function closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Completes `conn`'s TLS handshake; a failure is a TlsError, an abort closes the connection. */
async function handshake(
  conn: DenoConn,
  target: TransportTarget,
  signal: AbortSignal | undefined,
): Promise<DenoConn> {
  const stop = () => closeQuietly(conn);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await conn.handshake?.();
    return conn;
  } catch (error) {
    closeQuietly(conn);
    throw signal?.aborted ? error : tlsError(target, error);
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}

function dial(target: TransportTarget, signal: AbortSignal | undefined): Promise<DenoConn> {
  const deno = (globalThis as { Deno?: DenoApi }).Deno;
  if (deno === undefined) throw new Error("Cannot open a Deno transport: this runtime is not Deno");
  if (target.kind === "unix") {
    if (target.path === undefined) throw new TypeError("A unix transport target needs a path");
    return deno.connect({ transport: "unix", path: target.path });
  }
  const tcp = () =>
    target.proxy !== undefined
      ? proxied(deno, target, signal)
      : deno.connect({ hostname: target.host, port: target.port, ...(signal && { signal }) })
        .then((conn) => (conn.setNoDelay?.(true), conn));
  if (target.kind === "tcp") return tcp();
  const tls = target.tls ?? {};
  const caCerts = tls.ca === undefined ? undefined : typeof tls.ca === "string" ? [tls.ca] : tls.ca;
  const hostname = tls.servername ?? target.host;
  const settings: DenoCerts = {
    ...(caCerts && { caCerts }),
    ...(tls.alpnProtocols && { alpnProtocols: tls.alpnProtocols }),
    ...(tls.insecure && { unsafelyDisableHostnameVerification: true }),
  };
  if (tls.cert === undefined || tls.key === undefined) {
    // Dial `host`, but send SNI for and verify `servername`.
    return tcp().then((conn) => deno.startTls(conn, { hostname, ...settings }))
      .then((conn) => handshake(conn, target, signal));
  }
  if (target.proxy !== undefined) {
    throw new Error(
      "A client certificate through a proxy is not supported on Deno: Deno.startTls, which runs TLS over the proxy's tunnel, takes no client certificate (Node and Bun can)",
    );
  }
  // Deno takes a client certificate only in connectTls, which dials the name it verifies; it
  // cannot read an encrypted key, so korero decrypts it first (PKCS#8, AES: _encrypted_key.ts).
  const cert = tls.cert;
  const key = tls.passphrase !== undefined && isEncryptedKey(tls.key)
    ? decryptPkcs8(tls.key, tls.passphrase)
    : Promise.resolve(tls.key);
  return key.then((key) => deno.connectTls({ hostname, port: target.port, ...settings, cert, key }))
    .then((conn) => handshake(conn, target, signal));
}

/** A connection to `target`'s proxy with the tunnel to the broker open. */
async function proxied(
  deno: DenoApi,
  target: TransportTarget,
  signal: AbortSignal | undefined,
): Promise<DenoConn> {
  const proxy = target.proxy!;
  const conn = await deno.connect({
    hostname: proxy.host,
    port: proxy.port,
    ...(signal && { signal }),
  });
  conn.setNoDelay?.(true);
  const buffer = new Uint8Array(16 * 1024);
  const channel: ProxyChannel = {
    write: async (bytes) => {
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    },
    read: async () => {
      const n = await conn.read(buffer);
      return n === null ? null : buffer.slice(0, n);
    },
  };
  try {
    const rest = await tunnel(channel, proxy, target.host, target.port);
    if (rest.length > 0) {
      throw new Error("the proxy sent bytes of its own after opening the tunnel");
    }
    return conn;
  } catch (error) {
    closeQuietly(conn);
    throw error;
  }
}

/** Rejects with the abort reason when `signal` aborts first; a connection made later is closed. */
class DenoTransport implements Transport {
  #conn: DenoConn;
  #handlers: TransportHandlers;
  #closed = false;
  /** A TLS target, until data arrived: a TLS alert until then is a TlsError (see isTlsAlert). */
  #tlsUntilData: TransportTarget | undefined;

  constructor(
    conn: DenoConn,
    handlers: TransportHandlers,
    readPacing: boolean,
    tls?: TransportTarget,
  ) {
    this.#conn = conn;
    this.#handlers = handlers;
    this.#tlsUntilData = tls;
    // Deno's timers fire a millisecond late: a 1 ms delay pauses ~2 ms, as the pacer means to.
    this.#readLoop(readPacing ? new ReadPacer(1) : undefined);
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
    // An idle connection keeps a small buffer; a read that fills it doubles it, up to READ_SIZE.
    let buffer = new Uint8Array(FIRST_READ_SIZE);
    /** When the current run of small reads into a grown buffer began (-1: no such run). */
    let smallSince = -1;
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        if (this.#closed) return;
        this.#tlsUntilData = undefined;
        const eager = this.#handlers.onData(buffer.slice(0, n)) === true;
        const full = n === buffer.length;
        if (full) {
          smallSince = -1;
          if (buffer.length < READ_SIZE) buffer = new Uint8Array(buffer.length * 2);
        } else if (n > FIRST_READ_SIZE || buffer.length === FIRST_READ_SIZE) smallSince = -1;
        else if (smallSince < 0) smallSince = performance.now();
        else if (performance.now() - smallSince >= SHRINK_AFTER_MS) {
          smallSince = -1;
          buffer = new Uint8Array(FIRST_READ_SIZE);
        }
        // A full buffer of any size: more bytes are already waiting, so no pause.
        const pause = pacer?.afterRead(n, full || eager);
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
    const tls = this.#tlsUntilData;
    if (tls !== undefined && isTlsAlert(error)) return this.#handlers.onClose(tlsError(tls, error));
    this.#handlers.onClose(
      error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)),
    );
  }
}
