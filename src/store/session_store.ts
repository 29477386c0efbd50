/**
 * The contract between the client and a session store: where a client's session state lives
 * so that a restarted process picks up what the last one left — outgoing QoS 1/2 messages from
 * `publish()` to their acknowledgement (with their packet identifiers), pending PUBRELs,
 * incoming QoS 2 exchanges, and the granted subscriptions.
 *
 * The client loads the state once, before its first call takes effect, and then hands over the
 * changes of each tick in order (`save`); the bytes those changes concern are written to the
 * connection only once `save` returned (or its promise resolved). korero ships
 * {@link MemoryStore} and {@link FileStore}; any object with these three methods will do.
 *
 * @module
 */

import type { SavedSession, StoreChange } from "../session/persistence.ts";

export type {
  SavedIncoming,
  SavedOutgoing,
  SavedSession,
  SavedSubscription,
  StoreChange,
} from "../session/persistence.ts";

/** What {@link SessionStore.load} returns: the saved state, and anything found wrong with it. */
export interface LoadedSession extends SavedSession {
  /** Damage found and skipped while loading (e.g. a torn last record), logged as warnings. */
  warnings?: string[];
}

/** Where a client's session state is kept across processes. */
export interface SessionStore {
  /** The saved session of `clientId` (empty when there is none). Called once per client. */
  load(clientId: string): Promise<LoadedSession>;
  /**
   * Applies `changes`, in order, to the session of `clientId`. Return (or resolve) once they
   * are kept as durably as the store keeps anything: the client writes nothing that depends on
   * them before that. A throw (or rejection) is logged as an error and reported by
   * `client.persisted()`; the client goes on.
   */
  save(clientId: string, changes: readonly StoreChange[]): void | Promise<void>;
  /** The client is closed (it may `save` again if it connects again). */
  close(clientId: string): void | Promise<void>;
}
