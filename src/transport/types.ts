/**
 * The one small interface every runtime adapter implements.
 *
 * @module
 */

/** Callbacks an adapter calls; passed in at open time so no byte can arrive before them. */
export interface TransportHandlers {
  /** Bytes arrived. The adapter may reuse nothing it handed over: chunks are owned by the receiver. */
  onData(chunk: Uint8Array): void;
  /** The connection ended (error = why, if it was not a clean close). Called at most once. */
  onClose(error?: Error): void;
}

/** An open byte stream to the broker. */
export interface Transport {
  /** Write bytes; resolves when the runtime can take more (backpressure), rejects if the connection failed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Close the connection. Idempotent; `onClose` is not called for a close requested here. */
  close(): void;
}

/** TLS settings (PEM strings). */
export interface TlsOptions {
  /** Trusted CA certificates; the runtime's roots when absent. */
  ca?: string | string[];
  /** Client certificate chain, for brokers that require one. */
  cert?: string;
  /** Client private key. */
  key?: string;
  /** Server name for SNI and verification; the host when absent. */
  servername?: string;
}

/** Where to connect. */
export interface TransportTarget {
  /**
   * `tcp` and `tls` over IP, `unix` over a socket path, `ws` and `wss` = MQTT over a WebSocket
   * (plain or over TLS) to `host:port` at `path`.
   */
  kind: "tcp" | "tls" | "unix" | "ws" | "wss";
  /** The broker's host name or address. */
  host: string;
  /** The broker's port. */
  port: number;
  /**
   * Kind `unix`: the socket path. Kinds `ws`/`wss`: the HTTP request path, with any query
   * (e.g. `"/mqtt?token=x"`); `"/mqtt"` when absent.
   */
  path?: string;
  /** TLS settings, for kinds `tls` and `wss`. */
  tls?: TlsOptions;
}

/** How to open a transport (the target says where): when to give up, and how to read. */
export interface TransportOpenOptions {
  /** Aborting gives up the attempt: the opener rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Batch reads under a dense incoming stream (adapters that support it): while packets arrive
   * faster than ~8,000 reads a second, wait one timer tick (1–2 ms) between reads so one read
   * takes many packets. `false` reads every packet as soon as it arrives.
   * @default true
   */
  readPacing?: boolean;
}

/** Opens a transport; rejects (or honours `options.signal`) when the connection cannot be made. */
export type TransportOpener = (
  target: TransportTarget,
  handlers: TransportHandlers,
  options?: TransportOpenOptions,
) => Promise<Transport>;
