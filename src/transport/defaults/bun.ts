/**
 * The default transport on Bun: `openBun` for TCP, TLS and unix sockets, the WebSocket adapter
 * for `ws`/`wss`. The npm build selects this module with the `bun` export condition.
 *
 * @module
 */

import { anyWebSocket, defaultOpener } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** Opens a connection to any target kind Bun supports. */
export const openDefault: TransportOpener = defaultOpener(
  "bun",
  anyWebSocket,
  () => import("../bun.ts").then((module) => module.openBun),
);
