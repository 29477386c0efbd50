/**
 * The one small interface every runtime adapter implements.
 *
 * @module
 */

/** Callbacks an adapter calls; passed in at open time so no byte can arrive before them. */
export interface TransportHandlers {
  /**
   * Bytes arrived. The adapter may reuse nothing it handed over: chunks are owned by the receiver.
   * Returns true when the receiver wants the next bytes as soon as they come (it waits for
   * acknowledgements to send more): an adapter that paces its reads then reads on at once.
   */
  onData(chunk: Uint8Array): boolean | void;
  /** The connection ended (error = why, if it was not a clean close). Called at most once. */
  onClose(error?: Error): void;
}

/** An open byte stream to the broker. */
export interface Transport {
  /**
   * Write bytes; resolves when the runtime can take more (backpressure), rejects if the connection
   * failed. Where the runtime takes bytes at once, resolving a small write after the event loop's
   * turn rather than at once lets the client gather what is published meanwhile into its next
   * write (`_next_turn.ts`).
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Close the connection. Idempotent; `onClose` is not called for a close requested here. */
  close(): void;
  /**
   * The most bytes the first `write()` after a quiet spell should carry, when the runtime needs a
   * limit (Deno's WebSocket, see `_websocket_create.ts`): the client then writes whole packets up
   * to that many bytes (a larger packet alone) before the rest.
   */
  readonly maxWrite?: number | undefined;
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
  /** ALPN protocols to offer (e.g. `["x-amzn-mqtt-ca"]` for AWS IoT on port 443). */
  alpnProtocols?: string[];
  /**
   * Do not check that the certificate is for the host name (paho's `tls_insecure_set(True)`);
   * the chain is still verified.
   */
  insecure?: boolean;
  /** false: accept any certificate (no verification at all); where the runtime allows. */
  rejectUnauthorized?: boolean;
  /** The passphrase of an encrypted `key`. */
  passphrase?: string;
  /** The lowest TLS version to accept ("TLSv1.2", "TLSv1.3"). */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** The highest TLS version to offer ("TLSv1.2", "TLSv1.3"). */
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** OpenSSL cipher list for TLS 1.2 (and TLS 1.3 suites), as Node's `ciphers`. */
  ciphers?: string;
}

/** A SOCKS5 or HTTP CONNECT proxy. */
export interface ProxySettings {
  /** `"socks5"` (the proxy resolves the broker's name) or `"http"` (HTTP CONNECT). */
  type: "socks5" | "http";
  /** The proxy's host. */
  host: string;
  /** The proxy's port. */
  port: number;
  /** Username (SOCKS5 username/password, or HTTP Basic). */
  username?: string;
  /** Password (never shown in errors or logs). */
  password?: string;
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
  /** The proxy to tunnel through (kinds `tcp` and `tls`). */
  proxy?: ProxySettings;
  /** The local address (and port) to connect from, where the runtime can bind (Node, Bun). */
  bind?: { address?: string; port?: number };
  /** For `ws` / `wss`: the URL to open, as the `transformWsUrl` hook made it. */
  url?: string;
  /**
   * Kinds `ws`/`wss`: extra HTTP headers of the WebSocket handshake (e.g. `Authorization`).
   * Values may be secrets: adapters never put them in a message.
   */
  headers?: Record<string, string>;
}

/** How to open a transport (the target says where): when to give up, and how to read. */
export interface TransportOpenOptions {
  /** Aborting gives up the attempt: the opener rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Batch reads under a dense incoming stream (adapters that support it): once reads come faster
   * than ~4,000 a second, pause ~2 ms between reads so one read takes many packets, while each
   * pause gathers about what the stream brought before (and not after an `onData` that returned
   * true). `false` reads every packet as soon as it arrives.
   * @default true
   */
  readPacing?: boolean;
  /**
   * Kinds `ws`/`wss`: the WebSocket class to open them with instead of the runtime's global
   * `WebSocket` (e.g. the `ws` package's on Node 20). See {@link WebSocketConstructor}.
   */
  webSocket?: WebSocketConstructor;
}

/**
 * A WebSocket class korero can open `ws`/`wss` targets with: the WHATWG constructor
 * `new WebSocket(url, protocols)`, which may take a third argument as the `ws` package's does
 * ({@link WebSocketOptions}: handshake headers and TLS settings). Every runtime's global
 * `WebSocket` and the `ws` package's `WebSocket` are such classes.
 */
export interface WebSocketConstructor {
  /** Starts the handshake with `url`, offering `protocols` ("mqtt"). */
  new (url: string, protocols: string | string[], options?: WebSocketOptions): WebSocketLike;
}

/**
 * The third constructor argument a {@link WebSocketConstructor} given as an option is called
 * with, when there is something to put in it: the fields the `ws` package reads.
 */
export interface WebSocketOptions {
  /** Extra HTTP headers of the handshake. */
  headers?: Record<string, string>;
  /** Trusted CA certificates (PEM). */
  ca?: string | string[];
  /** Client certificate chain (PEM). */
  cert?: string;
  /** Client private key (PEM). */
  key?: string;
  /** Server name for SNI and verification. */
  servername?: string;
}

/** The members of a WebSocket korero uses (WHATWG names and meanings). */
export interface WebSocketLike {
  /** Set to `"arraybuffer"`: binary messages arrive as `ArrayBuffer`s. */
  binaryType: string;
  /** Bytes handed to `send()` but not yet to the network. */
  readonly bufferedAmount: number;
  /** Set by korero: the handshake succeeded. */
  onopen: WebSocketHandler;
  /** Set by korero: a message arrived (`event.data`). */
  onmessage: WebSocketHandler;
  /** Set by korero: an error (`event.message`, where the runtime gives one). */
  onerror: WebSocketHandler;
  /** Set by korero: the connection closed (`event.code`, `reason`, `wasClean`). */
  onclose: WebSocketHandler;
  /** Sends the bytes as one binary message. */
  send(data: Uint8Array & { readonly buffer: ArrayBuffer }): void;
  /** Closes the connection (or gives up the handshake). */
  close(): void;
}

/**
 * An event handler property of a {@link WebSocketLike}. korero assigns it; the event's type is
 * the WebSocket's own (`never` here lets every WebSocket's handler types fit).
 */
export type WebSocketHandler = ((event: never) => void) | null;

/** Opens a transport; rejects (or honours `options.signal`) when the connection cannot be made. */
export type TransportOpener = (
  target: TransportTarget,
  handlers: TransportHandlers,
  options?: TransportOpenOptions,
) => Promise<Transport>;
