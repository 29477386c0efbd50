/**
 * A `WebSocket` class (for the lite client's `webSocket` option) whose connections go to a
 * {@link FakeBroker} in memory, for what a real broker will not do: refuse with a chosen CONNACK
 * code, send a malformed packet, disconnect with a reason, resume a session in a scripted way.
 *
 * @module
 */

import type { FakeBroker } from "../_helpers/fake_broker.ts";
import type {
  Transport,
  WebSocketConstructor,
  WebSocketHandler,
  WebSocketLike,
} from "../../src/transport/types.ts";

type Handler = ((event: unknown) => void) | null;

/** A WebSocket class that connects every instance to `broker` (whatever the URL). */
export function fakeWebSocket(broker: FakeBroker): WebSocketConstructor {
  return class FakeWebSocket implements WebSocketLike {
    binaryType = "blob";
    readonly bufferedAmount = 0;
    onopen: WebSocketHandler = null;
    onmessage: WebSocketHandler = null;
    onerror: WebSocketHandler = null;
    onclose: WebSocketHandler = null;
    #transport: Transport | undefined;
    #closed = false;

    constructor(_url: string, _protocols: string | string[]) {
      broker.opener({ kind: "ws", host: "fake", port: 80, path: "/mqtt" }, {
        onData: (bytes) => this.#emit(this.onmessage, { data: bytes.slice().buffer }),
        onClose: (error) => this.#finish(error === undefined),
      }).then((transport) => {
        this.#transport = transport;
        this.#emit(this.onopen, {});
      }, () => this.#finish(false));
    }

    send(data: Uint8Array): void {
      void this.#transport?.write(data.slice());
    }

    close(): void {
      // As a WebSocket does, what was sent before close() still goes (the memory transport's
      // close() would drop the bytes still queued).
      const transport = this.#transport;
      queueMicrotask(() => transport?.close());
      this.#finish(true);
    }

    #finish(clean: boolean): void {
      if (this.#closed) return;
      this.#closed = true;
      const event = { code: clean ? 1000 : 1006, reason: "", wasClean: clean };
      queueMicrotask(() => this.#emit(this.onclose, event));
    }

    #emit(handler: WebSocketHandler, event: unknown): void {
      (handler as Handler)?.(event);
    }
  };
}
