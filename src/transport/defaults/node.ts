/**
 * The default transport on Node: `openNode` for TCP, TLS and unix sockets, the WebSocket adapter
 * for `ws`/`wss`. The npm build selects this module with the `node` export condition.
 *
 * @module
 */

import { anyWebSocket, defaultOpener } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** Opens a connection to any target kind Node supports. */
export const openDefault: TransportOpener = defaultOpener(
  "node",
  anyWebSocket,
  () => import("../node.ts").then((module) => module.openNode),
);
