/**
 * Broker URLs: `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, `ws://` and `wss://`, with optional
 * `user:password@` and port.
 *
 * @module
 */

import { checkString, describe } from "./_validate.ts";

/** URL schemes: whether they mean TLS, and whether MQTT travels over a WebSocket. */
const SCHEMES: Record<string, { tls: boolean; websocket: boolean }> = {
  mqtt: { tls: false, websocket: false },
  tcp: { tls: false, websocket: false },
  mqtts: { tls: true, websocket: false },
  ssl: { tls: true, websocket: false },
  ws: { tls: false, websocket: true },
  wss: { tls: true, websocket: true },
};

/** What {@link parseBrokerUrl} finds in a URL. */
export interface UrlParts {
  tls: boolean;
  /** `ws://` or `wss://`: MQTT over a WebSocket. */
  websocket: boolean;
  host: string;
  port: number | undefined;
  username: string | undefined;
  password: string | undefined;
  /** WebSocket URLs: the request path with any query; `/mqtt` when the URL has no path. */
  path?: string;
}

/**
 * `url` as error messages may show it: the `user:password@` part and the query (WebSocket URLs
 * often carry a token there) replaced by `***` and `?…`, then quoted and clipped like any value.
 *
 * @example
 * ```ts
 * redactUrl("mqtt://user:S3cret@host:0"); // '"mqtt://***@host:0"'
 * ```
 */
export function redactUrl(url: unknown): string {
  if (typeof url !== "string") return describe(url);
  // Up to the last "@": a password may hold "/", "?" or "#" that a URL parser would misread.
  const hidden = url.replace(/^([^:/?#]*:\/\/|)(.*)@/s, "$1***@").replace(/\?[^#]*/, "?…");
  return describe(hidden);
}

/**
 * Parses an `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, `ws://` or `wss://` URL, with optional
 * `user:password@` (percent-decoded) and port, and for `ws://` / `wss://` the request path.
 *
 * @throws {TypeError} if `url` is not a string or not a URL
 * @throws {RangeError} if its scheme is not one of the six, or it has no host
 */
export function parseBrokerUrl(url: unknown): UrlParts {
  let parsed: URL;
  try {
    parsed = new URL(checkString(url, "options.url"));
  } catch {
    throw new TypeError(
      `options.url must be a URL such as "mqtt://host:1883", got ${redactUrl(url)}`,
    );
  }
  const scheme = parsed.protocol.slice(0, -1);
  const kind = SCHEMES[scheme];
  if (kind === undefined) {
    throw new RangeError(
      `options.url has the unsupported scheme "${scheme}:" (use mqtt, mqtts, tcp, ssl, ws or ` +
        `wss), got ${redactUrl(url)}`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new RangeError(`options.url has no host, got ${redactUrl(url)}`);
  const port = parsed.port === "" ? undefined : Number(parsed.port);
  if (port === 0) throw new RangeError(`options.url has port 0, got ${redactUrl(url)}`);
  const parts: UrlParts = {
    ...kind,
    host,
    port,
    username: parsed.username === "" ? undefined : percentDecode(parsed.username, "user name"),
    password: parsed.password === "" ? undefined : percentDecode(parsed.password, "password"),
  };
  if (kind.websocket) {
    // WHATWG URLs turn "ws://h" into the path "/": only a "/" (or "\\") after the authority is one.
    const hasPath = /^[^:]+:[/\\]{2}[^/\\?#]*[/\\]/.test(url as string);
    parts.path = (hasPath ? parsed.pathname : "/mqtt") + parsed.search;
  }
  return parts;
}

/** `decodeURIComponent`, with a TypeError naming the URL part (never showing it) instead. */
function percentDecode(text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TypeError(`options.url has a ${part} that is not valid percent-encoded UTF-8`);
  }
}
