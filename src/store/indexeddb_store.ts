/**
 * {@link IndexedDbStore}: session state in the browser's IndexedDB, so that a reloaded page (or a
 * restarted service worker) loses no QoS 1/2 message it accepted. The same records as
 * {@link FileStore} (`_records.ts`), one per change, in an object store of their own per client
 * identifier; each `save` is one read-write transaction, and the client holds its writes until
 * the transaction completes. On load, and when the log has grown to four times what it
 * describes, the records are replaced by the live state in one transaction.
 *
 * @module
 */

import { SessionImage } from "../session/persistence.ts";
import { decodeRecords, encodeRecords } from "./_records.ts";
import type { LoadedSession, SessionStore, StoreChange } from "./session_store.ts";

/** The parts of IndexedDB used here (DOM types without depending on them). */
interface Request<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface ObjectStore {
  add(value: Uint8Array): Request<unknown>;
  clear(): Request<undefined>;
  getAll(): Request<Uint8Array[]>;
}
interface Transaction {
  objectStore(name: string): ObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  error: unknown;
}
interface Database {
  transaction(name: string, mode: "readonly" | "readwrite"): Transaction;
  close(): void;
}
interface Factory {
  open(name: string, version?: number): Request<Database> & {
    onupgradeneeded: (() => void) | null;
  };
}

const STORE = "records";
const GROWTH = 4;
const SLACK = 4096;

function done(transaction: Transaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

/**
 * A session store in IndexedDB (browsers, workers with IndexedDB). One database per client
 * identifier, named `<prefix><clientId>`.
 *
 * @example
 * ```ts ignore
 * import { IndexedDbStore, MqttClient } from "@korero/mqtt";
 * const client = new MqttClient({
 *   url: "wss://broker.example/mqtt",
 *   clientId: "dashboard-7",
 *   clean: false,
 *   store: new IndexedDbStore(),
 * });
 * ```
 */
export class IndexedDbStore implements SessionStore {
  readonly #prefix: string;
  readonly #open = new Map<string, { db: Database; image: SessionImage; records: number }>();

  /** `prefix`: what the database names start with. */
  constructor(prefix = "korero-session:") {
    this.#prefix = prefix;
  }

  #factory(): Factory {
    const factory = (globalThis as { indexedDB?: Factory }).indexedDB;
    if (factory === undefined) {
      throw new Error(
        "IndexedDbStore needs IndexedDB (browsers); use FileStore or MemoryStore here",
      );
    }
    return factory;
  }

  /** Reads (and compacts) the session of `clientId`. */
  async load(clientId: string): Promise<LoadedSession> {
    const request = this.#factory().open(this.#prefix + clientId, 1);
    request.onupgradeneeded = () => {
      (request.result as unknown as { createObjectStore(name: string, o: object): void })
        .createObjectStore(STORE, { autoIncrement: true });
    };
    const db = await new Promise<Database>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const read = db.transaction(STORE, "readonly").objectStore(STORE).getAll();
    const rows = await new Promise<Uint8Array[]>((resolve, reject) => {
      read.onsuccess = () => resolve(read.result);
      read.onerror = () => reject(read.error);
    });
    const image = new SessionImage();
    const warnings: string[] = [];
    for (const row of rows) {
      const log = decodeRecords(new Uint8Array(row), 0);
      image.apply(log.changes);
      if (log.damage !== undefined) warnings.push(`a stored record with ${log.damage}`);
    }
    const entry = { db, image, records: 0 };
    this.#open.set(clientId, entry);
    await this.#compact(entry);
    const saved: LoadedSession = image.snapshot();
    if (warnings.length > 0) saved.warnings = warnings;
    return saved;
  }

  /** Adds `changes` in one transaction; resolves when it completed. */
  save(clientId: string, changes: readonly StoreChange[]): Promise<void> {
    const entry = this.#open.get(clientId);
    if (entry === undefined) return Promise.reject(new Error("IndexedDbStore: no session loaded"));
    entry.image.apply(changes);
    if (entry.records + changes.length > GROWTH * entry.image.size + SLACK) {
      return this.#compact(entry);
    }
    const transaction = entry.db.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).add(encodeRecords(changes));
    entry.records += changes.length;
    return done(transaction);
  }

  /** Nothing to do: the database stays open for the client's next connect (and saves). */
  close(_clientId: string): void {}

  /** Replaces the stored records with the live state, in one transaction. */
  #compact(entry: { db: Database; image: SessionImage; records: number }): Promise<void> {
    const changes = entry.image.changes();
    const transaction = entry.db.transaction(STORE, "readwrite");
    const records = transaction.objectStore(STORE);
    records.clear();
    if (changes.length > 0) records.add(encodeRecords(changes));
    entry.records = changes.length;
    return done(transaction);
  }
}
