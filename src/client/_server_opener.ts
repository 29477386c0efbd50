/**
 * The opener a client connects with when it has more than one server, or hooks to run before
 * each attempt: each attempt tries the servers in order, starting with the one that worked
 * last (the first at the start), and settles on the first whose transport opens; before a
 * WebSocket target is tried, `transformWsUrl` makes its URL and a `wsHeaders` function its
 * handshake headers. When no server can be opened the attempt fails with the reasons of all.
 *
 * @module
 */

import type { TransportHandlers, TransportOpener, TransportTarget } from "../transport/types.ts";
import { webSocketUrl } from "../transport/_websocket_create.ts";
import { checkHeaders } from "./transport_target.ts";

/** What runs before each attempt on a WebSocket target, and how long a server may take. */
export interface AttemptHooks {
  /**
   * With several servers, how long one may take to open before the next is tried (so a server
   * that swallows the connection does not use up the whole attempt); none when absent.
   */
  perServerMs?: number | undefined;
  /** Makes the URL to open from the one the options give. */
  transformWsUrl?: ((url: string) => string | Promise<string>) | undefined;
  /** Makes the handshake headers. */
  wsHeaders?: (() => Record<string, string> | Promise<Record<string, string>>) | undefined;
}

/** An opener over `base` that fails over across `servers` and runs `hooks` (see above). */
export function serverOpener(
  base: TransportOpener,
  servers: readonly TransportTarget[],
  hooks: AttemptHooks,
): TransportOpener {
  let preferred = 0;
  return async (_target, handlers, options) => {
    const failures: string[] = [];
    let lastError: unknown;
    for (let n = 0; n < servers.length; n++) {
      const index = (preferred + n) % servers.length;
      options?.signal?.throwIfAborted();
      // Events of an attempt that failed must not reach the connection.
      let live = true;
      const guarded: TransportHandlers = {
        onData: (chunk) => live && handlers.onData(chunk),
        onClose: (error) => live && handlers.onClose(error),
      };
      const limit = servers.length > 1 ? hooks.perServerMs : undefined;
      const own = limit === undefined ? undefined : new AbortController();
      const outer = options?.signal;
      const forward = () => own!.abort(outer!.reason);
      if (own !== undefined) outer?.addEventListener("abort", forward, { once: true });
      const timer = own === undefined ? undefined : setTimeout(() => {
        const { host, port } = servers[index]!;
        const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
        own.abort(
          new Error(`${where}: no connection within ${limit} ms (its share of the attempt)`),
        );
      }, limit);
      try {
        const target = await prepare(servers[index]!, hooks);
        const how = own === undefined ? options : { ...options, signal: own.signal };
        const transport = await base(target, guarded, how);
        preferred = index;
        return transport;
      } catch (error) {
        live = false;
        if (outer?.aborted) throw error;
        lastError = error;
        const text = error instanceof Error ? error.message : String(error);
        failures.push(text);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        outer?.removeEventListener("abort", forward);
      }
    }
    if (servers.length === 1) throw lastError;
    throw new Error(
      `None of the ${servers.length} servers could be reached: ${failures.join("; ")}`,
      { cause: lastError },
    );
  };
}

/** `target` with the hooks' URL and headers, for WebSocket targets. */
async function prepare(target: TransportTarget, hooks: AttemptHooks): Promise<TransportTarget> {
  if (target.kind !== "ws" && target.kind !== "wss") return target;
  const prepared = { ...target };
  if (hooks.wsHeaders !== undefined) {
    const headers = checkHeaders(await hooks.wsHeaders());
    if (Object.keys(headers).length > 0) prepared.headers = headers;
    else delete prepared.headers;
  }
  if (hooks.transformWsUrl !== undefined) {
    const url = await hooks.transformWsUrl(webSocketUrl(target));
    if (typeof url !== "string" || !/^wss?:\/\//i.test(url)) {
      throw new TypeError("options.transformWsUrl must return a ws:// or wss:// URL");
    }
    if (/^wss:/i.test(url) !== (target.kind === "wss")) {
      throw new TypeError(`options.transformWsUrl must keep the scheme ${target.kind}://`);
    }
    prepared.url = url;
  }
  return prepared;
}
