/**
 * Shared pieces of the lite client's tests: a pool of `LiteClient`s with recorders attached
 * (all disconnected in `closeAll()`), and bounded reads from a `messages()` stream. The bounded
 * waits, the recorders and the TCP proxy come from tests/integration/_support.ts.
 *
 * @module
 */

import { LiteClient, type LiteOptions, type Message } from "../../src/lite/mod.ts";
import { Recorder, within } from "../integration/_support.ts";

/** A connection event seen by `onConnect` / `onDisconnect`. */
export type LiteEvent =
  | { kind: "connect"; sessionPresent: boolean; reconnect: boolean; at: number }
  | {
    kind: "disconnect";
    reasonCode: number;
    /** The reason code of the server's DISCONNECT, if it sent one. */
    packetReasonCode: number | undefined;
    error: unknown;
    willReconnect: boolean;
    at: number;
  };

/** A lite client with its message inbox and connection events, recorded from the start. */
export interface LiteTestClient {
  client: LiteClient;
  inbox: Recorder<Message>;
  events: Recorder<LiteEvent>;
}

/** Creates lite clients with recorders attached and disconnects all of them in `closeAll()`. */
export class LitePool {
  #clients: LiteClient[] = [];

  /** Creates a client (not connected) with recorders attached. */
  create(url: string, options: LiteOptions = {}): LiteTestClient {
    const client = new LiteClient({ ...options, url });
    const inbox = new Recorder<Message>();
    client.onMessage = ({ message }) => inbox.push(message);
    const events = recordEvents(client);
    this.#clients.push(client);
    return { client, inbox, events };
  }

  /** Creates a client and waits for its first CONNACK. */
  async open(url: string, options: LiteOptions = {}): Promise<LiteTestClient> {
    const created = this.create(url, options);
    await within(created.client.connect(), `${options.clientId ?? "a lite client"} to connect`);
    return created;
  }

  /** Registers a client made elsewhere for cleanup. */
  track<C extends { disconnect(): Promise<void> }>(client: C): C {
    this.#clients.push(client as unknown as LiteClient);
    return client;
  }

  /** Disconnects every client (errors ignored: some are already gone by design). */
  async closeAll(): Promise<void> {
    const clients = this.#clients.splice(0);
    await Promise.all(
      clients.map((client) => within(client.disconnect(), "disconnect", 5_000).catch(() => {})),
    );
  }
}

/** Records `client`'s `onConnect` and `onDisconnect` events, from now on. */
export function recordEvents(client: LiteClient): Recorder<LiteEvent> {
  const events = new Recorder<LiteEvent>();
  client.onConnect = ({ sessionPresent, reconnect }) =>
    events.push({ kind: "connect", sessionPresent, reconnect, at: performance.now() });
  client.onDisconnect = ({ reasonCode, packet, error, willReconnect }) =>
    events.push({
      kind: "disconnect",
      reasonCode,
      packetReasonCode: packet?.reasonCode,
      error,
      willReconnect,
      at: performance.now(),
    });
  return events;
}

/** The next `n` messages of `stream` (which stays open), each within the default bound. */
export async function nextMessages(
  stream: AsyncIterator<Message>,
  n: number,
  what: string,
): Promise<Message[]> {
  const taken: Message[] = [];
  while (taken.length < n) {
    const result = await within(stream.next(), `${what} (have ${taken.length} of ${n})`);
    if (result.done) throw new Error(`The stream ended after ${taken.length} of ${n}: ${what}`);
    taken.push(result.value);
  }
  return taken;
}

/** Whether the stream ends (next() resolves done) within the bound. */
export async function ends(stream: AsyncIterator<Message>, what: string): Promise<boolean> {
  const result = await within(stream.next(), what);
  return result.done === true;
}

/** How many times `pattern` occurs in `text`. */
export function occurrences(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, "g"))].length;
}
