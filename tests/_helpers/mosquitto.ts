/**
 * Starts real Mosquitto brokers for integration tests, on Deno and on Bun (only `node:` modules).
 *
 * Each broker gets free 127.0.0.1 ports and a fresh temp dir with a generated config and its log.
 * Every broker still running when the test process exits is killed, and a watchdog kills it even
 * if the test process itself is killed.
 *
 * @example
 * ```ts
 * const broker = await startMosquitto({ tls: true });
 * try {
 *   // connect to broker.port (plain) or broker.tlsPort with certPath("ca.pem")
 * } finally {
 *   await broker.stop();
 * }
 * ```
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { canConnect, freePort } from "./ports.ts";

/** The directory of the committed test certificates (see certs/make_certs.sh). */
export const CERTS_DIR: string = fileURLToPath(new URL("./certs/", import.meta.url));

/** The names of the committed test certificate files. */
export type CertName =
  | "ca.pem"
  | "ca.key"
  | "server.pem"
  | "server.key"
  | "client.pem"
  | "client.key"
  | "untrusted.pem"
  | "untrusted.key";

/** The absolute path of a committed test certificate file. */
export function certPath(name: CertName): string {
  return join(CERTS_DIR, name);
}

/** The PEM text of a committed test certificate file. */
export function readCert(name: CertName): string {
  return readFileSync(certPath(name), "utf8");
}

/** What {@link startMosquitto} starts. A plain TCP listener is always there. */
export interface MosquittoOptions {
  /** A TLS listener with server.pem (signed by ca.pem): `tlsPort`. */
  tls?: boolean;
  /** A TLS listener that requires a client certificate signed by ca.pem: `mtlsPort`. */
  clientCertTls?: boolean;
  /** A TLS listener with the self-signed untrusted.pem, for negative tests: `untrustedTlsPort`. */
  untrustedTls?: boolean;
  /** A WebSocket listener (`ws://`, any path): `wsPort`. */
  websockets?: boolean;
  /** A WebSocket listener over TLS with server.pem (`wss://`): `wssPort`. */
  secureWebsockets?: boolean;
  /** Keep sessions and messages in `dir/mosquitto.db`, saved after every change and on stop. */
  persistence?: boolean;
  /**
   * Extra config lines, placed right after the plain TCP listener: global options (which
   * override the defaults above them) and options of that listener.
   */
  extraConfig?: string[];
  /** The plain TCP port (default: a free one). */
  port?: number;
  /** `log_type all` (the default) or only errors, warnings and notices (for heavy traffic). */
  verboseLog?: boolean;
}

/** A running (or stopped) Mosquitto started by {@link startMosquitto}. */
export interface MosquittoBroker {
  /** Always "127.0.0.1". */
  readonly host: string;
  /** The plain TCP port. */
  readonly port: number;
  /** The TLS port; throws unless started with `tls`. */
  readonly tlsPort: number;
  /** The client-certificate TLS port; throws unless started with `clientCertTls`. */
  readonly mtlsPort: number;
  /** The untrusted-certificate TLS port; throws unless started with `untrustedTls`. */
  readonly untrustedTlsPort: number;
  /** The WebSocket port; throws unless started with `websockets`. */
  readonly wsPort: number;
  /** The WebSocket-over-TLS port; throws unless started with `secureWebsockets`. */
  readonly wssPort: number;
  /** The broker's temp dir (config, log, persistence file). */
  readonly dir: string;
  /** The generated config file. */
  readonly configPath: string;
  /** The process id of the current broker process. */
  readonly pid: number;
  /** Whether the broker process is alive. */
  readonly running: boolean;
  /** A URL for a listener, e.g. `url("mqtts")` → `mqtts://localhost:PORT`. */
  url(scheme?: "mqtt" | "mqtts" | "ws" | "wss"): string;
  /** SIGTERM and wait for exit (persistence is written); SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (abrupt; unsaved persistence is lost). */
  kill(): Promise<void>;
  /**
   * Makes the broker write its persistence file now (SIGUSR1) and waits until it has; call it
   * before `kill()` to crash with a known saved state. Needs `persistence`.
   */
  save(): Promise<void>;
  /** Stops it if running, then starts it again with the same ports and dir; returns `this`. */
  restart(): Promise<MosquittoBroker>;
  /** The broker's log so far (all runs, plus anything it printed), for failure messages. */
  log(): string;
  /** The current length of the log file, to wait for something new with `waitForLog`. */
  logMark(): number;
  /**
   * Polls the log file, from offset `since` (default 0), until `pattern` matches; resolves with
   * the offset just past the match (to chain waits), rejects with the log after `timeoutMs`
   * (default 5000).
   */
  waitForLog(pattern: RegExp, options?: { since?: number; timeoutMs?: number }): Promise<number>;
  /** Same as {@link MosquittoBroker.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type PortName = "port" | "tlsPort" | "mtlsPort" | "untrustedTlsPort" | "wsPort" | "wssPort";
type Ports = Partial<Record<PortName, number>> & { port: number };

const HOST = "127.0.0.1";
const START_ATTEMPTS = 4;
const READY_TRIES = 400; // × 25 ms
const STOP_GRACE_MS = 5_000;
/** Brokers whose process is alive, killed at exit. */
const live = new Set<Broker>();
/** Temp dirs of every broker, removed at exit (unless KORERO_KEEP_BROKER_DIRS is set). */
const created = new Set<string>();

/** Starts a broker and resolves once every listener accepts TCP connections. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const binary = findMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "korero-mosquitto-"));
  created.add(dir);
  const broker = new Broker(binary, dir, options);
  await broker.start(false);
  return broker;
}

class Broker implements MosquittoBroker {
  readonly host = HOST;
  readonly dir: string;
  readonly configPath: string;
  #binary: string;
  #options: MosquittoOptions;
  #ports: Ports | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #running = false;

  constructor(binary: string, dir: string, options: MosquittoOptions) {
    this.#binary = binary;
    this.dir = dir;
    this.configPath = join(dir, "mosquitto.conf");
    this.#options = options;
  }

  get port(): number {
    return this.#port("port", "");
  }
  get tlsPort(): number {
    return this.#port("tlsPort", "tls");
  }
  get mtlsPort(): number {
    return this.#port("mtlsPort", "clientCertTls");
  }
  get untrustedTlsPort(): number {
    return this.#port("untrustedTlsPort", "untrustedTls");
  }
  get wsPort(): number {
    return this.#port("wsPort", "websockets");
  }
  get wssPort(): number {
    return this.#port("wssPort", "secureWebsockets");
  }
  get pid(): number {
    return this.#child?.pid ?? -1;
  }
  get running(): boolean {
    return this.#running;
  }

  url(scheme: "mqtt" | "mqtts" | "ws" | "wss" = "mqtt"): string {
    // Read only the getter asked for: the others throw when their listener was not started.
    const port = scheme === "mqtt"
      ? this.port
      : scheme === "mqtts"
      ? this.tlsPort
      : scheme === "ws"
      ? this.wsPort
      : this.wssPort;
    return `${scheme}://${scheme === "mqtt" || scheme === "ws" ? HOST : "localhost"}:${port}`;
  }

  /** Starts the process; retries with fresh ports (or the same, on restart) if one is taken. */
  async start(restart: boolean): Promise<void> {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      if (!restart || this.#ports === undefined) this.#ports = await this.#choosePorts();
      writeFileSync(this.configPath, this.#config(this.#ports));
      const logStart = this.log().length;
      try {
        await this.#spawnAndWait();
        return;
      } catch (error) {
        lastError = error as Error;
        const tail = this.log().slice(logStart);
        if (!/Address already in use/.test(tail)) throw error;
        if (restart) await delay(100 * (attempt + 1));
      }
    }
    throw lastError;
  }

  async stop(): Promise<void> {
    await this.#signal("SIGTERM");
  }

  async kill(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  async save(): Promise<void> {
    if (!this.#options.persistence) throw new Error("save() needs { persistence: true }");
    if (!this.#running || this.#child?.pid === undefined) {
      throw new Error("The broker is not running");
    }
    // mosquitto logs "Saving" before it writes `mosquitto.db.new` and renames it over
    // `mosquitto.db` (an autosave may be doing so already): the save is done once no `.new`
    // file is left and a file other than the one before the signal is in place.
    const db = join(this.dir, "mosquitto.db");
    const deadline = Date.now() + 5_000;
    const settled = async (done: () => boolean) => {
      while (existsSync(`${db}.new`) || !done()) {
        if (Date.now() > deadline) throw new Error("mosquitto did not finish saving within 5 s");
        await delay(5);
      }
    };
    await settled(() => true);
    const before = fileIdentity(db);
    const mark = this.logMark();
    process.kill(this.#child.pid, "SIGUSR1");
    await this.waitForLog(/Saving in-memory database/, { since: mark });
    await settled(() => fileIdentity(db) !== before);
  }

  async restart(): Promise<MosquittoBroker> {
    if (this.#running) await this.stop();
    await this.start(true);
    return this;
  }

  log(): string {
    return [join(this.dir, "mosquitto.log"), join(this.dir, "mosquitto.stderr")]
      .map((file) => readOptional(file))
      .filter((text) => text.length > 0)
      .join("\n");
  }

  logMark(): number {
    return readOptional(join(this.dir, "mosquitto.log")).length;
  }

  async waitForLog(
    pattern: RegExp,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const since = options.since ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    const flags = pattern.flags.replace("g", "");
    for (;;) {
      const text = readOptional(join(this.dir, "mosquitto.log")).slice(since);
      const match = new RegExp(pattern.source, flags).exec(text);
      if (match !== null) return since + match.index + match[0].length;
      if (Date.now() > deadline) {
        throw new Error(`The broker log has no ${pattern} after offset ${since}:\n${this.log()}`);
      }
      await delay(20);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Synchronous SIGKILL, for the process exit hook. */
  killNow(): void {
    if (this.#running && this.#child?.pid !== undefined) {
      try {
        process.kill(this.#child.pid, "SIGKILL");
      } catch { /* already gone */ }
    }
  }

  #port(name: PortName, option: string): number {
    const port = this.#ports?.[name];
    if (port === undefined) {
      throw new Error(`This broker has no ${name}: start it with { ${option}: true }`);
    }
    return port;
  }

  async #choosePorts(): Promise<Ports> {
    const o = this.#options;
    const ports: Ports = { port: o.port ?? await freePort() };
    if (o.tls) ports.tlsPort = await freePort();
    if (o.clientCertTls) ports.mtlsPort = await freePort();
    if (o.untrustedTls) ports.untrustedTlsPort = await freePort();
    if (o.websockets) ports.wsPort = await freePort();
    if (o.secureWebsockets) ports.wssPort = await freePort();
    return ports;
  }

  #config(ports: Ports): string {
    const o = this.#options;
    const lines = [
      `# generated by tests/_helpers/mosquitto.ts`,
      "per_listener_settings false",
      "allow_anonymous true",
      // mosquitto 2.0.11 (Debian) stalls QoS 2 fan-out once a finite inflight window fills
      // (see shared/bench/README.md), so the window is the protocol maximum.
      "max_inflight_messages 65535",
      "max_queued_messages 1000000",
      "max_queued_bytes 0",
      ...(o.persistence
        ? [
          "persistence true",
          `persistence_location ${this.dir}/`,
          "persistence_file mosquitto.db",
          "autosave_on_changes true",
          "autosave_interval 1",
        ]
        : ["persistence false"]),
      `log_dest file ${join(this.dir, "mosquitto.log")}`,
      ...(o.verboseLog === false
        ? ["log_type error", "log_type warning", "log_type notice"]
        : ["log_type all"]),
      "log_timestamp_format %H:%M:%S",
      "connection_messages true",
      // As root, mosquitto would switch to user "mosquitto", which cannot write our temp dir.
      ...currentUser(),
      `listener ${ports.port} ${HOST}`,
      ...(o.extraConfig ?? []),
    ];
    const tls = [`certfile ${certPath("server.pem")}`, `keyfile ${certPath("server.key")}`];
    if (ports.tlsPort) lines.push(`listener ${ports.tlsPort} ${HOST}`, ...tls);
    if (ports.mtlsPort) {
      lines.push(`listener ${ports.mtlsPort} ${HOST}`, ...tls);
      lines.push(`cafile ${certPath("ca.pem")}`, "require_certificate true");
    }
    if (ports.untrustedTlsPort) {
      lines.push(`listener ${ports.untrustedTlsPort} ${HOST}`);
      lines.push(`certfile ${certPath("untrusted.pem")}`, `keyfile ${certPath("untrusted.key")}`);
    }
    // A websockets listener needs the plain TCP listener above too (mosquitto 2.0.11 refuses to
    // start with a websockets listener alone).
    const ws = ["protocol websockets", "socket_domain ipv4"];
    if (ports.wsPort) lines.push(`listener ${ports.wsPort} ${HOST}`, ...ws);
    if (ports.wssPort) lines.push(`listener ${ports.wssPort} ${HOST}`, ...ws, ...tls);
    return lines.join("\n") + "\n";
  }

  async #spawnAndWait(): Promise<void> {
    const stderr = openSync(join(this.dir, "mosquitto.stderr"), "a");
    const child = spawn(this.#binary, ["-c", this.configPath], {
      stdio: ["ignore", stderr, stderr],
    });
    closeSync(stderr); // the child has its own copy
    this.#child = child;
    this.#running = true;
    live.add(this);
    let exitCode: number | string | null | undefined;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        exitCode = code ?? signal;
        this.#running = false;
        live.delete(this);
        resolve();
      });
    });
    child.once("error", () => {}); // spawn failures also emit "exit"
    child.unref();
    startWatchdog(child.pid, this.configPath);
    const ports = Object.values(this.#ports ?? {}) as number[];
    for (let tries = 0; tries < READY_TRIES && exitCode === undefined; tries++) {
      const ready = await Promise.all(ports.map((port) => canConnect(HOST, port)));
      if (ready.every(Boolean)) return;
      await delay(25);
    }
    if (exitCode === undefined) this.killNow();
    await this.#exited;
    throw new Error(
      `mosquitto did not start (exit: ${exitCode ?? "timed out"}) with ${this.configPath}:\n` +
        this.log(),
    );
  }

  async #signal(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!this.#running || child?.pid === undefined) return;
    child.ref(); // keep the event loop alive while we wait
    try {
      process.kill(child.pid, signal);
      const timer = setTimeout(() => this.killNow(), STOP_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
    } finally {
      child.unref();
    }
  }
}

/** `/usr/sbin/mosquitto`, or `mosquitto` on PATH. */
function findMosquitto(): string {
  const dirs = ["/usr/sbin", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const file = join(dir, "mosquitto");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch { /* next */ }
  }
  throw new Error(
    "The mosquitto broker is not installed: looked for /usr/sbin/mosquitto and mosquitto on " +
      "PATH. Install it (Debian: apt-get install mosquitto) to run the integration tests.",
  );
}

/** As root, mosquitto switches to user "mosquitto" unless told otherwise (broker.sh does too). */
function currentUser(): string[] {
  return process.getuid?.() === 0 ? ["user root"] : [];
}

/**
 * Kills the broker if this test process dies without running its exit hook (e.g. SIGKILL). The
 * watchdog exits as soon as the broker does, and checks the command line before killing.
 */
function startWatchdog(brokerPid: number | undefined, configPath: string): void {
  if (brokerPid === undefined) return;
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${brokerPid} 2>/dev/null; ` +
    `do sleep 1; done; grep -qF -- "$0" /proc/${brokerPid}/cmdline 2>/dev/null && ` +
    `kill -9 ${brokerPid} 2>/dev/null; exit 0`;
  const watchdog = spawn("/bin/sh", ["-c", script, configPath], {
    stdio: "ignore",
    detached: true,
  });
  watchdog.once("error", () => {});
  watchdog.unref();
}

/** Identifies the file at `path` (inode, modification time, size), or "" when there is none. */
function fileIdentity(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return "";
  }
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Kills live brokers and removes temp dirs; Bun runs it on "exit", Deno's test runner on "unload". */
function cleanUp(): void {
  for (const broker of live) broker.killNow();
  if (process.env.KORERO_KEEP_BROKER_DIRS === undefined) {
    for (const dir of created) rmSync(dir, { recursive: true, force: true });
  }
  created.clear();
}
process.once("exit", cleanUp);
(globalThis as { addEventListener?: (type: string, listener: () => void) => void })
  .addEventListener?.("unload", cleanUp);
