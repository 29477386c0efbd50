/**
 * User-facing options of {@link MqttClient} and `connect()`; `resolve_options.ts` checks them
 * and fills in the defaults. A `servers` entry's options are in `server_options.ts`, the will's in
 * `will_options.ts` (both exported from here too).
 *
 * @module
 */

import type { Properties, ProtocolVersion } from "../codec/types.ts";
import type { LogLevel } from "../session/types.ts";
import type { TransportOpener, WebSocketConstructor } from "../transport/types.ts";
import type { Clock } from "./clock.ts";
import type { SessionStore } from "../store/session_store.ts";
import type { ProxyOptions } from "./proxy_options.ts";
import type { ServerOptions } from "./server_options.ts";
import type { WillOptions } from "./will_options.ts";

/** Options of a client. Every field is optional; `url` or `host` says where to connect. */
export interface ClientOptions {
  /**
   * `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, or `ws://` / `wss://` for MQTT over WebSocket;
   * user and password may be in it. A WebSocket URL's path (and query) is the request path,
   * `/mqtt` when the URL has none (`ws://host:8080`; `ws://host:8080/` asks for `/`).
   */
  url?: string;
  /**
   * The broker's host name or address (overrides the URL's).
   * @default "localhost"
   */
  host?: string;
  /**
   * The broker's port.
   * @default 1883, or 8883 for TLS; with a `ws://` / `wss://` URL 80, or 443
   */
  port?: number;
  /**
   * Connect over TLS.
   * @default false, or true for `mqtts://`, `ssl://` and `wss://`
   */
  tls?: boolean;
  /** Path of a unix socket to connect to instead of TCP. */
  unixSocket?: string;
  /**
   * 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0.
   * @default 4
   */
  protocolVersion?: ProtocolVersion;
  /**
   * The client identifier; "" on MQTT 5 has the server assign one.
   * @default a random "korero-…" id
   */
  clientId?: string;
  /**
   * Clean session / clean start; `"first"` = clean on the first connect only.
   * @default true
   */
  clean?: boolean | "first";
  /**
   * Keepalive interval in seconds; 0 = none.
   * @default 60
   */
  keepalive?: number;
  /** User name for the broker's authentication (overrides the URL's). */
  username?: string;
  /** Password for the broker's authentication (overrides the URL's). */
  password?: string | Uint8Array;
  /** A message the broker publishes when the connection ends without a DISCONNECT. */
  will?: WillOptions;
  /** MQTT 5 CONNECT properties, e.g. `sessionExpiryInterval`, `receiveMaximum`. */
  properties?: Properties;
  /**
   * `false`, or backoff bounds in ms.
   * @default { minDelay: 1000, maxDelay: 120000 }
   */
  reconnect?: false | { minDelay?: number; maxDelay?: number };
  /**
   * Retry failed first attempts of `connect()` with the reconnect backoff too (paho's
   * `retry_first_connection`): `connect()` rejects only on abort or `disconnect()`. Needs
   * `reconnect`.
   * @default false
   */
  retryFirstConnect?: boolean;
  /**
   * Resubscribe after a reconnect that found no session.
   * @default true
   */
  resubscribe?: boolean;
  /**
   * Milliseconds from the start of an attempt until its CONNACK.
   * @default 30000
   */
  connectTimeout?: number;
  /**
   * Milliseconds after which an operation rejects with TimeoutError; 0 = never.
   * @default 0
   */
  operationTimeout?: number;
  /**
   * Outgoing QoS 1/2 messages in flight.
   * @default 65535
   */
  maxInflight?: number;
  /**
   * Messages waiting beyond the in-flight window or while offline.
   * @default 10000
   */
  maxQueued?: number;
  /**
   * Payload bytes of those waiting messages.
   * @default 64 MiB
   */
  maxQueuedBytes?: number;
  /**
   * What `publish()` does when the queue is full: `"wait"` (the call waits for room; at most
   * `maxQueued` calls and `maxQueuedBytes` payload bytes wait, beyond that it rejects with
   * `QueueFullError` too) or `"reject"` (`QueueFullError`, 0x97). `await client.ready()` before
   * publishing waits for room without holding a message.
   * @default "wait"
   */
  queueFull?: "wait" | "reject";
  /**
   * Outgoing QoS 1/2 messages not yet acknowledged (in flight, queued or waiting) from which
   * `ready()` waits, as a WHATWG stream's high-water mark: what a loop that awaits `ready()`
   * before each `publish()` holds at most. Higher lets more messages be in flight on a slow link;
   * lower holds less memory.
   * @default 1000
   */
  highWaterMark?: number;
  /**
   * Queue QoS 0 publishes while disconnected.
   * @default false
   */
  queueQoS0Offline?: boolean;
  /**
   * Assign outgoing topic aliases automatically (MQTT 5).
   * @default false
   */
  topicAliases?: boolean;
  /**
   * Messages a `messages()` iterator buffers before it drops QoS 0 messages (QoS 1/2 messages
   * are never dropped: they stay unacknowledged until read, which stops the broker).
   * @default 1000
   */
  messageBuffer?: number;
  /**
   * Acknowledge QoS 1/2 messages only when the application calls `message.ack()` or
   * `client.ack(message)` (paho's `manual_ack_set(True)`); also settable as `client.manualAck`.
   * @default false
   */
  manualAck?: boolean;
  /**
   * When an incoming QoS 2 message is delivered: `"publish"` (on PUBLISH; PUBREC once it is
   * acknowledged) or `"pubrel"` (paho's and libmosquitto's order: PUBREC at once, delivered on
   * PUBREL, PUBCOMP once it is acknowledged).
   * @default "publish"
   */
  qos2Delivery?: "publish" | "pubrel";
  /**
   * Where the session is kept so that a restarted process loses no QoS 1/2 message: a
   * `FileStore(directory)`, a `MemoryStore`, or any {@link SessionStore}. Needs `clientId` (the
   * session is saved under it); usually with `clean: false`. Without it the session lives in
   * the client object only.
   */
  store?: SessionStore;
  /**
   * Milliseconds `disconnect()` lets incoming QoS 2 exchanges under way finish (a PUBREL to
   * answer) before it sends DISCONNECT; 0 = do not wait (as `disconnect({ force: true })`).
   * @default 1000
   */
  disconnectTimeout?: number;
  /** PEM CA certificate(s) to trust: the text, not a file path (a TypeError at construction). */
  ca?: string | string[];
  /** PEM client certificate (the text, not a file path). */
  cert?: string;
  /** PEM client key (the text, not a file path). */
  key?: string;
  /**
   * TLS server name (SNI). Over WebSocket only the host itself, unless `webSocket` is a class
   * that takes TLS settings (the `ws` package's).
   */
  servername?: string;
  /**
   * `ws://` / `wss://`: extra HTTP headers of the WebSocket handshake, e.g.
   * `{ Authorization: "Bearer …" }`. Sent where the WebSocket can send them: Deno's, Bun's and
   * Node's global `WebSocket`, and a `webSocket` class such as the `ws` package's (as its
   * third argument's `headers`). A browser's or Cloudflare Workers' `WebSocket` cannot:
   * connecting with `wsHeaders` there fails with an Error rather than connecting without them
   * (put a token in the URL's query, or in `username` / `password`, instead). The values are
   * never shown in an error message or log.
   */
  wsHeaders?:
    | Record<string, string>
    | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * `ws://` / `wss://`: called with the URL before every connection attempt; its result (or
   * what it resolves to) is the URL opened, e.g. a freshly signed one (MQTT.js's
   * `transformWsUrl`). It may change the query and path; the scheme must stay `ws`/`wss`.
   */
  transformWsUrl?: (url: string) => string | Promise<string>;
  /**
   * Brokers to try in order, on the first connect and on every reconnect, starting with the one
   * that worked last: URLs, or `{ url, ca, cert, key, servername, alpnProtocols, insecure,
   * rejectUnauthorized }` with TLS settings of their own (the other options are shared). A server
   * is passed over when its transport cannot be opened (refused, unreachable, TLS failure); a
   * CONNACK that refuses ends the attempt as usual. Replaces `url`, `host` and `port`.
   */
  servers?: (string | ServerOptions)[];
  /**
   * TLS: ALPN protocols to offer, e.g. `["x-amzn-mqtt-ca"]` for AWS IoT on port 443 (Deno, Bun,
   * Node).
   */
  alpnProtocols?: string[];
  /**
   * TLS: do not check that the certificate names the host (paho's `tls_insecure_set(True)`);
   * the chain is still verified against the trusted CAs. Deno, Bun, Node.
   * @default false
   */
  insecure?: boolean;
  /**
   * TLS: `false` accepts any certificate, verifying nothing — only for tests against a broker
   * you control; prefer `ca` (and `insecure`). Bun and Node; an error on Deno, which cannot.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /** TLS: the lowest version to accept, "TLSv1.2" or "TLSv1.3" (Bun, Node; an error on Deno). */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** TLS: the highest version to offer, "TLSv1.2" or "TLSv1.3" (Bun, Node; an error on Deno). */
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** TLS: an OpenSSL cipher list, as Node's `ciphers` (Bun, Node; an error on Deno). */
  ciphers?: string;
  /**
   * The passphrase of an encrypted client `key` (paho's `tls_set(…, keyfile_password=…)`). Bun
   * and Node decrypt any key OpenSSL / BoringSSL can; on Deno korero decrypts PKCS#8 keys
   * encrypted with AES (PBES2) itself and names any other scheme (e.g. 3DES) in its error.
   */
  passphrase?: string;
  /**
   * A proxy to tunnel through (paho's `proxy_set`): `{ type: "socks5" | "http", host, port,
   * username?, password? }` — SOCKS5 (the proxy resolves the broker's name) or HTTP CONNECT (with
   * Basic authentication), over TCP and TLS; Deno, Bun, Node. Without it, the `mqtt_proxy` /
   * `MQTT_PROXY` environment variable (`socks5://user:password@host:port`, `http://…`) is used
   * unless `no_proxy` lists the broker's host; `false` ignores the environment.
   */
  proxy?: ProxyOptions | false;
  /** The local address to connect from (paho's `bind_address`); Bun and Node. */
  bindAddress?: string;
  /** The local port to connect from (paho's `bind_port`); Bun and Node. */
  bindPort?: number;
  /**
   * `ws://` / `wss://`: the WebSocket class to connect with instead of the runtime's global
   * `WebSocket`, e.g. `WebSocket` from the `ws` package on Node 20 (which has no global one),
   * or to send `wsHeaders` and certificates on Node (`ws` takes `ca`, `cert`, `key` and
   * `servername`). It is called as `new webSocket(url, "mqtt", { headers, ca, cert, key,
   * servername })`, the third argument only when one of those is set, the way `ws` reads it;
   * a class that ignores that argument ignores them.
   * @default the global `WebSocket`
   */
  webSocket?: WebSocketConstructor;
  /**
   * Batch socket reads under a dense incoming stream: once reads come faster than ~4,000 a
   * second, the transport pauses ~2 ms between reads so one read takes many packets (much less
   * CPU per message), for as long as that does not slow the stream down, and never while the
   * in-flight window is full (the acknowledgements read next let messages go).
   * Set `false` when every message must be read the moment it arrives. Deno's, Bun's and Node's
   * TCP/TLS/unix transports pace; Workers' and WebSocket ignore this.
   * @default true
   */
  readPacing?: boolean;
  /**
   * Log every packet sent and received at level `debug`, in paho's wording ("Sending PUBLISH
   * (d0, q1, r0, m3), 'a/b', ... (5 bytes)", "Received PUBACK (Mid: 3)"); never a password,
   * authentication data or payload.
   * @default false
   */
  trace?: boolean;
  /** Receives log lines (no logging when absent). */
  logger?: (level: LogLevel, message: string) => void;
  /**
   * Log and swallow a callback's exception instead of re-throwing it (paho's
   * `suppress_exceptions`); also `client.suppressExceptions`.
   * @default false
   */
  suppressExceptions?: boolean;
  /** Transport factory; the runtime's TCP/TLS adapter when absent. For tests and custom transports. */
  transport?: TransportOpener;
  /** Time source and timer; the real clock when absent. For tests. */
  clock?: Clock;
  /**
   * Random numbers in [0, 1) for client ids and reconnect jitter.
   * @default Math.random
   */
  random?: () => number;
}
