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
import { connectionTakenWrite, takenWrite } from "./_next_turn.ts";
import { webSocketOpener } from "./_websocket_transport.ts";

/**
 * The WebSocket adapter of a runtime named `label` in messages ("a browser", …). A write under
 * 16 KiB settles after the event loop's turn (`_next_turn.ts`), so what a `ready()` loop publishes
 * meanwhile goes out in one frame: in a browser (`browser`) the turn every connection shares, ended
 * by a `MessageChannel` message; elsewhere (Workers) each connection's own, ended by a 0 ms timer.
 */
export function openGlobalWebSocket(label: string, browser = false): TransportOpener {
  const create = globalOnly(label);
  if (browser) return webSocketOpener(create, takenWrite);
  return (target, handlers, options) =>
    webSocketOpener(create, connectionTakenWrite())(target, handlers, options);
}
