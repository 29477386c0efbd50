/**
 * The WebSocket transport behind every WebSocket adapter (`websocket.ts` for Deno, Bun and Node,
 * `websocket_global.ts` for browsers and Workers, the lite client's): one connection over a WHATWG
 * `WebSocket` that its adapter creates, as `websocket.ts` describes.
 *
 * @module
 */

import { WebSocketError } from "../errors.ts";
import type { Transport, TransportHandlers, TransportOpener } from "./types.ts";
import type { TransportTarget, WebSocketConstructor, WebSocketLike } from "./types.ts";
import { abortable } from "./_abortable.ts";
import { type CreateSocket, shownUrl, webSocketUrl } from "./_websocket_create.ts";

/** `write()` waits while `bufferedAmount` is at or above HIGH_WATER, looking every POLL_MS. */
const HIGH_WATER = 1024 * 1024, POLL_MS = 1;

/** What `send()` takes; korero's bytes are never over a SharedArrayBuffer. */
type Sendable = Parameters<WebSocketLike["send"]>[0];

/**
 * The WebSocket adapter with `create` creating its WebSocket (`createSocket` for every runtime;
 * `websocket_global.ts` passes one for browsers and Workers only). A write the socket buffered
 * below the mark settles when `settled(length)` resolves (`takenWrite` on Deno, Bun, Node and in
 * browsers), or at once (Workers, the lite client).
 */
export function webSocketOpener(
  create: CreateSocket,
  settled?: (length: number) => Promise<void>,
): TransportOpener {
  return async (target, handlers, options = {}) => {
    const signal = options.signal;
    signal?.throwIfAborted();
    const transport = new WebSocketTransport(target, handlers, options.webSocket, create, settled);
    const stop = () => transport.close(); // an abort stops the handshake at once
    signal?.addEventListener("abort", stop, { once: true });
    const cleanUp = () => signal?.removeEventListener("abort", stop);
    await abortable(transport.ready, signal).finally(cleanUp);
    return transport;
  };
}

class WebSocketTransport implements Transport {
  /** Resolves when the handshake succeeded; rejects when it failed (or `close()` came first). */
  readonly ready: Promise<void>;
  readonly #socket: WebSocketLike;
  readonly #handlers: TransportHandlers;
  readonly #release: () => void;
  readonly #copy: boolean;
  readonly #settled: ((length: number) => Promise<void>) | undefined;
  readonly maxWrite: number | undefined;
  #open = false;
  #closed = false;

  constructor(
    target: TransportTarget,
    handlers: TransportHandlers,
    given: WebSocketConstructor | undefined,
    create: CreateSocket,
    settled: ((length: number) => Promise<void>) | undefined,
  ) {
    this.#settled = settled;
    const url = webSocketUrl(target);
    const { socket, release, copy, maxWrite } = create(target, url, given);
    this.maxWrite = maxWrite;
    this.#socket = socket;
    this.#handlers = handlers;
    this.#release = release;
    this.#copy = copy;
    socket.binaryType = "arraybuffer";
    let resolve!: () => void, reject!: (error: Error) => void; // (Node 20: no withResolvers)
    this.ready = new Promise((yes, no) => (resolve = yes, reject = no));
    let detail: string | undefined; // Deno's, Bun's and ws's error events say why it failed
    socket.onerror = (event: { message?: unknown }) =>
      void (detail ??= typeof event.message === "string" && event.message || undefined);
    socket.onopen = () => (this.#open = true, resolve());
    socket.onmessage = ({ data }: { data: unknown }) => {
      if (this.#closed) return;
      if (typeof data !== "string") return handlers.onData(new Uint8Array(data as ArrayBuffer));
      this.#end(new Error("The server sent a text frame; MQTT needs binary frames [MQTT-6.0.0-1]"));
    };
    socket.onclose = ({ code, reason, wasClean }: CloseInfo) => {
      const why = `code ${code}${reason ? `, "${reason}"` : ""}`;
      if (!this.#open) {
        this.close();
        const shown = shownUrl(url); // Bun's detail quotes the URL
        const cause = detail?.replaceAll(url, shown) ?? why;
        // "Invalid status code: 401" (Deno), "Expected 101 status code: 401" (Bun),
        // "Unexpected server response: 401" (ws).
        const status = /(?:status code|server response):? (\d{3})\b/i.exec(detail ?? "")?.[1];
        const message = `Cannot connect to ${shown}: the WebSocket handshake failed (${cause})`;
        return reject(
          new WebSocketError(message, status === undefined ? {} : { status: Number(status) }),
        );
      }
      const clean = wasClean && (code === 1000 || code === 1005);
      this.#end(clean ? undefined : new Error(`The WebSocket closed abnormally (${why})`));
    };
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error("Cannot write: the connection is closed");
    // A global WebSocket's send() copies the bytes: the caller may reuse its buffer.
    this.#socket.send(this.#copy ? bytes.slice() : bytes as Sendable);
    // (workerd's WebSocket has no bufferedAmount.)
    if (!(this.#socket.bufferedAmount >= HIGH_WATER)) return this.#settled?.(bytes.length);
    while (this.#socket.bufferedAmount >= HIGH_WATER) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (this.#closed) throw new Error("Cannot write: the connection closed before it drained");
    }
  }

  /** Closes the socket (and releases Deno's HttpClient); false if it was closed already. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#socket.close();
    this.#release();
    return true;
  }

  /** The connection ended without a `close()` from us: report it once. */
  #end(error: Error | undefined): void {
    if (this.close()) this.#handlers.onClose(error);
  }
}

/** What a close event says. */
type CloseInfo = { code: number; reason: string; wasClean: boolean };
