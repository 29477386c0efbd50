/**
 * The server side of the shared transport suite for the WebSocket adapter: a WebSocket server on
 * a free 127.0.0.1 port, with `Deno.serve` + `Deno.upgradeWebSocket` on Deno and `Bun.serve` on
 * Bun (node:http has no WebSocket server). It answers the subprotocol "mqtt", refuses the
 * handshake at `/refuse` (HTTP 404), holds requests to `/hold` unanswered until `release()`, and
 * records each request's path, subprotocols and headers.
 *
 * @module
 */

import { after, before } from "node:test";
import type { ServerSide, SuiteHarness } from "./transport_suite.ts";
import type { TlsOptions, TransportTarget } from "../../src/transport/types.ts";
import { refusedPort } from "./_node_server.ts";

/** A WebSocket request the server saw. */
export interface SeenRequest {
  /** Path and query. */
  path: string;
  /** The Sec-WebSocket-Protocol header: the subprotocols the client offered. */
  protocols: string | null;
  /** Every request header, by lower-case name. */
  headers: Record<string, string>;
}

/** One accepted WebSocket, as the suite needs it, plus the kind of every frame received. */
export interface WsServerSide extends ServerSide {
  /** "binary" or "text" per frame received, in order. */
  readonly frames: ("binary" | "text")[];
  /** Sends a text frame. */
  sendText(text: string): void;
}

/** The suite's harness plus what the WebSocket tests look at. */
export interface WsHarness extends SuiteHarness {
  accept(): Promise<WsServerSide>;
  /** Resolves when the next request arrives (e.g. one for `/hold`). */
  nextRequest(): Promise<SeenRequest>;
  /** Answers the held `/hold` requests with HTTP 503. */
  release(): void;
}

/** A socket as both servers give it to us. */
interface Peer {
  send(data: Uint8Array | string): void;
  close(): void;
}

/** The server end of one connection; `receive`/`closed` are fed by the server's callbacks. */
class Side implements WsServerSide {
  readonly frames: ("binary" | "text")[] = [];
  readonly ended: Promise<void>;
  closed!: () => void;
  #peer: Peer;
  #received: Uint8Array[] = [];
  #size = 0;
  #wake: (() => void) | undefined;

  constructor(peer: Peer) {
    this.#peer = peer;
    this.ended = new Promise((resolve) => (this.closed = resolve));
  }
  receive(data: unknown): void {
    this.frames.push(typeof data === "string" ? "text" : "binary");
    if (typeof data === "string") return;
    const bytes = data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data as Uint8Array);
    this.#received.push(bytes);
    this.#size += bytes.length;
    this.#wake?.();
  }
  write(bytes: Uint8Array): void {
    this.#peer.send(bytes);
  }
  sendText(text: string): void {
    this.#peer.send(text);
  }
  async read(n: number): Promise<Uint8Array> {
    while (this.#size < n) await new Promise<void>((resolve) => (this.#wake = resolve));
    const all = new Uint8Array(this.#size);
    let offset = 0;
    for (const chunk of this.#received) all.set(chunk, (offset += chunk.length) - chunk.length);
    return all.subarray(0, n);
  }
  end(): void {
    this.#peer.close();
  }
}

/** The members of `Bun.serve` used here (Deno type-checks this file and has no Bun types). */
interface BunServerSocket extends Peer {
  data: { side: Side };
}
interface BunServeOptions {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string };
  fetch(request: Request, server: BunServer): Response | Promise<Response> | undefined;
  websocket: {
    open(ws: BunServerSocket): void;
    message(ws: BunServerSocket, message: string | Uint8Array): void;
    close(ws: BunServerSocket): void;
  };
}
interface BunServer {
  port: number;
  upgrade(request: Request, options: { headers: HeadersInit; data: object }): boolean;
  stop(closeActive: boolean): void;
}

/**
 * Starts the WebSocket server before the enclosing `describe` block (over TLS with `cert` and
 * `key` when given) and stops it after; returns the harness, with `ws` or `wss` targets.
 */
export function useWebSocketServer(
  opener: SuiteHarness["opener"],
  options: { cert?: string; key?: string; tls?: TlsOptions } = {},
): WsHarness {
  const secure = options.cert !== undefined && options.key !== undefined;
  const kind: TransportTarget["kind"] = secure ? "wss" : "ws";
  const accepts: ((side: Side) => void)[] = [];
  const requestWaiters: ((request: SeenRequest) => void)[] = [];
  const sides = new Set<Side>();
  let held = Promise.withResolvers<void>();
  let port = 0;
  let refused = 0;
  let stop = (): Promise<void> => Promise.resolve();

  /** Records the request; a Response for the special paths, or undefined to upgrade. */
  function route(request: Request): Response | Promise<Response> | undefined {
    const url = new URL(request.url);
    const seen = {
      path: url.pathname + url.search,
      protocols: request.headers.get("sec-websocket-protocol"),
      headers: Object.fromEntries(request.headers),
    };
    requestWaiters.shift()?.(seen);
    if (url.pathname === "/refuse") return new Response("no broker here", { status: 404 });
    if (url.pathname === "/hold") {
      return held.promise.then(() => new Response(null, { status: 503 }));
    }
    return undefined;
  }
  function opened(side: Side): void {
    sides.add(side);
    side.ended.then(() => sides.delete(side));
    accepts.shift()?.(side);
  }

  before(async () => {
    refused = await refusedPort();
    const tls = secure ? { cert: options.cert!, key: options.key! } : undefined;
    const deno = (globalThis as { Deno?: typeof Deno }).Deno;
    if (deno !== undefined) {
      const server = deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
        (request) => {
          const answer = route(request);
          if (answer !== undefined) return answer;
          const { socket, response } = deno.upgradeWebSocket(request, { protocol: "mqtt" });
          socket.binaryType = "arraybuffer";
          const side = new Side({ send: (data) => socket.send(data), close: () => socket.close() });
          socket.onopen = () => opened(side);
          socket.onmessage = (event) => side.receive(event.data);
          socket.onclose = () => side.closed();
          return response;
        },
      );
      port = server.addr.port;
      stop = () => server.shutdown();
      return;
    }
    const bun = (globalThis as { Bun?: { serve(options: BunServeOptions): BunServer } }).Bun!;
    const server = bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      ...(tls && { tls }),
      fetch(request, server) {
        const answer = route(request);
        if (answer !== undefined) return answer;
        const upgraded = server.upgrade(request, {
          headers: { "Sec-WebSocket-Protocol": "mqtt" },
          data: {},
        });
        return upgraded ? undefined : new Response("not a WebSocket request", { status: 400 });
      },
      websocket: {
        open: (ws) => opened(ws.data.side = new Side(ws)),
        message: (ws, message) => ws.data.side.receive(message),
        close: (ws) => ws.data.side.closed(),
      },
    });
    port = server.port;
    stop = () => Promise.resolve(server.stop(true));
  });
  after(async () => {
    held.resolve();
    for (const side of sides) side.end();
    await Promise.all([...sides].map((side) => side.ended));
    await stop();
  });

  return {
    opener,
    target: () => ({
      kind,
      host: "127.0.0.1",
      port,
      path: "/mqtt",
      ...(options.tls && { tls: options.tls }),
    }),
    refusedTarget: () => ({ kind, host: "127.0.0.1", port: refused }),
    accept: () => new Promise((resolve) => accepts.push(resolve)),
    nextRequest: () => new Promise((resolve) => requestWaiters.push(resolve)),
    release: () => {
      held.resolve();
      held = Promise.withResolvers<void>();
    },
  };
}
