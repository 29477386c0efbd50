/**
 * Builds a runtime's default transport opener: `ws`/`wss` targets go to the WebSocket adapter,
 * `tcp`/`tls`/`unix` to the runtime's socket adapter. Adapters are loaded by dynamic import on
 * first use, so importing korero loads none of them.
 *
 * @module
 */

import type { TransportOpener } from "../types.ts";

/** Loads a runtime's socket adapter. */
export type SocketLoader = () => Promise<TransportOpener>;

/** Loads the WebSocket adapter for every runtime (`websocket.ts`). */
export const anyWebSocket: SocketLoader = () =>
  import("../websocket.ts").then((module) => module.openWebSocket);

/**
 * Loads the WebSocket adapter for a runtime whose global WebSocket takes the subprotocol only
 * (a browser, a Worker), named `label` in messages: the same connections and errors in less code.
 * `browser`: its connections share one turn (`websocket_global.ts`).
 */
export function globalWebSocket(label: string, browser = false): SocketLoader {
  return () => import("../websocket_global.ts").then((m) => m.openGlobalWebSocket(label, browser));
}

/** Where TCP is missing, the error says what to use instead. */
function noSockets(runtime: string): TransportOpener {
  return (target) =>
    Promise.reject(
      new Error(
        `${target.kind === "unix" ? "Unix sockets are" : "TCP is"} not available in this ` +
          `runtime (${runtime}); use ws:// or wss://, or pass options.transport`,
      ),
    );
}

/**
 * The default opener for `runtime`: `webSockets` loads its WebSocket adapter, `sockets` its
 * TCP/TLS/unix one (none: those targets are refused with an error naming the way out).
 */
export function defaultOpener(
  runtime: string,
  webSockets: SocketLoader,
  sockets?: SocketLoader,
): TransportOpener {
  let socketOpener: Promise<TransportOpener> | undefined;
  let webSocketOpener: Promise<TransportOpener> | undefined;
  const refuse = noSockets(runtime);
  return async (target, handlers, options) => {
    if (target.kind === "ws" || target.kind === "wss") {
      webSocketOpener ??= webSockets();
      return (await webSocketOpener)(target, handlers, options);
    }
    if (sockets === undefined) return refuse(target, handlers, options);
    socketOpener ??= sockets();
    return (await socketOpener)(target, handlers, options);
  };
}
