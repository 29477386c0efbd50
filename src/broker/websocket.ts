/**
 * The WebSocket listener (MQTT over WebSocket, subprotocol "mqtt", any path): `Deno.serve` on
 * Deno, `Bun.serve` on Bun. Node has no WebSocket server built in, so there it is not offered.
 *
 * @module
 */

import type { Accept, ListenAddress, Listener, Peer } from "./listener.ts";

interface DenoSocket {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  send(data: Uint8Array): void;
  close(): void;
}
type DenoApi = {
  serve(
    options: { hostname: string; port: number; onListen(): void },
    handler: (request: Request) => Response,
  ): { addr: { port: number }; shutdown(): Promise<void> };
  upgradeWebSocket(
    request: Request,
    options: { protocol?: string },
  ): { socket: DenoSocket; response: Response };
};
interface BunWebSocket {
  data: { peer: Peer };
  send(data: Uint8Array): void;
  close(): void;
}
interface BunServer {
  port: number;
  upgrade(request: Request, options: { headers: HeadersInit; data: object }): boolean;
  stop(closeActive: boolean): void;
}
type BunApi = {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Response | undefined;
    websocket: {
      open(ws: BunWebSocket): void;
      message(ws: BunWebSocket, message: string | Uint8Array): void;
      close(ws: BunWebSocket): void;
    };
  }): BunServer;
};

/** Whether this runtime can serve WebSockets (Deno or Bun). */
export function canListenWebSocket(): boolean {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  return global.Deno !== undefined || global.Bun !== undefined;
}

/** Whether a request offers the "mqtt" subprotocol. */
function offersMqtt(request: Request): boolean {
  const offered = request.headers.get("sec-websocket-protocol") ?? "";
  return offered.split(",").some((name) => name.trim() === "mqtt");
}

/**
 * Listens for MQTT over WebSocket on `address`.
 *
 * @throws {Error} on a runtime without a WebSocket server (Node).
 */
export function listenWebSocket(address: ListenAddress, accept: Accept): Listener {
  const global = globalThis as { Deno?: DenoApi; Bun?: BunApi };
  const sockets = new Set<{ close(): void }>();
  const refuse = () =>
    new Response("MQTT over WebSocket needs the subprotocol mqtt", { status: 400 });
  if (global.Bun !== undefined) {
    const server = global.Bun.serve({
      ...address,
      fetch(request, server) {
        if (!offersMqtt(request)) return refuse();
        const headers = { "Sec-WebSocket-Protocol": "mqtt" };
        return server.upgrade(request, { headers, data: {} }) ? undefined : refuse();
      },
      websocket: {
        open(ws) {
          sockets.add(ws);
          ws.data.peer = accept({ write: (bytes) => ws.send(bytes), close: () => ws.close() });
        },
        message(ws, message) {
          if (typeof message !== "string") ws.data.peer.data(new Uint8Array(message));
          else ws.close(); // MQTT over WebSocket is binary [MQTT-6.0.0-1]
        },
        close(ws) {
          sockets.delete(ws);
          ws.data.peer.closed();
        },
      },
    });
    return {
      port: server.port,
      close() {
        for (const socket of sockets) socket.close();
        server.stop(true);
        return Promise.resolve();
      },
    };
  }
  if (global.Deno === undefined) {
    throw new Error("MQTT over WebSocket needs Deno or Bun (Node has no WebSocket server)");
  }
  const deno = global.Deno;
  const server = deno.serve({ ...address, onListen() {} }, (request) => {
    if (!offersMqtt(request)) return refuse();
    const { socket, response } = deno.upgradeWebSocket(request, { protocol: "mqtt" });
    socket.binaryType = "arraybuffer";
    let peer: Peer | undefined;
    socket.onopen = () => {
      sockets.add(socket);
      peer = accept({ write: (bytes) => socket.send(bytes), close: () => socket.close() });
    };
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) peer?.data(new Uint8Array(event.data));
      else socket.close();
    };
    socket.onclose = () => {
      sockets.delete(socket);
      peer?.closed();
    };
    socket.onerror = () => {};
    return response;
  });
  return {
    port: server.addr.port,
    async close() {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  };
}
