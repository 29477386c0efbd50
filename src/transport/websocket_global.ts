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
import { takenWrite } from "./_next_turn.ts";
import { webSocketOpener } from "./_websocket_transport.ts";

/**
 * The WebSocket adapter of a runtime named `label` in messages ("a browser", …). `batched`: a
 * write under 16 KiB settles after the event loop's turn (`_next_turn.ts`), so what a `ready()`
 * loop publishes meanwhile goes out in one frame (browsers); else at once (Workers, where a
 * promise shared by the writes of one turn could belong to another request).
 */
export function openGlobalWebSocket(label: string, batched = false): TransportOpener {
  return webSocketOpener(globalOnly(label), batched ? takenWrite : undefined);
}
