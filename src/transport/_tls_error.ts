/**
 * The error the socket adapters reject with when a TLS handshake fails.
 *
 * @module
 */

import { TlsError } from "../errors.ts";
import type { TransportTarget } from "./types.ts";

/** Deno's verifier (rustls) refuses a CA certificate as the server's own; Node's and Bun's do not. */
const CA_AS_LEAF = " (Deno refuses a CA certificate as the server's own: give the server a " +
  "certificate with basicConstraints CA:FALSE, self-signed or signed by a CA)";

/**
 * A {@link TlsError} naming `target`'s host and port and the runtime's reason (its message, with
 * its `code` when it has a string one, and a hint for Deno's CaUsedAsEndEntity), with the
 * runtime's error as its cause.
 */
export function tlsError(target: TransportTarget, cause: unknown): TlsError {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
  const reason = typeof message === "string" && message !== ""
    ? message
    : cause === undefined || cause === null
    ? "the connection closed during the handshake"
    : String(cause);
  const coded = typeof code === "string" && !reason.includes(code) ? ` (${code})` : "";
  const hint = reason.includes("CaUsedAsEndEntity") ? CA_AS_LEAF : "";
  const why = `${reason}${coded}${hint}`;
  return new TlsError(`TLS handshake with ${host}:${target.port} failed: ${why}`, { cause });
}

/**
 * Whether `error` is a TLS alert from the peer. Under TLS 1.3 a server that refuses the client's
 * certificate says so only after the client's side of the handshake is done: the adapters see
 * the alert at the first read, and report it (before any data arrived) as a {@link TlsError} too.
 */
export function isTlsAlert(error: unknown): boolean {
  return /alert/i.test(String((error as { message?: unknown } | undefined)?.message));
}
