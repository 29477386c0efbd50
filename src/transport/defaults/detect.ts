/**
 * The default transport when the runtime is found at run time (the sources as published on JSR,
 * and the npm build's `default` condition): Deno, Bun, Node and Cloudflare Workers get their
 * socket adapter, anything else (a browser) WebSocket only. Each adapter is loaded by dynamic
 * import, so no runtime loads another runtime's adapter.
 *
 * @module
 */

import { anyWebSocket, defaultOpener, globalWebSocket } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** The JavaScript runtime the code runs on. */
export type RuntimeName = "deno" | "bun" | "node" | "workerd" | "browser";

/** Finds the runtime from its globals. */
export function runtimeName(): RuntimeName {
  const global = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  if (global.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (global.process?.versions?.node !== undefined) return "node";
  return "browser";
}

/** Opens a connection to `target` with the adapter for its kind on this runtime. */
export const openDefault: TransportOpener = (target, handlers, options) => {
  opener ??= pick(runtimeName());
  return opener(target, handlers, options);
};

let opener: TransportOpener | undefined;

function pick(runtime: RuntimeName): TransportOpener {
  switch (runtime) {
    case "deno":
      return defaultOpener(
        runtime,
        anyWebSocket,
        () => import("../deno.ts").then((m) => m.openDeno),
      );
    case "bun":
      return defaultOpener(runtime, anyWebSocket, () => import("../bun.ts").then((m) => m.openBun));
    case "node":
      return defaultOpener(
        runtime,
        anyWebSocket,
        () => import("../node.ts").then((m) => m.openNode),
      );
    case "workerd":
      return defaultOpener(
        runtime,
        globalWebSocket("Cloudflare Workers"),
        () => import("../cloudflare.ts").then((m) => m.openCloudflare),
      );
    case "browser":
      return defaultOpener(runtime, globalWebSocket("a browser", true));
  }
}
