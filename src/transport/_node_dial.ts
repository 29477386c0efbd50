/**
 * Dialling for the Node.js adapter (`node.ts`): the socket to a target (TCP, TLS or unix, with
 * the TLS options), the tunnel through a proxy, and what a socket error's code means. Node 24
 * runs this file unbuilt, so it holds only erasable TypeScript.
 *
 * `node:net` and `node:tls` come from `process.getBuiltinModule` (Node 20.16+), not from import
 * statements, so a browser or Workers bundler that follows the run-time detection into the Node
 * adapter has no `node:` module to resolve.
 *
 * @module
 */

import type * as Net from "node:net";
import type { OnReadOpts, Socket } from "node:net";
import type * as Tls from "node:tls";
import type { PeerCertificate } from "node:tls";
import type { TransportTarget } from "./types.ts";
import { address } from "./_errors.ts";
import { type ProxyChannel, tunnel } from "./_proxy.ts";

/** What an `errno` code means, for error messages. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the peer",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOENT: "no socket at that path",
  EACCES: "permission denied",
  EPIPE: "the connection was closed by the peer",
};

/** `code`'s meaning and the code, else the error's message. */
export function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error.message;
  return `${REASONS[code] ?? error.message} (${code})`;
}

/**
 * A TCP connection to `target`'s proxy with the tunnel to the broker open; the bytes the proxy
 * sent after its answer are pushed back to be read first.
 */
export function proxyTunnel(target: TransportTarget): Promise<Socket> {
  const { net } = builtins();
  const proxy = target.proxy!;
  const bind = target.bind;
  const socket = net.connect({
    host: proxy.host,
    port: proxy.port,
    ...(bind?.address !== undefined && { localAddress: bind.address }),
    ...(bind?.port !== undefined && { localPort: bind.port }),
  });
  const chunks: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended: Error | null | undefined;
  const onData = (chunk: Uint8Array) => (chunks.push(chunk), wake?.());
  const onEnd = (error?: Error) => ((ended = error ?? null), wake?.());
  socket.on("data", onData).on("end", () => onEnd()).on("error", onEnd);
  const channel: ProxyChannel = {
    write: (bytes) =>
      new Promise((resolve, reject) => socket.write(bytes, (e) => (e ? reject(e) : resolve()))),
    read: async () => {
      while (chunks.length === 0 && ended === undefined) await new Promise<void>((r) => (wake = r));
      if (chunks.length > 0) return chunks.shift()!;
      if (ended) throw ended;
      return null;
    },
  };
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return connected.then(() => tunnel(channel, proxy, target.host, target.port)).then(
    (rest) => {
      socket.off("data", onData).off("error", onEnd);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      return socket;
    },
    (error: unknown) => {
      socket.destroy();
      const text = error instanceof Error ? error.message : String(error);
      throw new Error(
        text.includes("proxy")
          ? text
          : `Cannot connect through the ${proxy.type} proxy ${
            address({ kind: "tcp", host: proxy.host, port: proxy.port })
          }: ${text}`,
        { cause: error },
      );
    },
  );
}

/** The runtime's `node:net` and `node:tls`. */
function builtins(): { net: typeof Net; tls: typeof Tls } {
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  if (process?.getBuiltinModule === undefined) {
    throw new Error("The Node transport needs Node 20.16 or newer (process.getBuiltinModule)");
  }
  return {
    net: process.getBuiltinModule("node:net") as typeof Net,
    tls: process.getBuiltinModule("node:tls") as typeof Tls,
  };
}

/**
 * Dials `target` (or, through a proxy, starts TLS over the `tunnel` socket the proxy opened); for
 * TLS, verified against `servername` (SNI too, unless it is an address).
 */
export function dial(target: TransportTarget, onread: OnReadOpts, tunnel?: Socket): Socket {
  const { net, tls } = builtins();
  if (target.kind === "unix") {
    if (target.path === undefined) throw new TypeError("A unix transport target needs a path");
    return net.connect({ path: target.path, onread });
  }
  const bind = target.bind;
  const address = tunnel !== undefined ? { socket: tunnel } : {
    host: target.host,
    port: target.port,
    onread,
    ...(bind?.address !== undefined && { localAddress: bind.address }),
    ...(bind?.port !== undefined && { localPort: bind.port }),
  };
  if (target.kind === "tcp") return tunnel ?? net.connect(address as Net.NetConnectOpts);
  if (target.kind !== "tls") {
    throw new TypeError(`openNode cannot open "${target.kind}" targets: use openWebSocket`);
  }
  const { ca, cert, key, servername = target.host, alpnProtocols, insecure, passphrase } =
    target.tls ?? {};
  const verify = (_: string, peer: PeerCertificate) => tls.checkServerIdentity(servername, peer);
  const sni = net.isIP(servername) ? {} : { servername };
  const options: Tls.ConnectionOptions = {
    ...address,
    ...sni,
    // insecure: the chain is verified, the name is not (paho's tls_insecure_set(True)).
    checkServerIdentity: insecure ? () => undefined : verify,
    ...(ca !== undefined && { ca }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
    ...(alpnProtocols !== undefined && { ALPNProtocols: alpnProtocols }),
    ...(passphrase !== undefined && { passphrase }),
    ...(target.tls?.minVersion !== undefined && { minVersion: target.tls.minVersion }),
    ...(target.tls?.maxVersion !== undefined && { maxVersion: target.tls.maxVersion }),
    ...(target.tls?.ciphers !== undefined && { ciphers: target.tls.ciphers }),
    // true unless the option says false, also when NODE_TLS_REJECT_UNAUTHORIZED=0
    rejectUnauthorized: target.tls?.rejectUnauthorized !== false,
  };
  try {
    return tls.connect(options);
  } catch (error) {
    // The key is read (and decrypted) before anything is dialled.
    if (passphrase !== undefined || /decrypt|bad password/i.test(String(error))) {
      throw new Error(
        passphrase === undefined
          ? "options.key could not be read (is it encrypted? give options.passphrase)"
          : "options.key could not be decrypted with options.passphrase (wrong passphrase?)",
        { cause: error },
      );
    }
    throw error;
  }
}
