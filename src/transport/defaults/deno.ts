/**
 * The default transport on Deno: `openDeno` for TCP, TLS and unix sockets, the WebSocket adapter
 * for `ws`/`wss`. The npm build selects this module with the `deno` export condition.
 *
 * @module
 */

import { anyWebSocket, defaultOpener } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** Opens a connection to any target kind Deno supports. */
export const openDefault: TransportOpener = defaultOpener(
  "deno",
  anyWebSocket,
  () => import("../deno.ts").then((module) => module.openDeno),
);
