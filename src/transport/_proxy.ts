/**
 * Tunnels through a proxy, written here (no dependency): the SOCKS5 handshake (RFC 1928; no
 * authentication or username/password, RFC 1929; the broker's name resolved by the proxy) and
 * HTTP CONNECT (RFC 9110 §9.3.6, with Basic authentication). Each runs over a byte channel the
 * socket adapters provide, before any MQTT (or TLS) byte, and returns the bytes that arrived
 * after the proxy's answer (normally none: an MQTT server speaks only after CONNECT).
 *
 * Errors name the proxy and the broker and the proxy's reason, never a password.
 *
 * @module
 */

import type { ProxySettings } from "./types.ts";

/** A connection to the proxy, as the handshake uses it. */
export interface ProxyChannel {
  write(bytes: Uint8Array): Promise<void>;
  /** The next bytes read; null at the end of the stream. */
  read(): Promise<Uint8Array | null>;
}

const SOCKS_REPLIES = [
  "succeeded",
  "general SOCKS server failure",
  "connection not allowed by ruleset",
  "network unreachable",
  "host unreachable",
  "connection refused",
  "TTL expired",
  "command not supported",
  "address type not supported",
];

/** Reads exactly what the handshake needs, keeping what comes after. */
class Reader {
  #buffered = new Uint8Array(0);
  readonly #channel: ProxyChannel;
  readonly #what: string;
  constructor(channel: ProxyChannel, what: string) {
    this.#channel = channel;
    this.#what = what;
  }

  async #more(): Promise<void> {
    const chunk = await this.#channel.read();
    if (chunk === null) throw new Error(`${this.#what}: the proxy closed the connection`);
    const joined = new Uint8Array(this.#buffered.length + chunk.length);
    joined.set(this.#buffered);
    joined.set(chunk, this.#buffered.length);
    this.#buffered = joined;
  }

  /** The next `n` bytes. */
  async take(n: number): Promise<Uint8Array> {
    while (this.#buffered.length < n) await this.#more();
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  /** Everything up to and including `\r\n\r\n`. */
  async headers(limit = 16 * 1024): Promise<string> {
    for (;;) {
      const text = new TextDecoder("latin1").decode(this.#buffered);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.#buffered = this.#buffered.subarray(end + 4);
        return text.slice(0, end);
      }
      if (this.#buffered.length > limit) {
        throw new Error(`${this.#what}: the proxy's answer is too long`);
      }
      await this.#more();
    }
  }

  /** What was read beyond the handshake. */
  get rest(): Uint8Array {
    return this.#buffered;
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** `host:port`, an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Opens a tunnel to `host:port` through `proxy` over `channel`; resolves with early bytes. */
export function tunnel(
  channel: ProxyChannel,
  proxy: ProxySettings,
  host: string,
  port: number,
): Promise<Uint8Array> {
  return proxy.type === "socks5"
    ? socks5(channel, proxy, host, port)
    : httpConnect(channel, proxy, host, port);
}

async function socks5(
  channel: ProxyChannel,
  proxy: ProxySettings,
  host: string,
  port: number,
): Promise<Uint8Array> {
  const what = `SOCKS5 proxy ${hostPort(proxy.host, proxy.port)} to ${hostPort(host, port)}`;
  const reader = new Reader(channel, what);
  const auth = proxy.username !== undefined;
  await channel.write(new Uint8Array(auth ? [5, 2, 0, 2] : [5, 1, 0]));
  const [version, method] = await reader.take(2);
  if (version !== 5) throw new Error(`${what}: not a SOCKS5 proxy (version ${version})`);
  if (method === 0xff) {
    throw new Error(
      `${what}: the proxy accepts none of our authentication methods (${
        auth ? "none, username/password" : "none; it may need a username and password"
      })`,
    );
  }
  if (method === 2) {
    if (!auth) throw new Error(`${what}: the proxy asks for a username and password`);
    const user = utf8(proxy.username!);
    const pass = utf8(proxy.password ?? "");
    if (user.length > 255 || pass.length > 255) {
      throw new RangeError(`${what}: the proxy username and password must be at most 255 bytes`);
    }
    await channel.write(new Uint8Array([1, user.length, ...user, pass.length, ...pass]));
    const [, status] = await reader.take(2);
    if (status !== 0) throw new Error(`${what}: the proxy refused the username or password`);
  } else if (method !== 0) {
    throw new Error(`${what}: the proxy chose an unknown authentication method ${method}`);
  }
  await channel.write(socksRequest(host, port));
  const head = await reader.take(4);
  if (head[1] !== 0) {
    const reason = SOCKS_REPLIES[head[1]!] ?? `reply ${head[1]}`;
    throw new Error(`${what}: the proxy could not connect: ${reason}`);
  }
  const type = head[3];
  const length = type === 1 ? 4 : type === 4 ? 16 : (await reader.take(1))[0]!;
  await reader.take(length + 2);
  return reader.rest;
}

/** The CONNECT request: an IPv4 / IPv6 literal as such, a name for the proxy to resolve. */
function socksRequest(host: string, port: number): Uint8Array {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  let address: number[];
  if (v4) address = [1, ...v4.slice(1).map(Number)];
  else if (host.includes(":")) address = [4, ...ipv6Bytes(host)];
  else {
    const name = utf8(host);
    if (name.length > 255) throw new RangeError(`The broker's host name is too long for SOCKS5`);
    address = [3, name.length, ...name];
  }
  return new Uint8Array([5, 1, 0, ...address, port >> 8, port & 0xff]);
}

function ipv6Bytes(host: string): number[] {
  const [left, right = ""] = host.replace(/^\[|\]$/g, "").split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((h) => parseInt(h, 16)));
  const head = parse(left!);
  const tail = host.includes("::") ? parse(right) : [];
  const groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

async function httpConnect(
  channel: ProxyChannel,
  proxy: ProxySettings,
  host: string,
  port: number,
): Promise<Uint8Array> {
  const authority = hostPort(host, port);
  const what = `HTTP proxy ${hostPort(proxy.host, proxy.port)} to ${authority}`;
  let request = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (proxy.username !== undefined) {
    const credentials = utf8(`${proxy.username}:${proxy.password ?? ""}`);
    let binary = "";
    for (const b of credentials) binary += String.fromCharCode(b);
    request += `Proxy-Authorization: Basic ${btoa(binary)}\r\n`;
  }
  await channel.write(utf8(`${request}\r\n`));
  const reader = new Reader(channel, what);
  const head = await reader.headers();
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?/.exec(head.split("\r\n")[0] ?? "");
  if (status === null) throw new Error(`${what}: not an HTTP proxy answer`);
  if (status[1] !== "200") {
    throw new Error(`${what}: the proxy refused CONNECT: ${status[1]} ${status[2] ?? ""}`.trim());
  }
  return reader.rest;
}
