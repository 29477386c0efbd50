/**
 * The command line's contact with its process: standard output (bytes, exactly as given),
 * standard error, standard input (whole, or line by line) and the exit. Everything goes through
 * `node:process`, which Deno, Bun and Node all provide; the rest of korero never touches it.
 *
 * @module
 */

import process from "node:process";

const encoder = new TextEncoder();

/** Where a command writes: standard output and error, or (in tests) anything else. */
export interface Output {
  /** Writes bytes (or UTF-8 text) to standard output, unchanged. */
  out(data: Uint8Array | string): void;
  /** Writes a line of diagnostics to standard error (unless `--quiet` silenced it). */
  err(text: string): void;
  /**
   * Called when standard output can take no more (its reader went away, as `| head -1` does):
   * mosquitto_sub then disconnects and exits.
   */
  onBroken?: (() => void) | undefined;
}

/** The process's standard output and error; `quiet` drops what {@link Output.err} gets. */
export class ProcessOutput implements Output {
  /** `--quiet`: error messages are not printed. */
  quiet = false;
  onBroken: (() => void) | undefined = undefined;
  #broken = false;

  constructor() {
    process.stdout.on("error", () => {
      if (this.#broken) return;
      this.#broken = true;
      if (this.onBroken !== undefined) this.onBroken();
      else process.exit(0);
    });
  }

  out(data: Uint8Array | string): void {
    if (this.#broken) return;
    process.stdout.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  err(text: string): void {
    if (!this.quiet) process.stderr.write(text);
  }

  /** Writes `text` to standard error even with `--quiet` (usage errors, as mosquitto does). */
  errAlways(text: string): void {
    process.stderr.write(text);
  }

  /** Resolves once what was written to standard output and error has been handed to the OS. */
  flush(): Promise<void> {
    const drained = (stream: { write(data: Uint8Array, done: () => void): unknown }) =>
      new Promise<void>((resolve) => {
        stream.write(new Uint8Array(0), () => resolve());
      });
    const streams = this.#broken ? [process.stderr] : [process.stdout, process.stderr];
    return Promise.all(streams.map(drained)).then(() => {});
  }
}

/** The whole of standard input, as bytes. */
export async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  }
  return concat(chunks);
}

/**
 * Standard input line by line, as mosquitto_pub `-l` reads it: each line without its "\n" (a
 * "\r" stays), an empty line as an empty payload, and a last line without "\n" as a line too.
 */
export async function* stdinLines(): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, start)) {
      pending.push(bytes.subarray(start, index));
      yield concat(pending);
      pending = [];
      start = index + 1;
    }
    if (start < bytes.length) pending.push(bytes.slice(start));
  }
  if (pending.length > 0) yield concat(pending);
}

/**
 * One plain `Uint8Array` holding `chunks` one after the other: always a copy, so a Node `Buffer`
 * (whose `slice` is a view) never reaches the client as a payload.
 */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return new Uint8Array(chunks[0]!);
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

/** This process's id (for `-I`, as mosquitto appends its own). */
export function processId(): number {
  return process.pid;
}

/**
 * Calls `handler` on SIGINT and SIGTERM (as mosquitto_sub does: it disconnects and exits);
 * returns the function that removes it.
 */
export function onInterrupt(handler: () => void): () => void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/**
 * The command line arguments after the program (and, for a script, its path): Deno's own list
 * where there is one (the same under `deno run` and in a `deno compile` binary), else
 * `process.argv` after the runtime and the script (Bun, Node).
 */
export function commandLineArguments(): string[] {
  const deno = (globalThis as { Deno?: { args: readonly string[] } }).Deno;
  return deno !== undefined ? [...deno.args] : process.argv.slice(2);
}

/** Ends the process with `code` once standard output and error are flushed. */
export async function exit(output: ProcessOutput, code: number): Promise<never> {
  await output.flush();
  process.exit(code);
}
