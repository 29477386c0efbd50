/**
 * The WebSocket adapter (`websocket.ts`) for a runtime whose global WebSocket takes the
 * subprotocol only, a browser's or a Worker's: it connects and refuses handshake headers and
 * certificates with the same errors, without the code that passes them to Deno's, Bun's and
 * Node's WebSocket. The browser and Workers default transports load it, so a browser bundle is
 * that much smaller.
 *
 * @module
 */

import type { TransportOpener } from "./types.ts";
import { globalOnly } from "./_websocket_create.ts";
import { webSocketOpener } from "./websocket.ts";

/** The WebSocket adapter of a runtime named `label` in messages ("a browser", …). */
export function openGlobalWebSocket(label: string): TransportOpener {
  return webSocketOpener(globalOnly(label));
}
