/**
 * Running the korero command line (`src/cli/main.ts`, with `deno run -A` under Deno and `bun`
 * under Bun) and Debian's mosquitto_pub / mosquitto_sub as child processes, with their exact
 * output bytes, their standard error and their exit code; and waiting, through the broker's
 * log, until a subscriber's SUBSCRIBE was answered.
 *
 * Every wait is bounded: a process still running after its limit is killed and the wait fails
 * naming it.
 *
 * @module
 */

import { it as nodeIt } from "node:test";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import type { MosquittoBroker } from "../_helpers/mosquitto.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** True when running under Bun. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** `it` with a 30 s limit (Bun's default is 5 s); the waits inside fail first. */
export function it(name: string, fn: () => Promise<void>): void {
  nodeIt(name, { timeout: 30_000 }, fn);
}

/** A process started by {@link korero} or {@link mosquitto}. */
export interface Program {
  /** What it was started as, for messages. */
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with its exit code (or the signal that ended it). */
  readonly exited: Promise<number | string>;
  /** Everything it wrote to standard output so far. */
  stdout(): Uint8Array;
  /** Everything it wrote to standard error so far. */
  stderr(): string;
}

/** What a finished {@link Program} did. */
export interface Outcome {
  code: number | string;
  stdout: Uint8Array;
  /** `stdout` as UTF-8 text. */
  text: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Kills every program still running (for `after`). */
export function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
}

function start(
  name: string,
  command: string,
  args: string[],
  stdin?: Uint8Array,
  env: Record<string, string> = {},
): Program {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  running.add(child);
  const out: Uint8Array[] = [];
  let err = "";
  child.stdout!.on("data", (chunk: Uint8Array) => out.push(new Uint8Array(chunk)));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (err += chunk));
  if (stdin !== undefined) {
    child.stdin!.on("error", () => {}); // a program that exits early closes its stdin
    child.stdin!.end(stdin);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    name,
    child,
    exited,
    stdout: () => concat(out),
    stderr: () => err,
  };
}

/**
 * Starts the korero command line with `args` (e.g. `["pub", "-t", "a", "-m", "b"]`), with
 * `env` added to the environment; `script` runs another entry point (a test wrapper of
 * `src/cli/main.ts`).
 */
export function korero(
  args: string[],
  stdin?: Uint8Array,
  env?: Record<string, string>,
  script = "src/cli/main.ts",
): Program {
  const runtime = isBun ? [] : ["run", "-A", "--no-check"];
  return start(
    `korero ${args.join(" ")}`,
    process.execPath,
    [...runtime, script, ...args],
    stdin,
    env,
  );
}

/** Starts `/usr/bin/mosquitto_pub`, `_sub` or `_rr` with `args` (and `env`). */
export function mosquitto(
  tool: "pub" | "sub" | "rr",
  args: string[],
  stdin?: Uint8Array,
  env?: Record<string, string>,
): Program {
  const name = `mosquitto_${tool} ${args.join(" ")}`;
  return start(name, `/usr/bin/mosquitto_${tool}`, args, stdin, env);
}

/** Waits (at most `ms`) for `program` to exit; then what it did. Kills it on timeout. */
export async function finished(program: Program, ms = 15_000): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      program.child.kill("SIGKILL");
      reject(
        new Error(
          `${program.name} did not exit within ${ms} ms; stderr: ${program.stderr()}; stdout: ` +
            new TextDecoder().decode(program.stdout()),
        ),
      );
    }, ms);
  });
  try {
    const code = await Promise.race([program.exited, timeout]);
    const stdout = program.stdout();
    return { code, stdout, text: new TextDecoder().decode(stdout), stderr: program.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `program` to its end and checks it exited with `code` (default 0). */
export async function succeeds(program: Program, code: number = 0): Promise<Outcome> {
  const outcome = await finished(program);
  if (outcome.code !== code) {
    throw new Error(
      `${program.name} exited with ${outcome.code}, expected ${code}; stderr: ${outcome.stderr}`,
    );
  }
  return outcome;
}

/**
 * Waits until the broker answered a SUBSCRIBE of client `clientId` (its log's "Sending SUBACK
 * to …"), from log offset `since`.
 */
export async function subscribed(
  broker: MosquittoBroker,
  clientId: string,
  since = 0,
): Promise<void> {
  const escaped = clientId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await broker.waitForLog(new RegExp(`Sending SUBACK to ${escaped}\\b`), {
    since,
    timeoutMs: 15_000,
  });
}

let serial = 0;

/** A topic (and client id stem) no other test uses. */
export function unique(name: string): string {
  return `cli-${name}-${process.pid}-${Date.now().toString(36)}-${serial++}`;
}

/** One array holding `chunks` in order. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** `bytes` in lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
