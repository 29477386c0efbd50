/**
 * The driver's link to a session store: loads the saved session once (calls made meanwhile
 * wait for it, in order), collects the session's store changes of a tick into one `save`, and
 * holds the connection's writes from the first change of a tick until that `save` is done, so
 * no packet leaves before the state it depends on is kept.
 *
 * @module
 */

import type { SavedSession, StoreChange } from "../session/persistence.ts";
import type { SessionStore } from "../store/session_store.ts";

/** What the link asks of the driver. */
export interface StoreLinkHooks {
  /** The saved session was loaded: the session takes it back, and calls that waited run. */
  restored(saved: SavedSession): void;
  /** Holds (true) or releases (false) every open connection's writes. */
  holdWrites(held: boolean): void;
  /** Logs a line (store damage, save failures). */
  log(level: "info" | "warn" | "error", message: string): void;
}

/** One client's session store. */
export class StoreLink {
  readonly #store: SessionStore;
  readonly #clientId: string;
  readonly #hooks: StoreLinkHooks;
  /** Resolves with the saved session, or rejects with why it could not be loaded. */
  readonly loaded: Promise<SavedSession>;
  /** Set once `loaded` settled well. */
  ready = false;
  #batch: StoreChange[] = [];
  /** The save under way (an asynchronous store), if any. */
  #saving: Promise<void> | undefined;
  /** Callers of {@link persisted} waiting for the next save to end. */
  #waiters: { resolve(): void; reject(error: unknown): void }[] = [];
  /** The last save's failure, reported by {@link persisted} until a save succeeds. */
  #failure: unknown = undefined;

  constructor(store: SessionStore, clientId: string, hooks: StoreLinkHooks) {
    this.#store = store;
    this.#clientId = clientId;
    this.#hooks = hooks;
    this.loaded = this.#load();
    // A failure is reported through the calls that wait for it.
    this.loaded.then((saved) => hooks.restored(saved), () => {});
  }

  async #load(): Promise<SavedSession> {
    let saved;
    try {
      saved = await this.#store.load(this.#clientId);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      throw new Error(`The session store could not be loaded: ${text}`, { cause: error });
    }
    for (const warning of saved.warnings ?? []) {
      this.#hooks.log("warn", `Session store: ${warning}`);
    }
    this.ready = true;
    return saved;
  }

  /** Whether changes wait to be saved, or a save is under way. */
  get busy(): boolean {
    return this.#batch.length > 0 || this.#saving !== undefined;
  }

  /** A change from the session: saved with the others of this tick, before any later write. */
  add(change: StoreChange): void {
    if (this.#batch.length === 0 && this.#saving === undefined) {
      this.#hooks.holdWrites(true);
      queueMicrotask(this.#flush);
    }
    this.#batch.push(change);
  }

  /** Saves the changes collected so far (the microtask `add` queued). */
  readonly #flush = (): void => {
    if (this.#saving !== undefined || this.#batch.length === 0) return;
    const changes = this.#batch;
    this.#batch = [];
    let result: void | Promise<void>;
    try {
      result = this.#store.save(this.#clientId, changes);
    } catch (error) {
      return this.#saved(error);
    }
    if (result === undefined || typeof result.then !== "function") return this.#saved(undefined);
    this.#saving = result.then(() => this.#saved(undefined), (error) => this.#saved(error));
  };

  /** A save ended (`error` when it failed): release the writes, or save what came meanwhile. */
  #saved(error: unknown): void {
    this.#saving = undefined;
    if (error !== undefined) {
      this.#failure = error;
      const text = error instanceof Error ? error.message : String(error);
      this.#hooks.log("error", `Session store: saving failed: ${text}`);
    } else this.#failure = undefined;
    if (this.#batch.length > 0) return this.#flush();
    this.#hooks.holdWrites(false);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#failure === undefined) waiter.resolve();
      else waiter.reject(this.#failure);
    }
  }

  /**
   * Resolves once every change so far is saved; rejects with the store's error when the last
   * save failed (or the load did).
   */
  async persisted(): Promise<void> {
    await this.loaded;
    if (!this.busy) {
      if (this.#failure !== undefined) throw this.#failure;
      return;
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** The client closed: the store may let go of its resources (after the saves pending). */
  async close(): Promise<void> {
    if (!this.ready) return;
    await this.persisted().catch(() => {});
    try {
      await this.#store.close(this.#clientId);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.#hooks.log("warn", `Session store: closing failed: ${text}`);
    }
  }
}
