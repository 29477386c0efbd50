/**
 * One transport as the driver sees it, from the `open` request until it is closed: the
 * abortable opening, the events that arrive before the opener resolved (held, then replayed in
 * order), its write pipeline, and its lifecycle (open, closing, closed), which the driver moves on.
 *
 * @module
 */

import type {
  Transport,
  TransportOpener,
  TransportTarget,
  WebSocketConstructor,
} from "../transport/types.ts";
import type { Settlement } from "./_pending_calls.ts";
import { type PipelineHooks, WritePipeline } from "./_write_pipeline.ts";

/**
 * What a connection reports to the driver, naming itself (the driver is the one object behind
 * all its connections: no closures per connection).
 */
export interface ConnectionEvents {
  /** The transport is open (any bytes that arrived early are replayed after this). */
  connectionOpened(conn: Connection): void;
  /**
   * Bytes arrived on an open connection; returns whether the next bytes are wanted at once (see
   * `TransportHandlers.onData`).
   */
  connectionData(conn: Connection, chunk: Uint8Array): boolean;
  /**
   * The transport ended, failed, could not be opened, or a write to it failed (`error` says why,
   * if not cleanly).
   */
  connectionClosed(conn: Connection, error: Error | undefined): void;
  /** A flush of the connection's pipeline found nothing left to write. */
  connectionDrained(conn: Connection): void;
  /** A write completed: the pipeline's `full` may have changed. */
  connectionWrote(): void;
  /** Delivers a token's settlement. */
  settle(settlement: Settlement): void;
}

/** Where and how a connection opens its transport. */
export interface OpenSettings {
  /** Opens the transport. */
  opener: TransportOpener;
  /** Where the opener connects. */
  target: TransportTarget;
  /** Passed to the opener: whether the transport may batch reads under a dense stream. */
  readPacing: boolean;
  /** Passed to the opener: the WebSocket class for `ws`/`wss` targets (the global's when absent). */
  webSocket?: WebSocketConstructor | undefined;
}

/** One transport, from the `open` request until it is closed; its pipeline reports to it. */
export class Connection implements PipelineHooks {
  /**
   * `open` (also while the transport is being opened); `closing` once the session is done with
   * it (its pending bytes are still written); `closed` once nothing more is written to it or
   * forwarded from it.
   */
  state: "open" | "closing" | "closed" = "open";
  /** When a closing connection is closed even if its bytes were not handed over. */
  closeBy = 0;
  /** Its bytes to write and the settlements waiting on them. */
  readonly writes: WritePipeline;
  readonly #events: ConnectionEvents;
  #transport: Transport | undefined = undefined;
  /** Aborts the opener while the transport is being opened. */
  #opening: AbortController | undefined = undefined;
  /** Events that arrived before the opener resolved. */
  #early: Uint8Array[] | undefined = undefined;
  #earlyClose: { error: Error | undefined } | undefined = undefined;

  constructor(events: ConnectionEvents) {
    this.#events = events;
    this.writes = new WritePipeline(this);
  }

  // Its write pipeline's reports (PipelineHooks), passed on to the driver naming this connection.

  /** A settlement whose bytes were written (or never will be). */
  settle(settlement: Settlement): void {
    this.#events.settle(settlement);
  }

  /** A flush found nothing left to write. */
  drained(): void {
    this.#events.connectionDrained(this);
  }

  /** A write to the transport failed: the connection is lost. */
  failed(error: Error): void {
    this.#events.connectionClosed(this, error);
  }

  /** A write completed. */
  wrote(): void {
    this.#events.connectionWrote();
  }

  /** Whether the transport is open (the opener resolved). */
  get ready(): boolean {
    return this.#transport !== undefined;
  }

  /** Starts opening the transport. */
  open({ opener, target, readPacing, webSocket }: OpenSettings): void {
    const opening = this.#opening = new AbortController();
    const handlers = {
      onData: (chunk: Uint8Array) => {
        if (this.state !== "open") return false;
        if (this.#transport !== undefined) return this.#events.connectionData(this, chunk);
        (this.#early ??= []).push(chunk);
        return false;
      },
      onClose: (error?: Error) => {
        if (this.state === "closed") return;
        if (this.#transport === undefined) this.#earlyClose ??= { error };
        else this.#events.connectionClosed(this, error);
      },
    };
    let transport: Promise<Transport>;
    try {
      const how = { signal: opening.signal, readPacing, ...(webSocket && { webSocket }) };
      transport = opener(target, handlers, how);
    } catch (error) {
      transport = Promise.reject(error);
    }
    transport.then((transport) => this.#opened(transport), (error: unknown) => {
      this.#opening = undefined;
      this.#events.connectionClosed(
        this,
        error instanceof Error ? error : new Error(String(error)),
      );
    });
  }

  /**
   * The session is done with it: it is *closing* while its pending bytes are still written (the
   * driver closes it by a grace deadline at the latest). True if it is closing now; false if it
   * was not open, or closed at once (nothing left to write, or an opening given up).
   */
  startClosing(): boolean {
    if (this.state !== "open") return false;
    this.state = "closing";
    if (!this.#abandonOpening() && !this.writes.busy) this.writes.flush();
    // #opened, the opener's rejection, the end of the last write, or the grace timer closes it.
    return this.state === "closing";
  }

  /**
   * Nothing more is written to it or forwarded from it: closes the transport and delivers the
   * settlements that waited on its bytes. False if it was closed already.
   */
  close(): boolean {
    if (this.state === "closed") return false;
    this.state = "closed";
    this.#transport?.close();
    this.writes.close();
    return true;
  }

  /** Gives up the opening, if the opener has not resolved yet; true if it had not. */
  #abandonOpening(): boolean {
    if (this.#opening === undefined) return false;
    this.#opening.abort(new Error("Connection attempt abandoned"));
    return true;
  }

  #opened(transport: Transport): void {
    this.#opening = undefined;
    if (this.state !== "open") {
      transport.close(); // too late: nothing will be written to it
      return this.#events.connectionDrained(this);
    }
    this.#transport = transport;
    this.writes.start(transport);
    this.#events.connectionOpened(this);
    const early = this.#early;
    this.#early = undefined;
    for (const chunk of early ?? []) {
      if (this.state !== "open") return;
      this.#events.connectionData(this, chunk);
    }
    if (this.#earlyClose !== undefined) this.#events.connectionClosed(this, this.#earlyClose.error);
  }
}
