/**
 * Real proxies for the proxy tests, from Debian: Dante (`danted`, SOCKS5, with or without
 * username/password) and tinyproxy (HTTP CONNECT, with or without Basic authentication), each
 * started in the foreground on a free 127.0.0.1 port with a generated config, and stopped by the
 * test. Dante checks usernames against the system's accounts: the SOCKS5 user is created once
 * (as root) by {@link socksUser}; without root, or without the binaries, the helpers say why.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

export const DANTED = "/usr/sbin/danted";
export const TINYPROXY = "/usr/bin/tinyproxy";

/** A running proxy. */
export interface RunningProxy {
  readonly port: number;
  /** What it logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** A free 127.0.0.1 port. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `port` accepts connections; rejects after `ms`. */
async function listening(port: number, child: ChildProcess, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the proxy did not listen on ${port} (exit ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function run(
  binary: string,
  args: (dir: string, port: number) => string[],
  config: (dir: string, port: number) => string,
  logName: string,
): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), "korero-proxy-"));
  const port = await freePort();
  writeFileSync(join(dir, "proxy.conf"), config(dir, port));
  let output = "";
  const child = spawn(binary, args(dir, port), { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const log = () => {
    const file = join(dir, logName);
    return output + (existsSync(file) ? execFileSync("cat", [file], { encoding: "utf8" }) : "");
  };
  try {
    await listening(port, child);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${log()}`);
  }
  return {
    port,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Dante, SOCKS5 on 127.0.0.1; `auth`: username/password only (system accounts). */
export function startDante(auth: boolean): Promise<RunningProxy> {
  return run(DANTED, (dir) => ["-f", join(dir, "proxy.conf"), "-N", "1"], (dir, port) =>
    [
      `logoutput: ${join(dir, "danted.log")}`,
      `internal: 127.0.0.1 port = ${port}`,
      "external: 127.0.0.1",
      `socksmethod: ${auth ? "username" : "none"}`,
      "clientmethod: none",
      "user.privileged: root",
      "user.unprivileged: nobody",
      "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
      "socks pass {",
      "  from: 127.0.0.0/8 to: 0.0.0.0/0",
      "  command: connect",
      "  log: connect",
      "}",
      "",
    ].join("\n"), "danted.log");
}

/** tinyproxy, HTTP CONNECT on 127.0.0.1 to any port; `auth`: Basic user/password. */
export function startTinyproxy(auth?: { user: string; password: string }): Promise<RunningProxy> {
  return run(TINYPROXY, (dir) => ["-d", "-c", join(dir, "proxy.conf")], (dir, port) =>
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 600",
      `LogFile "${join(dir, "tinyproxy.log")}"`,
      "LogLevel Info",
      "MaxClients 50",
      "Allow 127.0.0.1",
      ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : []),
      "",
    ].join("\n"), "tinyproxy.log");
}

/** The system account Dante checks SOCKS5 credentials against. */
export const SOCKS_USER = { user: "korero-proxy", password: "Pr0xy-pass" };

/**
 * Makes sure {@link SOCKS_USER} exists with its password; undefined when it does, else why it
 * cannot (not root, no useradd).
 */
export function socksUser(): string | undefined {
  if (process.getuid?.() !== 0) return "creating the SOCKS5 test account needs root";
  try {
    execFileSync("id", [SOCKS_USER.user], { stdio: "ignore" });
  } catch {
    try {
      execFileSync("useradd", ["-M", "-s", "/usr/sbin/nologin", SOCKS_USER.user], {
        stdio: "ignore",
      });
    } catch (error) {
      return `useradd failed: ${(error as Error).message}`;
    }
  }
  execFileSync("chpasswd", [], { input: `${SOCKS_USER.user}:${SOCKS_USER.password}\n` });
  return undefined;
}

/** Why the proxy tests cannot run here, if they cannot. */
export function proxiesMissing(): string | undefined {
  const missing = [DANTED, TINYPROXY].filter((path) => !existsSync(path));
  return missing.length === 0 ? undefined : `not installed: ${missing.join(", ")}`;
}
