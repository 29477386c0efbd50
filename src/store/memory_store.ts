/**
 * {@link MemoryStore}: session state in this process's memory, by client identifier. A client
 * without a `store` keeps its session in memory the same way; a shared `MemoryStore` lets a new
 * client object take over the session of one that was dropped (in tests, or a program that
 * rebuilds its client), and shows what a store receives.
 *
 * @module
 */

import { SessionImage } from "../session/persistence.ts";
import type { LoadedSession, SessionStore, StoreChange } from "./session_store.ts";

/**
 * A session store in memory: nothing survives the process.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@korero/mqtt";
 *
 * const store = new MemoryStore();
 * const message = { topic: "a", payload: new Uint8Array(), qos: 1 as const, retain: false };
 * store.save("sensor-1", [{ op: "publish", seq: 1, message }]);
 * const saved = await store.load("sensor-1"); // saved.outgoing.length === 1
 * ```
 */
export class MemoryStore implements SessionStore {
  readonly #sessions = new Map<string, SessionImage>();

  #image(clientId: string): SessionImage {
    let image = this.#sessions.get(clientId);
    if (image === undefined) this.#sessions.set(clientId, image = new SessionImage());
    return image;
  }

  /** The state saved for `clientId`. */
  load(clientId: string): Promise<LoadedSession> {
    return Promise.resolve(this.#image(clientId).snapshot());
  }

  /** Applies `changes` at once. */
  save(clientId: string, changes: readonly StoreChange[]): void {
    this.#image(clientId).apply(changes);
  }

  /** Nothing to release. */
  close(_clientId: string): void {}

  /** Forgets the session of `clientId` (or every session). */
  clear(clientId?: string): void {
    if (clientId === undefined) this.#sessions.clear();
    else this.#sessions.delete(clientId);
  }
}
