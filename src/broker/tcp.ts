/**
 * The TCP listener: `Deno.listen` on Deno, `Bun.listen` on Bun, `node:net` elsewhere.
 *
 * @module
 */

import type { Accept, ListenAddress, Listener } from "./listener.ts";
import { listenDeno } from "./_tcp_deno.ts";
import { listenBun } from "./_tcp_bun.ts";
import { listenNode } from "./_tcp_node.ts";

/** Listens for MQTT over TCP on `address`, with the runtime's own socket API. */
export function listenTcp(address: ListenAddress, accept: Accept): Promise<Listener> {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Bun !== undefined) return Promise.resolve(listenBun(address, accept));
  if (global.Deno !== undefined) return Promise.resolve(listenDeno(address, accept));
  return listenNode(address, accept);
}
