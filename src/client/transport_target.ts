/**
 * The transport target of a client: where to connect (host, port, TLS, unix socket or
 * WebSocket path), from the options and the broker URL.
 *
 * @module
 */

import type { TlsOptions, TransportTarget } from "../transport/types.ts";
import { redactUrl, type UrlParts } from "./broker_url.ts";
import type { ClientOptions } from "./options.ts";
import { resolveProxy } from "./proxy_options.ts";
import { isEncryptedKey } from "../transport/_pem.ts";
import { checkBoolean, checkInteger, checkObject, checkString, describe } from "./_validate.ts";

/**
 * Where `o` says to connect: its `host`, `port`, `tls`, `unixSocket`, `ca`, `cert`, `key`,
 * `servername` and `wsHeaders`, over what its parsed `url` says.
 *
 * @throws {TypeError | RangeError} when one of those options is invalid, or they contradict; a
 * `ca`, `cert` or `key` that is not PEM text (a file path, say) is a TypeError
 */
export function resolveTarget(o: ClientOptions, url: UrlParts | undefined): TransportTarget {
  const tls = o.tls === undefined ? url?.tls ?? false : checkBoolean(o.tls, "options.tls");
  const websocket = url?.websocket ?? false;
  const host = o.host === undefined
    ? url?.host ?? "localhost"
    : checkString(o.host, "options.host");
  if (host === "") throw new RangeError(`options.host must not be empty`);
  const port = o.port === undefined
    ? url?.port ?? (websocket ? (tls ? 443 : 80) : tls ? 8883 : 1883)
    : checkInteger(o.port, "options.port", 1, 65_535);
  let target: TransportTarget;
  if (o.unixSocket !== undefined) {
    if (checkString(o.unixSocket, "options.unixSocket") === "") {
      throw new RangeError("options.unixSocket must not be empty");
    }
    if (websocket) {
      throw new RangeError(
        `options.unixSocket cannot be combined with a WebSocket URL, got ${redactUrl(o.url)}`,
      );
    }
    if (tls) throw new RangeError("options.tls cannot be combined with options.unixSocket");
    target = { kind: "unix", host, port, path: o.unixSocket };
  } else if (websocket) {
    target = { kind: tls ? "wss" : "ws", host, port, path: url?.path ?? "/mqtt" };
  } else {
    target = { kind: tls ? "tls" : "tcp", host, port };
  }
  const tlsOptions: TlsOptions = {};
  if (o.alpnProtocols !== undefined) {
    if (!Array.isArray(o.alpnProtocols) || o.alpnProtocols.length === 0) {
      throw new TypeError(
        `options.alpnProtocols must be a non-empty list of protocol names, got ${
          describe(o.alpnProtocols)
        }`,
      );
    }
    o.alpnProtocols.forEach((name, i) => {
      if (checkString(name, `options.alpnProtocols[${i}]`) === "" || name.length > 255) {
        throw new RangeError(`options.alpnProtocols[${i}] must be 1 to 255 characters`);
      }
    });
    tlsOptions.alpnProtocols = [...o.alpnProtocols];
  }
  if (o.insecure !== undefined && checkBoolean(o.insecure, "options.insecure")) {
    tlsOptions.insecure = true;
  }
  if (
    o.rejectUnauthorized !== undefined &&
    !checkBoolean(o.rejectUnauthorized, "options.rejectUnauthorized")
  ) tlsOptions.rejectUnauthorized = false;
  for (const field of ["minVersion", "maxVersion"] as const) {
    const value = o[field];
    if (value === undefined) continue;
    if (value !== "TLSv1.2" && value !== "TLSv1.3") {
      throw new RangeError(
        `options.${field} must be "TLSv1.2" or "TLSv1.3", got ${describe(value)}`,
      );
    }
    tlsOptions[field] = value;
  }
  if (tlsOptions.minVersion === "TLSv1.3" && tlsOptions.maxVersion === "TLSv1.2") {
    throw new RangeError("options.minVersion TLSv1.3 is above options.maxVersion TLSv1.2");
  }
  if (o.ciphers !== undefined) {
    if (checkString(o.ciphers, "options.ciphers") === "") {
      throw new RangeError("options.ciphers must not be empty");
    }
    tlsOptions.ciphers = o.ciphers;
  }
  for (
    const field of [
      "alpnProtocols",
      "insecure",
      "rejectUnauthorized",
      "minVersion",
      "maxVersion",
      "ciphers",
    ] as const
  ) {
    if (tlsOptions[field] === undefined) continue;
    if (!tls) {
      throw new RangeError(`options.${field} needs a TLS connection (options.tls or mqtts://)`);
    }
    if (websocket) {
      throw new RangeError(
        `options.${field} is for TLS sockets (mqtts://); a wss:// WebSocket makes its own TLS connection`,
      );
    }
  }
  const explicit = o.proxy !== undefined && o.proxy !== false;
  const proxy = resolveProxy(o.proxy, host);
  if (proxy !== undefined) {
    if (target.kind === "tcp" || target.kind === "tls") target.proxy = proxy;
    else if (explicit) {
      throw new RangeError(
        `options.proxy is for TCP and TLS connections (mqtt://, mqtts://), not ${target.kind}`,
      );
    }
  }
  if (o.bindAddress !== undefined || o.bindPort !== undefined) {
    if (websocket || o.unixSocket !== undefined) {
      throw new RangeError("options.bindAddress / bindPort are for TCP and TLS connections");
    }
    const bind: NonNullable<TransportTarget["bind"]> = {};
    if (o.bindAddress !== undefined) {
      if (checkString(o.bindAddress, "options.bindAddress") === "") {
        throw new RangeError("options.bindAddress must not be empty");
      }
      bind.address = o.bindAddress;
    }
    if (o.bindPort !== undefined) {
      bind.port = checkInteger(o.bindPort, "options.bindPort", 0, 65_535);
    }
    target.bind = bind;
  }
  for (const field of ["cert", "key", "servername"] as const) {
    const value = o[field];
    if (value === undefined) continue;
    checkString(value, `options.${field}`);
    if (!tls) {
      throw new RangeError(
        `options.${field} needs a TLS connection (options.tls, mqtts:// or wss://)`,
      );
    }
    tlsOptions[field] = value;
  }
  const anyName = o.webSocket !== undefined; // a given class (ws) may take any servername
  if (
    websocket && !anyName && tlsOptions.servername !== undefined && tlsOptions.servername !== host
  ) {
    throw new RangeError(
      `options.servername must be the host over WebSocket (the URL's host is the name sent and ` +
        `verified), got ${describe(tlsOptions.servername)} for host ${describe(host)}`,
    );
  }
  if (o.ca !== undefined) {
    const list = Array.isArray(o.ca) ? o.ca : [o.ca];
    list.forEach((ca, i) =>
      checkString(ca, Array.isArray(o.ca) ? `options.ca[${i}]` : "options.ca")
    );
    if (!tls) {
      throw new RangeError("options.ca needs a TLS connection (options.tls, mqtts:// or wss://)");
    }
    tlsOptions.ca = o.ca;
  }
  if ((tlsOptions.cert === undefined) !== (tlsOptions.key === undefined)) {
    throw new RangeError("options.cert and options.key must be given together");
  }
  if (Array.isArray(tlsOptions.ca)) {
    tlsOptions.ca.forEach((ca, i) => checkPem(ca, `options.ca[${i}]`, true));
  } else if (tlsOptions.ca !== undefined) checkPem(tlsOptions.ca, "options.ca", true);
  if (tlsOptions.cert !== undefined) checkPem(tlsOptions.cert, "options.cert", true);
  if (tlsOptions.key !== undefined) checkPem(tlsOptions.key, "options.key", false);
  if (o.passphrase !== undefined) {
    if (typeof o.passphrase !== "string") {
      throw new TypeError(`options.passphrase must be a string, got ${typeof o.passphrase}`);
    }
    if (tlsOptions.key === undefined) throw new RangeError("options.passphrase needs options.key");
    tlsOptions.passphrase = o.passphrase;
  } else if (tlsOptions.key !== undefined && isEncryptedKey(tlsOptions.key)) {
    throw new RangeError("options.key is encrypted: give its options.passphrase");
  }
  if (tls) target.tls = tlsOptions;
  if (o.wsHeaders !== undefined) {
    if (!websocket) {
      throw new RangeError("options.wsHeaders needs a WebSocket URL (ws:// or wss://)");
    }
    if (typeof o.wsHeaders !== "function") {
      const headers = checkHeaders(o.wsHeaders);
      if (Object.keys(headers).length > 0) target.headers = headers;
    }
  }
  if (o.transformWsUrl !== undefined) {
    if (typeof o.transformWsUrl !== "function") {
      throw new TypeError(
        `options.transformWsUrl must be a function, got ${describe(o.transformWsUrl)}`,
      );
    }
    if (!websocket) {
      throw new RangeError("options.transformWsUrl needs a WebSocket URL (ws:// or wss://)");
    }
  }
  return target;
}

/** An HTTP header name (RFC 9110 token); a value: tab, visible ASCII, space, Latin-1. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the WebSocket handshake sets itself. */
const HANDSHAKE = /^(?:sec-websocket-.*|upgrade|connection)$/i;

/**
 * A copy of `wsHeaders`, checked. Messages name a header but never show its value (often a
 * token).
 *
 * @throws {TypeError} when it is not an object of strings
 * @throws {RangeError} for a name that is not an HTTP token or that the handshake sets itself,
 * or a value with a character an HTTP header cannot carry
 */
export function checkHeaders(wsHeaders: unknown): Record<string, string> {
  checkObject(wsHeaders, "options.wsHeaders");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(wsHeaders as Record<string, unknown>)) {
    const field = `options.wsHeaders[${describe(name)}]`;
    if (!TOKEN.test(name)) {
      throw new RangeError(`options.wsHeaders has ${describe(name)}, not an HTTP header name`);
    }
    if (HANDSHAKE.test(name)) {
      throw new RangeError(
        `options.wsHeaders must not set ${describe(name)}: the WebSocket handshake sets it`,
      );
    }
    if (typeof value !== "string") {
      throw new TypeError(
        `${field} must be a string, got ${value === null ? "null" : typeof value}`,
      );
    }
    if (!VALUE.test(value)) {
      throw new RangeError(
        `${field} has a character an HTTP header cannot carry (a control character or one ` +
          `above U+00FF); the value is not shown`,
      );
    }
    headers[name] = value;
  }
  return headers;
}

/** A string that looks like a file path: absolute, relative, home, a drive, or a PEM file name. */
const FILE_PATH = /^(?:\/|\.{1,2}[\\/]|~|[A-Za-z]:[\\/])|\.(?:pem|crt|cer|key)$/i;

/**
 * Throws unless `value` holds a PEM block ("-----BEGIN …"): the runtimes take certificates and
 * keys as text, and a file path given instead would fail only at the handshake, as an unknown
 * issuer. `quote`: whether the message may show the value (never for a key).
 *
 * @throws {TypeError} when `value` is not PEM text
 */
function checkPem(value: string, field: string, quote: boolean): void {
  if (value.includes("-----BEGIN ")) return;
  const got = quote
    ? describe(value)
    : !/[\r\n]/.test(value) && FILE_PATH.test(value.trim())
    ? "what looks like a file path"
    : "text without a PEM block";
  throw new TypeError(
    `${field} must be PEM text ("-----BEGIN …"), not a file path: read the file and pass ` +
      `its contents, got ${got}`,
  );
}
