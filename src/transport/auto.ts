/**
 * Picks the transport adapter for the runtime the code runs on, loading it by dynamic import so
 * no runtime loads another runtime's adapter. `ws`/`wss` targets go to the WebSocket adapter on
 * any runtime with a global `WebSocket`; `tcp`, `tls` and `unix` to the runtime's socket adapter.
 *
 * @module
 */

import type { TransportOpener } from "./types.ts";

let cached: Promise<TransportOpener> | undefined;
let cachedWebSocket: Promise<TransportOpener> | undefined;

/** The name of the JavaScript runtime: `"deno"`, `"bun"`, `"node"` or `"unknown"`. */
export function runtimeName(): "deno" | "bun" | "node" | "unknown" {
  const global = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
  };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  if (global.process?.versions?.node !== undefined) return "node";
  return "unknown";
}

/** Loads the adapter for this runtime; rejects with an `Error` naming a runtime without one. */
export function loadRuntimeOpener(): Promise<TransportOpener> {
  cached ??= (async () => {
    const runtime = runtimeName();
    if (runtime === "deno") return (await import("./deno.ts")).openDeno;
    if (runtime === "bun") return (await import("./bun.ts")).openBun;
    throw new Error(
      `korero has no socket transport for the ${runtime} runtime yet; ` +
        `pass options.transport to use a custom one`,
    );
  })();
  return cached;
}

/** Loads the WebSocket adapter; rejects with an `Error` on a runtime without a global WebSocket. */
export function loadWebSocketOpener(): Promise<TransportOpener> {
  cachedWebSocket ??= (async () => {
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== "function") {
      throw new Error(
        `korero cannot use ws:// or wss:// on the ${runtimeName()} runtime: it has no global ` +
          `WebSocket; pass options.transport to use a custom one`,
      );
    }
    return (await import("./websocket.ts")).openWebSocket;
  })();
  return cachedWebSocket;
}

/** Opens a connection with the adapter for the target's kind on the runtime the code runs on. */
export const openAuto: TransportOpener = async (target, handlers, options) => {
  const websocket = target.kind === "ws" || target.kind === "wss";
  const opener = await (websocket ? loadWebSocketOpener() : loadRuntimeOpener());
  return opener(target, handlers, options);
};
