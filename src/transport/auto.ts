/**
 * Picks the transport adapter for the runtime the code runs on, loading it by dynamic import so
 * no runtime loads another runtime's adapter.
 *
 * @module
 */

import type { TransportOpener } from "./types.ts";

let cached: Promise<TransportOpener> | undefined;

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

/** Opens a connection with the adapter of the runtime the code runs on. */
export const openAuto: TransportOpener = async (target, handlers, signal) => {
  const opener = await loadRuntimeOpener();
  return opener(target, handlers, signal);
};
