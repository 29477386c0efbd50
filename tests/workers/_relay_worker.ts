/**
 * A worker (run in workerd) that drives `openCloudflare` for a test on Node, over one WebSocket:
 * the test says open / write / close / abort, the worker calls the adapter and reports what it
 * does (opened or rejected, each `onData` chunk, `onClose`, each write settling). The sockets are
 * the worker's own; only the test's calls and the adapter's reports cross the WebSocket
 * (`_relay_protocol.ts`). A worker module exports only its handlers.
 *
 * @module
 */

import { openCloudflare } from "../../src/transport/cloudflare.ts";
import type { Transport, TransportTarget } from "../../src/transport/types.ts";
import { HEADER, type RelayCommand, type RelayEvent } from "./_relay_protocol.ts";

type ServerSocket = WebSocket & { accept(): void };
type Pair = new () => { 0: WebSocket; 1: ServerSocket };

function relay(socket: ServerSocket): void {
  const transports = new Map<number, Transport>();
  const aborts = new Map<number, AbortController>();
  const parts = new Map<string, Uint8Array[]>();
  const send = (event: RelayEvent) => socket.send(JSON.stringify(event));

  function data(id: number, chunk: Uint8Array): void {
    const frame = new Uint8Array(HEADER + chunk.length);
    new DataView(frame.buffer).setUint32(0, id);
    frame[8] = 1;
    frame.set(chunk, HEADER);
    socket.send(frame);
  }

  async function open(id: number, target: TransportTarget, abort?: string): Promise<void> {
    const controller = new AbortController();
    aborts.set(id, controller);
    const reason = new Error(`aborted ${id}`);
    if (abort === "before") controller.abort(reason);
    const handlers = {
      onData: (chunk: Uint8Array) => data(id, chunk),
      onClose: (error?: Error) => send({ ev: "close", id, error: error?.message ?? null }),
    };
    const opening = openCloudflare(target, handlers, { signal: controller.signal });
    if (abort === "after-call") controller.abort(reason);
    try {
      transports.set(id, await opening);
      send({ ev: "opened", id });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      send({ ev: "rejected", id, message, abortReason: error === controller.signal.reason });
    }
  }

  async function write(id: number, seq: number, bytes: Uint8Array): Promise<void> {
    try {
      await transports.get(id)!.write(bytes);
      send({ ev: "written", id, seq });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      send({ ev: "writeRejected", id, seq, message });
    }
  }

  socket.addEventListener("message", ({ data: frame }: MessageEvent) => {
    if (typeof frame === "string") {
      const command = JSON.parse(frame) as RelayCommand;
      if (command.op === "open") void open(command.id, command.target, command.abort);
      else if (command.op === "abort") aborts.get(command.id)?.abort(new Error("aborted"));
      else if (command.op === "close") transports.get(command.id)?.close();
      else setTimeout(() => send({ ev: "pong", id: command.id }), 0);
      return;
    }
    const bytes = new Uint8Array(frame as ArrayBuffer);
    const view = new DataView(bytes.buffer);
    const id = view.getUint32(0), seq = view.getUint32(4), key = `${id}/${seq}`;
    const list = parts.get(key) ?? [];
    list.push(bytes.subarray(HEADER));
    if (bytes[8] !== 1) return void parts.set(key, list);
    parts.delete(key);
    const whole = new Uint8Array(list.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of list) whole.set(part, (offset += part.length) - part.length);
    void write(id, seq, whole);
  });
}

export default {
  fetch(request: Request): Response {
    if (request.headers.get("Upgrade") !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new (globalThis as unknown as { WebSocketPair: Pair })
      .WebSocketPair();
    server.accept();
    server.binaryType = "arraybuffer"; // newer compatibility dates default to "blob"
    relay(server);
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  },
};
