/**
 * Creates the WebSocket of the WebSocket adapter (`websocket.ts`): with a class given as
 * `options.webSocket`, or the runtime's global, each called the way it takes handshake headers
 * and TLS settings; where a runtime takes neither, an Error says so instead of connecting
 * without them. {@link createSocket} knows every runtime's global; {@link globalOnly} only a
 * browser's or a Worker's (which take neither), and is what their default transport uses;
 * {@link plainSocket} passes neither (the lite client, which has no such options).
 *
 * @module
 */

import type { TlsOptions, TransportTarget, WebSocketConstructor, WebSocketLike } from "./types.ts";

/** The runtime's global WebSocket: on Deno, Bun and Node its second argument may be an object. */
type GlobalSocket = new (url: string, init: string | SocketInit) => WebSocketLike;
/** Those objects: Bun's `tls` and Deno's `client` are their own; Deno, Bun and Node take `headers`. */
type SocketInit = {
  protocols: string[];
  headers?: Record<string, string>;
  tls?: TlsOptions;
  client?: HttpClient;
};
type HttpClient = { close(): void };
type HttpClientOptions = { caCerts?: string[]; cert?: string; key?: string };
type Globals = {
  WebSocket?: GlobalSocket;
  Bun?: unknown;
  Deno?: { createHttpClient?(options: HttpClientOptions): HttpClient };
  process?: { versions?: { node?: string } };
  navigator?: { userAgent?: string };
};

/** `ws://host:port/path`, an IPv6 host in brackets; or the target's `url` when it has one. */
export function webSocketUrl({ kind, host, port, path = "/mqtt", url }: TransportTarget): string {
  if (kind !== "ws" && kind !== "wss") throw new TypeError(`Not a WebSocket target: "${kind}"`);
  if (url !== undefined) return url;
  const name = host.includes(":") ? `[${host}]` : host;
  return `${kind}://${name}:${port}${path.startsWith("/") ? "" : "/"}${path}`;
}

/** `url` for a message: its query (which may carry a token) as "?…". */
export function shownUrl(url: string): string {
  return url.replace(/\?.*$/s, "?…");
}

/** The runtime (detected as `defaults/detect.ts` does, without importing it). */
function runtimeOf(globals: Globals): "deno" | "bun" | "node" | "workerd" | "browser" {
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  if (globals.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  return globals.process?.versions?.node !== undefined ? "node" : "browser";
}

/** The runtime, named for messages. */
function runtimeLabel(globals: Globals): string {
  const runtime = runtimeOf(globals);
  if (runtime === "node") return `Node ${globals.process?.versions?.node}`;
  return { deno: "Deno", bun: "Bun", workerd: "Cloudflare Workers", browser: "a browser" }[runtime];
}

/**
 * A WebSocket, what to release when it ends, whether `send()` needs its own copy, and the most
 * bytes a first `send()` after a quiet spell should carry (see {@link DENO_FRAME_LIMIT}).
 */
export type Created = {
  socket: WebSocketLike;
  release: () => void;
  copy: boolean;
  maxWrite?: number;
};

/**
 * Deno's WebSocket sends a frame of more than 1,024 bytes as two writes, header then payload, on
 * a socket with Nagle's algorithm on: the payload waits until the header is acknowledged, and a
 * broker with nothing to answer yet acknowledges it only when its delayed ACK fires (~40 ms). So on
 * Deno the write pipeline's first write after a quiet spell carries at most this many bytes of
 * whole packets: the broker answers them, and its answers carry the acknowledgements the next,
 * larger frames wait for. See bench/README.md, "WebSocket on Deno".
 */
export const DENO_FRAME_LIMIT = 1024;

/** Creates the WebSocket of a target (`createSocket`, or `globalOnly(label)`'s). */
export type CreateSocket = (
  target: TransportTarget,
  url: string,
  given: WebSocketConstructor | undefined,
) => Created;

/** What every way of creating a WebSocket starts with (see {@link begin}). */
type Begun = {
  shown: string;
  pem: Omit<TlsOptions, "servername">;
  certs: string[];
  headers: { headers: Record<string, string> } | undefined;
  created: (init: string | SocketInit, release?: () => void) => Created;
};

const none = () => {};

/**
 * The part shared by every runtime: a class given as `options.webSocket` is called with the
 * headers and TLS settings as `ws` reads them; otherwise the global WebSocket must exist and
 * the servername, if any, be the URL's host. `label` names the runtime in a message.
 */
function begin(
  target: TransportTarget,
  url: string,
  given: WebSocketConstructor | undefined,
  label: () => string,
): Created | Begun {
  const shown = shownUrl(url);
  const { servername, ...pem }: TlsOptions = target.kind === "wss" ? target.tls ?? {} : {};
  const certs = Object.keys(pem).filter((name) => pem[name as keyof typeof pem] !== undefined);
  const headers = Object.keys(target.headers ?? {}).length > 0
    ? { headers: { ...target.headers } }
    : undefined;
  const Socket = (globalThis as Globals).WebSocket;
  if (given !== undefined && given !== Socket) {
    // `ws` may hold a frame's bytes after send() returned (while it compresses): it gets a copy.
    const options = { ...headers, ...pem, ...(servername !== undefined && { servername }) };
    const socket = Object.keys(options).length === 0
      ? new given(url, "mqtt")
      : new given(url, "mqtt", options);
    return { socket, release: none, copy: true };
  }
  if (Socket === undefined) {
    throw new Error(
      `Cannot connect to ${shown}: this runtime (${label()}) has no global ` +
        `WebSocket; pass options.webSocket (e.g. the ws package's WebSocket)`,
    );
  }
  if (servername !== undefined && servername !== target.host) {
    throw new Error(
      `Cannot connect to ${shown} with servername "${servername}": over WebSocket ` +
        `the name verified is the URL's host`,
    );
  }
  const created = (init: string | SocketInit, release = none): Created => {
    try {
      return { socket: new Socket(url, init), release, copy: false };
    } catch (error) {
      release();
      throw error;
    }
  };
  return { shown, pem, certs, headers, created };
}

/** The Error for headers a runtime's WebSocket cannot send (browsers, Workers). */
function headersRefused(shown: string, label: string): Error {
  return new Error(
    `Cannot connect to ${shown} with options.wsHeaders: the WebSocket of this runtime ` +
      `(${label}) cannot send handshake headers (a token can go in the URL's ` +
      `query, or in the MQTT username and password)`,
  );
}

/** The end of the message for certificates a runtime's WebSocket cannot take. */
const NO_CERTIFICATES = "this runtime's WebSocket takes no certificates (add the CA to its " +
  "trust store instead)";

/**
 * A WebSocket to `url`, with `target`'s headers and TLS settings where its runtime takes them
 * (Deno, Bun and Node take headers, Deno and Bun certificates).
 */
export const createSocket: CreateSocket = (target, url, given) => {
  const created = createWithSettings(target, url, given);
  if (!created.copy && runtimeOf(globalThis as Globals) === "deno") {
    created.maxWrite = DENO_FRAME_LIMIT;
  }
  return created;
};

/** {@link createSocket} but for the limit on a first `send()`. */
const createWithSettings: CreateSocket = (target, url, given) => {
  const globals = globalThis as Globals;
  const begun = begin(target, url, given, () => runtimeLabel(globals));
  if ("socket" in begun) return begun;
  const { shown, pem, certs, headers, created } = begun;
  if (headers === undefined && certs.length === 0) return created("mqtt");
  const init: SocketInit = { protocols: ["mqtt"], ...headers };
  const runtime = runtimeOf(globals);
  const createHttpClient = globals.Deno?.createHttpClient;
  if (runtime === "bun") return created(certs.length > 0 ? { ...init, tls: pem } : init);
  if (runtime === "deno" && certs.length > 0 && createHttpClient !== undefined) {
    const { ca, ...pair } = pem;
    const client = createHttpClient({ ...pair, ...(ca !== undefined && { caCerts: [ca].flat() }) });
    return created({ ...init, client }, () => client.close());
  }
  if ((runtime === "deno" || runtime === "node") && certs.length === 0) return created(init);
  if (headers !== undefined && runtime !== "deno" && runtime !== "node") {
    throw headersRefused(shown, runtimeLabel(globals));
  }
  throw new Error(
    `Cannot connect to ${shown} with ${certs.join(", ")}: ` +
      (runtime === "node"
        ? `the global WebSocket of ${runtimeLabel(globals)} takes no certificates (pass ` +
          `options.webSocket: the ws package's WebSocket takes them)`
        : NO_CERTIFICATES),
  );
};

/**
 * `createSocket` for a runtime whose global WebSocket takes the subprotocol only (a browser's,
 * a Worker's), named `label` in messages: the same WebSocket and the same errors, without the
 * code for Deno's, Bun's and Node's, so a browser bundle leaves that out.
 */
export function globalOnly(label: string): CreateSocket {
  return (target, url, given) => {
    const begun = begin(target, url, given, () => label);
    if ("socket" in begun) return begun;
    const { shown, certs, headers, created } = begun;
    if (headers !== undefined) throw headersRefused(shown, label);
    if (certs.length > 0) {
      throw new Error(`Cannot connect to ${shown} with ${certs.join(", ")}: ${NO_CERTIFICATES}`);
    }
    return created("mqtt");
  };
}

/**
 * A WebSocket to `url` offering the subprotocol only, from the class given or else the runtime's
 * global: for the lite client, whose targets carry no headers or TLS settings.
 */
export const plainSocket: CreateSocket = (_target, url, given) => {
  const Socket = (globalThis as Globals).WebSocket;
  if (given === undefined && Socket === undefined) {
    throw new Error(
      `Cannot connect to ${shownUrl(url)}: this runtime has no global WebSocket; pass ` +
        `options.webSocket (e.g. the ws package's WebSocket)`,
    );
  }
  // `ws` may hold a frame's bytes after send() returned (while it compresses): it gets a copy.
  const copy = given !== undefined && given !== Socket;
  return { socket: new (given ?? Socket!)(url, "mqtt"), release: none, copy };
};
