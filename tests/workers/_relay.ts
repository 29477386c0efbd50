/**
 * The Node side of `_relay_worker.ts`: a {@link TransportOpener} whose connections are
 * `openCloudflare` connections made inside workerd. Each call crosses to the worker and each
 * report comes back, so the shared transport suite runs unchanged against the Workers adapter.
 *
 * @module
 */

import type { Transport, TransportHandlers, TransportOpener } from "../../src/transport/types.ts";
import { HEADER, type RelayCommand, type RelayEvent } from "./_relay_protocol.ts";
import { bundleWorker, type MiniflareWebSocket, startWorker, type Worker } from "./_workerd.ts";

/** Bytes per binary frame (workerd takes WebSocket messages of up to 1 MiB). */
const FRAME = 512 * 1024;

interface Connection {
  handlers: TransportHandlers;
  /** `close()` was called; `onClose` calls seen. */
  closedByUs: boolean;
  closes: number;
  opened: PromiseWithResolvers<void>;
  writes: Map<number, PromiseWithResolvers<void>>;
}

/** A relay to a worker running `openCloudflare`. */
export interface Relay {
  /** Opens connections in the worker. */
  opener: TransportOpener;
  /**
   * Resolves once every report the worker made so far has arrived (and it had a timer tick to
   * make more): the suite's checks for "nothing else happened" then see what the worker did.
   */
  flush(): Promise<void>;
  /** What the adapter did wrong on any connection: `onClose` twice, or after `close()`. */
  readonly violations: string[];
  /** Stops the worker. */
  stop(): Promise<void>;
}

/** Bundles and starts the relay worker; `trustTestCa` lets its TLS trust the test CA. */
export async function startRelay(options: { trustTestCa?: boolean } = {}): Promise<Relay> {
  const { code } = await bundleWorker("tests/workers/_relay_worker.ts", "source");
  const worker: Worker = await startWorker(code, options);
  const response = await worker.dispatchFetch("http://relay/", {
    headers: { Upgrade: "websocket" },
  });
  const maybeSocket: MiniflareWebSocket | null = response.webSocket;
  if (maybeSocket === null) {
    throw new Error(`The relay worker answered ${response.status}, no WebSocket`);
  }
  const socket = maybeSocket;
  socket.accept();
  const connections = new Map<number, Connection>();
  let nextId = 1;
  let nextSeq = 1;
  const pongs = new Map<number, () => void>();
  const violations: string[] = [];
  const command = (message: RelayCommand) => socket.send(JSON.stringify(message));

  socket.addEventListener("message", ({ data }) => {
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data);
      const id = new DataView(data).getUint32(0);
      return connections.get(id)?.handlers.onData(bytes.slice(HEADER));
    }
    const event = JSON.parse(data) as RelayEvent;
    if (event.ev === "pong") return pongs.get(event.id)?.();
    const connection = connections.get(event.id);
    if (connection === undefined) return;
    switch (event.ev) {
      case "opened":
        return connection.opened.resolve();
      case "rejected":
        return connection.opened.reject(Object.assign(new Error(event.message), event));
      case "close":
        if (connection.closes++ > 0) violations.push(`connection ${event.id}: onClose twice`);
        if (connection.closedByUs) violations.push(`connection ${event.id}: onClose after close()`);
        return connection.handlers.onClose(
          event.error === null ? undefined : new Error(event.error),
        );
      case "written":
        return connection.writes.get(event.seq)?.resolve();
      case "writeRejected":
        return connection.writes.get(event.seq)?.reject(new Error(event.message));
    }
  });

  const opener: TransportOpener = async (target, handlers, options = {}) => {
    const signal = options.signal;
    const id = nextId++;
    const connection: Connection = {
      handlers,
      closedByUs: false,
      closes: 0,
      opened: Promise.withResolvers(),
      writes: new Map(),
    };
    connections.set(id, connection);
    // Sent a microtask later, so an abort right after this call is made right after it there too.
    const aborted = () => signal?.aborted === true;
    const before = aborted();
    await Promise.resolve();
    const after = !before && aborted();
    command({
      op: "open",
      id,
      target,
      ...(before ? { abort: "before" } : after && { abort: "after-call" }),
    });
    const onAbort = () => command({ op: "abort", id });
    if (!before && !after) signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await connection.opened.promise;
    } catch (error) {
      // The worker's opener rejected with its signal's reason: this one rejects with ours.
      if ((error as { abortReason?: boolean }).abortReason) throw signal!.reason;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    return relayed(id, connection);
  };

  function relayed(id: number, connection: Connection): Transport {
    return {
      write(bytes) {
        const seq = nextSeq++;
        const pending = Promise.withResolvers<void>();
        connection.writes.set(seq, pending);
        for (let offset = 0; offset < bytes.length || offset === 0; offset += FRAME) {
          const part = bytes.subarray(offset, offset + FRAME);
          const frame = new Uint8Array(HEADER + part.length);
          const view = new DataView(frame.buffer);
          view.setUint32(0, id);
          view.setUint32(4, seq);
          frame[8] = offset + FRAME >= bytes.length ? 1 : 0;
          frame.set(part, HEADER);
          socket.send(frame);
          if (bytes.length === 0) break;
        }
        return pending.promise.finally(() => connection.writes.delete(seq));
      },
      close() {
        connection.closedByUs = true;
        command({ op: "close", id });
      },
    };
  }

  return {
    opener,
    flush() {
      const id = nextId++;
      const { promise, resolve } = Promise.withResolvers<void>();
      pongs.set(id, resolve);
      command({ op: "ping", id });
      return promise.finally(() => pongs.delete(id));
    },
    violations,
    async stop() {
      socket.close(1000, "done");
      await worker.dispose();
    },
  };
}
