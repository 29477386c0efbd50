/**
 * The file system as the file store uses it: `node:fs`, which Deno, Bun and Node all provide,
 * reached through `process.getBuiltinModule` (Node 20.16+) so that nothing is imported where
 * there is no file system (browsers, Workers). Synchronous calls: an append of one tick's
 * records is one `write(2)`, and nothing else runs between a change and its record.
 *
 * @module
 */

/** The part of `node:fs` the store uses. */
interface Fs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, bytes: Uint8Array, offset?: number, length?: number): number;
  fdatasyncSync(fd: number): void;
  closeSync(fd: number): void;
  readFileSync(path: string): Uint8Array;
  renameSync(from: string, to: string): void;
  truncateSync(path: string, length: number): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  existsSync(path: string): boolean;
}

let cached: Fs | undefined;

/** `node:fs`; throws an Error naming the runtime's lack of a file system. */
export function fs(): Fs {
  if (cached !== undefined) return cached;
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } })
    .process;
  const module = process?.getBuiltinModule?.("node:fs") as Fs | undefined;
  if (module === undefined) {
    throw new Error(
      "FileStore needs a file system (node:fs through process.getBuiltinModule: Deno, Bun, Node 20.16+); use MemoryStore or a store of your own here",
    );
  }
  return cached = module;
}

/** Writes all of `bytes` to `fd`. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  const files = fs();
  let at = 0;
  while (at < bytes.length) at += files.writeSync(fd, bytes, at, bytes.length - at);
}

/** The contents of `path`, or undefined when it does not exist. */
export function readIfExists(path: string): Uint8Array | undefined {
  const files = fs();
  if (!files.existsSync(path)) return undefined;
  const buffer = files.readFileSync(path); // a Buffer on Node and Bun: viewed as plain bytes
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Replaces `path` with `bytes` atomically: written to `path.tmp` (and synced when `sync`),
 * then renamed over it, so a crash leaves the old file or the new one, never a mix.
 */
export function replaceFile(path: string, bytes: Uint8Array, sync: boolean): void {
  const files = fs();
  const tmp = `${path}.tmp`;
  const fd = files.openSync(tmp, "w");
  try {
    writeAll(fd, bytes);
    if (sync) files.fdatasyncSync(fd);
  } finally {
    files.closeSync(fd);
  }
  files.renameSync(tmp, path);
}
