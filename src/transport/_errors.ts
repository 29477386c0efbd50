/**
 * The errors the socket adapters report, each naming where the connection went: a failed
 * connect ("Cannot connect to host:port: reason (CODE)") and a failed TLS handshake
 * ({@link TlsError}).
 *
 * @module
 */

import { TlsError } from "../errors.ts";
import type { TransportTarget } from "./types.ts";

/** Deno's verifier (rustls) refuses a CA certificate as the server's own; Node's and Bun's do not. */
const CA_AS_LEAF = " (Deno refuses a CA certificate as the server's own: give the server a " +
  "certificate with basicConstraints CA:FALSE, self-signed or signed by a CA)";

/** Where `target` goes, for messages: `"path"`, `host:port` or `[v6 address]:port`. */
export function address(target: TransportTarget): string {
  if (target.kind === "unix") return `"${target.path}"`;
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}

/** The runtime's error message, with its `code` (e.g. ECONNREFUSED) when the message lacks it. */
export function reasonOf(cause: unknown, otherwise = "no reason given"): string {
  const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
  const reason = typeof message === "string" && message !== ""
    ? message
    : cause === undefined || cause === null
    ? otherwise
    : String(cause);
  return typeof code === "string" && !reason.includes(code) ? `${reason} (${code})` : reason;
}

/** "Cannot connect to <address>: <reason>", with the runtime's error as its cause. */
export function connectError(
  target: TransportTarget,
  cause: unknown,
  reason: string = reasonOf(cause),
): Error {
  return new Error(`Cannot connect to ${address(target)}: ${reason}`, { cause });
}

/**
 * A {@link TlsError} naming `target`'s host and port and the runtime's reason (its message, with
 * its `code` when it has a string one, and a hint for Deno's CaUsedAsEndEntity), with the
 * runtime's error as its cause.
 */
export function tlsError(target: TransportTarget, cause: unknown): TlsError {
  const reason = reasonOf(cause, "the connection closed during the handshake");
  const hint = reason.includes("CaUsedAsEndEntity") ? CA_AS_LEAF : "";
  return new TlsError(`TLS handshake with ${address(target)} failed: ${reason}${hint}`, { cause });
}

/**
 * Whether `error` is a TLS alert from the peer. Under TLS 1.3 a server that refuses the client's
 * certificate says so only after the client's side of the handshake is done: the adapters see
 * the alert at the first read, and report it (before any data arrived) as a {@link TlsError} too.
 */
export function isTlsAlert(error: unknown): boolean {
  return /alert/i.test(String((error as { message?: unknown } | undefined)?.message));
}
