/**
 * The default transport in browsers: the WebSocket adapter for `ws`/`wss`; TCP, TLS and unix
 * targets are refused with an error that names ws:// and wss://. The npm build selects this
 * module with the `browser` export condition, so a browser bundle holds no socket adapter.
 *
 * @module
 */

import { defaultOpener, globalWebSocket } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** Opens a `ws`/`wss` connection; refuses the other target kinds. */
export const openDefault: TransportOpener = defaultOpener(
  "browser",
  globalWebSocket("a browser", true),
);
