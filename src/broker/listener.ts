/**
 * The seam between the broker and a runtime's sockets: a listener hands every accepted
 * connection to {@link Accept} as a {@link Link} to write to, and feeds the {@link Peer} it gets
 * back with the bytes read and the close.
 *
 * @module
 */

import type { Link } from "./core/types.ts";

export type { Link };

/** What a listener feeds for one connection. */
export interface Peer {
  /** Bytes read; the listener hands over a chunk it will not reuse. */
  data(bytes: Uint8Array): void;
  /** The connection ended (the client closed it, or it broke). Called at most once. */
  closed(): void;
}

/** Takes a new connection. */
export type Accept = (link: Link) => Peer;

/** A listening socket. */
export interface Listener {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes the connections still open. */
  close(): Promise<void>;
}

/** Where a TCP or WebSocket listener listens. */
export interface ListenAddress {
  /** Host name or address to bind. */
  hostname: string;
  /** Port; 0 = a free one. */
  port: number;
}

/**
 * Queues writes to a socket that takes a promise per write, so bytes go out in order and
 * bursts go out together, and closes it after the last of them.
 */
export class WriteQueue {
  readonly #write: (bytes: Uint8Array) => Promise<unknown>;
  readonly #close: () => void;
  #pending: Uint8Array[] = [];
  #flushing: Promise<void> | undefined;
  #closing = false;
  #broken = false;

  /** A queue writing with `write` and closing with `close`. */
  constructor(write: (bytes: Uint8Array) => Promise<unknown>, close: () => void) {
    this.#write = write;
    this.#close = close;
  }

  /** Whether close() was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Queues `bytes`. */
  push(bytes: Uint8Array): void {
    if (this.#closing || this.#broken) return;
    this.#pending.push(bytes);
    this.#flushing ??= this.#flush();
  }

  /** Closes the socket once the queued bytes are written. */
  end(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#flushing === undefined) this.#close();
  }

  /** The socket broke: drop what is queued. */
  abort(): void {
    this.#broken = true;
    this.#pending = [];
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0 && !this.#broken) {
        const chunks = this.#pending;
        this.#pending = [];
        await this.#write(concat(chunks));
      }
    } catch {
      this.abort();
    }
    this.#flushing = undefined;
    if (this.#closing) this.#close();
  }
}

/** The chunks joined into one buffer (the chunk itself when there is one). */
export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
