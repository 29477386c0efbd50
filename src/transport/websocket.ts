/**
 * The WebSocket adapter: MQTT over `ws://` and `wss://` through a WHATWG `WebSocket`, the
 * runtime's global one (Deno, Bun, Node 22+, browsers, edge workers) or the class given as
 * `options.webSocket` (e.g. the `ws` package's, on Node 20). It offers the subprotocol "mqtt"
 * [MQTT-6.0.0-3] and sends each write as one binary frame; a received frame may hold part of a
 * packet or several (the codec reassembles), and a text frame ends the connection
 * [MQTT-6.0.0-1]. `write()` resolves once the bytes were handed over and `bufferedAmount` is
 * below 1 MiB, checked every 1 ms above (workerd's WebSocket has no `bufferedAmount`: there it
 * never waits for the socket to drain).
 *
 * Handshake headers (`target.headers`) and TLS settings (`ca`, `cert`, `key`) go where each
 * WebSocket takes them: a class given as `options.webSocket` gets them as its third argument,
 * `{ headers, ca, cert, key, servername }`, as `ws` reads it. Of the globals, Bun's takes
 * `{ protocols, headers, tls }`, Deno's `{ protocols, headers, client }` with a
 * `Deno.createHttpClient({ caCerts, cert, key })` (Deno also trusts the CAs in `DENO_CERT`) and
 * Node's `{ protocols, headers }` (no certificates: use `ws`). Browsers' and Workers' take
 * neither: connecting with them is an Error rather than a connection without them. With a
 * global WebSocket the URL's host is the name sent (SNI) and verified; a different `servername`
 * is an Error. (`_websocket_create.ts` creates the WebSocket that way.)
 *
 * @module
 */

import { takenWrite } from "./_next_turn.ts";
import type { TransportOpener } from "./types.ts";
import { createSocket } from "./_websocket_create.ts";
import { webSocketOpener } from "./_websocket_transport.ts";

/** Opens an MQTT-over-WebSocket connection to a `ws` or `wss` target. */
export const openWebSocket: TransportOpener = /* @__PURE__ */ webSocketOpener(
  createSocket,
  takenWrite,
);
