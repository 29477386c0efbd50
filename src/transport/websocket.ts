/**
 * The WebSocket adapter: MQTT over `ws://` and `wss://` through the standard global `WebSocket`
 * (Deno, Bun, browsers, edge workers). It offers the subprotocol "mqtt" [MQTT-6.0.0-3] and sends
 * each write as one binary frame; a received frame may hold part of a packet or several (the
 * codec reassembles), and a text frame ends the connection [MQTT-6.0.0-1]. `write()` resolves
 * once the bytes were handed over and `bufferedAmount` is below 1 MiB, checked every 1 ms above.
 *
 * TLS: the URL's host is the name sent (SNI) and verified; a different `servername` is an Error.
 * `ca`, `cert` and `key` go to Bun's `tls` constructor option, or on Deno to a
 * `Deno.createHttpClient({ caCerts, cert, key })` given as its `client` option (Deno also trusts
 * the CAs in `DENO_CERT`). Runtimes without such an option (browsers, workers) reject them with
 * an Error rather than connect without them: add the CA to the platform's trust store there.
 *
 * @module
 */

import type { TlsOptions, Transport, TransportHandlers, TransportOpener } from "./types.ts";
import type { TransportTarget } from "./types.ts";
import { abortable } from "./_abortable.ts";

/** `write()` waits while `bufferedAmount` is at or above HIGH_WATER, looking every POLL_MS. */
const HIGH_WATER = 1024 * 1024, POLL_MS = 1;

/** Bun's (`tls`) and Deno's (`client`) non-standard constructor options, declared here. */
type SocketInit = { protocols: string[]; tls?: TlsOptions; client?: HttpClient };
type HttpClient = { close(): void };
type HttpClientOptions = { caCerts?: string[]; cert?: string; key?: string };
type Runtime = {
  WebSocket?: new (url: string, init: string | SocketInit) => WebSocket;
  Bun?: unknown;
  Deno?: { createHttpClient?(options: HttpClientOptions): HttpClient };
};

/** Opens an MQTT-over-WebSocket connection to a `ws` or `wss` target. */
export const openWebSocket: TransportOpener = async (target, handlers, options = {}) => {
  const signal = options.signal;
  signal?.throwIfAborted();
  const transport = new WebSocketTransport(target, handlers);
  const stop = () => transport.close(); // an abort stops the handshake at once
  signal?.addEventListener("abort", stop, { once: true });
  const cleanUp = () => signal?.removeEventListener("abort", stop);
  await abortable(transport.ready, signal).finally(cleanUp);
  return transport;
};

/** `ws://host:port/path`, an IPv6 host in brackets. */
function webSocketUrl({ kind, host, port, path = "/mqtt" }: TransportTarget): string {
  if (kind !== "ws" && kind !== "wss") throw new TypeError(`Not a WebSocket target: "${kind}"`);
  const name = host.includes(":") ? `[${host}]` : host;
  return `${kind}://${name}:${port}${path.startsWith("/") ? "" : "/"}${path}`;
}

/** The constructor's second argument, and what to release when the connection ends. */
function socketInit(target: TransportTarget, url: string): [string | SocketInit, () => void] {
  const { servername, ...pem }: TlsOptions = target.kind === "wss" ? target.tls ?? {} : {};
  if (servername !== undefined && servername !== target.host) {
    throw new Error(
      `Cannot connect to ${url} with servername "${servername}": over WebSocket ` +
        `the name verified is the URL's host`,
    );
  }
  const given = Object.entries(pem).filter(([, value]) => value !== undefined);
  if (given.length === 0) return ["mqtt", () => {}];
  const runtime = globalThis as Runtime;
  if (runtime.Bun !== undefined) return [{ protocols: ["mqtt"], tls: pem }, () => {}];
  const createHttpClient = runtime.Deno?.createHttpClient;
  if (createHttpClient !== undefined) {
    const { ca, ...pair } = pem;
    const client = createHttpClient({ ...pair, ...(ca !== undefined && { caCerts: [ca].flat() }) });
    return [{ protocols: ["mqtt"], client }, () => client.close()];
  }
  throw new Error(
    `Cannot connect to ${url} with ${given.map(([name]) => name).join(", ")}: ` +
      `this runtime's WebSocket takes no certificates (add the CA to its trust store instead)`,
  );
}

class WebSocketTransport implements Transport {
  /** Resolves when the handshake succeeded; rejects when it failed (or `close()` came first). */
  readonly ready: Promise<void>;
  readonly #socket: WebSocket;
  readonly #handlers: TransportHandlers;
  readonly #release: () => void;
  #open = false;
  #closed = false;

  constructor(target: TransportTarget, handlers: TransportHandlers) {
    const url = webSocketUrl(target);
    const Socket = (globalThis as Runtime).WebSocket;
    if (Socket === undefined) throw new Error(`Cannot connect to ${url}: no global WebSocket`);
    const [init, release] = socketInit(target, url);
    this.#handlers = handlers;
    this.#release = release;
    try {
      this.#socket = new Socket(url, init);
    } catch (error) {
      release();
      throw error;
    }
    this.#socket.binaryType = "arraybuffer";
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.ready = promise;
    let detail: string | undefined; // Deno's and Bun's error events say why the handshake failed
    this.#socket.onerror = (event) => void (detail ??= (event as { message?: string }).message);
    this.#socket.onopen = () => (this.#open = true, resolve());
    this.#socket.onmessage = ({ data }: MessageEvent) => {
      if (this.#closed) return;
      if (typeof data !== "string") return this.#handlers.onData(new Uint8Array(data));
      this.#end(new Error("The server sent a text frame; MQTT needs binary frames [MQTT-6.0.0-1]"));
    };
    this.#socket.onclose = ({ code, reason, wasClean }: CloseEvent) => {
      const why = `code ${code}${reason ? `, "${reason}"` : ""}`;
      if (!this.#open) {
        this.close();
        return reject(
          new Error(`Cannot connect to ${url}: the WebSocket handshake failed (${detail ?? why})`),
        );
      }
      const clean = wasClean && (code === 1000 || code === 1005);
      this.#end(clean ? undefined : new Error(`The WebSocket closed abnormally (${why})`));
    };
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error("Cannot write: the connection is closed");
    this.#socket.send(bytes); // copies the bytes: the caller may reuse its buffer
    while (this.#socket.bufferedAmount >= HIGH_WATER) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (this.#closed) throw new Error("Cannot write: the connection closed before it drained");
    }
  }

  /** Closes the socket (and releases Deno's HttpClient); false if it was closed already. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#socket.close();
    this.#release();
    return true;
  }

  /** The connection ended without a `close()` from us: report it once. */
  #end(error: Error | undefined): void {
    if (this.close()) this.#handlers.onClose(error);
  }
}
