/**
 * Creates the WebSocket of the WebSocket adapter (`websocket.ts`): with a class given as
 * `options.webSocket`, or the runtime's global, each called the way it takes handshake headers
 * and TLS settings; where a runtime takes neither, an Error says so instead of connecting
 * without them.
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

/** `ws://host:port/path`, an IPv6 host in brackets. */
export function webSocketUrl({ kind, host, port, path = "/mqtt" }: TransportTarget): string {
  if (kind !== "ws" && kind !== "wss") throw new TypeError(`Not a WebSocket target: "${kind}"`);
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

/** A WebSocket, what to release when it ends, and whether `send()` needs its own copy. */
export type Created = { socket: WebSocketLike; release: () => void; copy: boolean };

/** A WebSocket to `url`, with `target`'s headers and TLS settings where its runtime takes them. */
export function createSocket(
  target: TransportTarget,
  url: string,
  given: WebSocketConstructor | undefined,
): Created {
  const none = () => {};
  const shown = shownUrl(url);
  const { servername, ...pem }: TlsOptions = target.kind === "wss" ? target.tls ?? {} : {};
  const certs = Object.keys(pem).filter((name) => pem[name as keyof typeof pem] !== undefined);
  const headers = Object.keys(target.headers ?? {}).length > 0
    ? { headers: { ...target.headers } }
    : undefined;
  const globals = globalThis as Globals;
  if (given !== undefined && given !== globals.WebSocket) {
    // `ws` may hold a frame's bytes after send() returned (while it compresses): it gets a copy.
    const options = { ...headers, ...pem, ...(servername !== undefined && { servername }) };
    const socket = Object.keys(options).length === 0
      ? new given(url, "mqtt")
      : new given(url, "mqtt", options);
    return { socket, release: none, copy: true };
  }
  const Socket = globals.WebSocket;
  if (Socket === undefined) {
    throw new Error(
      `Cannot connect to ${shown}: this runtime (${runtimeLabel(globals)}) has no global ` +
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
    throw new Error(
      `Cannot connect to ${shown} with options.wsHeaders: the WebSocket of this runtime ` +
        `(${runtimeLabel(globals)}) cannot send handshake headers (a token can go in the URL's ` +
        `query, or in the MQTT username and password)`,
    );
  }
  throw new Error(
    `Cannot connect to ${shown} with ${certs.join(", ")}: ` +
      (runtime === "node"
        ? `the global WebSocket of ${runtimeLabel(globals)} takes no certificates (pass ` +
          `options.webSocket: the ws package's WebSocket takes them)`
        : `this runtime's WebSocket takes no certificates (add the CA to its trust store instead)`),
  );
}
