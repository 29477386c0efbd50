/**
 * {@link FileStore}: session state in files, so that a process that crashes (even with SIGKILL)
 * or restarts loses no QoS 1/2 message it accepted, on Deno, Bun and Node.
 *
 * One file per client identifier in the store's directory, an append-only log of the changes
 * (`_records.ts`: each record with its length and CRC-32). Each tick's changes go out in one
 * `write(2)` before the client writes the packets they concern, so once `publish()` has returned
 * and the tick has ended (`await client.persisted()` waits for it), the message is in the
 * operating system's hands: a killed process loses nothing. With `sync: true` each write is
 * also flushed to the disk (`fdatasync`), which survives a power cut too, at the cost of a disk
 * flush per tick.
 *
 * A torn write — the last record cut short or with a wrong checksum, as a crash in the middle of
 * a write can leave it — is detected on load, logged as a warning and cut off; the records before
 * it stand. On load, and whenever the log has grown to several times what it describes, the file
 * is rewritten with only the live state (compaction: written to a temporary file, then renamed
 * over the log, so a crash leaves the old log or the new one).
 *
 * Only one client may use a client identifier's file at a time (as only one may be connected
 * under it).
 *
 * @module
 */

import { SessionImage } from "../session/persistence.ts";
import { decodeRecords, encodeRecords, MAGIC } from "./_records.ts";
import { fs, readIfExists, replaceFile, writeAll } from "./_files.ts";
import type { LoadedSession, SessionStore, StoreChange } from "./session_store.ts";

/** {@link FileStore} settings. */
export interface FileStoreOptions {
  /**
   * Flush every write to the disk (`fdatasync`), so that an operating system crash or power
   * cut loses nothing either (default false: a process crash loses nothing).
   */
  sync?: boolean;
}

/** The open log of one client identifier. */
interface Log {
  readonly path: string;
  readonly image: SessionImage;
  fd: number | undefined;
  /** Records in the file. */
  records: number;
}

/** Compaction when the log holds more than this many times the live records (plus slack). */
const GROWTH = 4;
const SLACK = 4096;

/**
 * A session store in a directory (created if missing).
 *
 * @example
 * ```ts
 * import { connect, FileStore } from "@korero/mqtt";
 *
 * const store = new FileStore(await Deno.makeTempDir());
 * const client = await connect("mqtt://127.0.0.1:1883", {
 *   clientId: "meter-17",
 *   clean: false,
 *   store,
 *   retryFirstConnect: false,
 * }).catch(() => undefined);
 * await client?.disconnect();
 * ```
 */
export class FileStore implements SessionStore {
  readonly #directory: string;
  readonly #sync: boolean;
  readonly #logs = new Map<string, Log>();

  /** A store keeping its files in `directory`. */
  constructor(directory: string, options: FileStoreOptions = {}) {
    if (typeof directory !== "string" || directory === "") {
      throw new TypeError("FileStore needs a directory path (a non-empty string)");
    }
    this.#directory = directory.replace(/[\\/]+$/, "") || "/";
    this.#sync = options.sync === true;
  }

  /** The file that keeps the session of `clientId`. */
  pathOf(clientId: string): string {
    return `${this.#directory}/${fileName(clientId)}`;
  }

  /** Reads (and compacts) the log of `clientId`. */
  load(clientId: string): Promise<LoadedSession> {
    try {
      return Promise.resolve(this.#load(clientId));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #load(clientId: string): LoadedSession {
    fs().mkdirSync(this.#directory, { recursive: true });
    const path = this.pathOf(clientId);
    const image = new SessionImage();
    const warnings: string[] = [];
    const bytes = readIfExists(path);
    if (bytes !== undefined && bytes.length > 0) {
      if (bytes.length < MAGIC.length || !MAGIC.every((b, i) => bytes[i] === b)) {
        if (bytes.length >= MAGIC.length) {
          throw new Error(`${path} is not a korero session store file`);
        }
        warnings.push(`${path}: a cut file header (a crash while creating it); starting empty`);
      } else {
        const log = decodeRecords(bytes, MAGIC.length);
        image.apply(log.changes);
        if (log.damage !== undefined) {
          warnings.push(
            `${path}: ${log.damage} at byte ${log.end} of ${bytes.length} (a torn write); the ${log.changes.length} records before it are kept, the rest is dropped`,
          );
        }
      }
    }
    const log: Log = { path, image, fd: undefined, records: 0 };
    this.#logs.set(clientId, log);
    this.#compact(log);
    const saved: LoadedSession = image.snapshot();
    if (warnings.length > 0) saved.warnings = warnings;
    return saved;
  }

  /** Appends `changes` to the log of `clientId` in one write (and flush, with `sync`). */
  save(clientId: string, changes: readonly StoreChange[]): void {
    const log = this.#logs.get(clientId);
    if (log === undefined) throw new Error(`FileStore: no session loaded for this client`);
    log.image.apply(changes);
    if (log.records + changes.length > GROWTH * log.image.size + SLACK) return this.#compact(log);
    const fd = log.fd ??= fs().openSync(log.path, "a");
    writeAll(fd, encodeRecords(changes));
    if (this.#sync) fs().fdatasyncSync(fd);
    log.records += changes.length;
  }

  /** Closes the file of `clientId` (a later `save` opens it again). */
  close(clientId: string): void {
    const log = this.#logs.get(clientId);
    if (log?.fd === undefined) return;
    fs().closeSync(log.fd);
    log.fd = undefined;
  }

  /** Rewrites the log of `log` with its live state only. */
  #compact(log: Log): void {
    const changes = log.image.changes();
    const records = encodeRecords(changes);
    const bytes = new Uint8Array(MAGIC.length + records.length);
    bytes.set(MAGIC);
    bytes.set(records, MAGIC.length);
    if (log.fd !== undefined) fs().closeSync(log.fd);
    log.fd = undefined;
    replaceFile(log.path, bytes, this.#sync);
    log.records = changes.length;
  }
}

/** A file name for `clientId`: itself when plainly safe, else `~` and its UTF-8 bytes in hex. */
function fileName(clientId: string): string {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) return `${clientId}.mqtt-session`;
  const hex = Array.from(new TextEncoder().encode(clientId), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `~${hex}.mqtt-session`;
}
