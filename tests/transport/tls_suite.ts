/**
 * The shared TLS failure cases for the socket adapters: a handshake the client cannot trust
 * rejects the opener with a TlsError naming host:port and the runtime's reason, the same on every
 * runtime. The servers are node:tls servers on 127.0.0.1; the self-signed CA certificate (what
 * `openssl req -x509` makes by default) is generated into a temporary directory with `openssl`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tls from "node:tls";
import type * as net from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TlsError } from "../../src/errors.ts";
import type { TlsOptions, Transport, TransportOpener } from "../../src/transport/types.ts";
import { readCert } from "../_helpers/mosquitto.ts";
import { listen } from "./_node_server.ts";
import { Recorder } from "./transport_suite.ts";

/** What differs by runtime, where the runtime forces it. */
export interface TlsSuiteOptions {
  /**
   * Whether a self-signed server certificate with basicConstraints CA:TRUE, given as its own
   * `ca`, is trusted: yes on OpenSSL and BoringSSL (Node, Bun), no on rustls (Deno).
   */
  trustsCaAsLeaf: boolean;
}

/** A self-signed certificate for localhost and 127.0.0.1 with openssl's defaults (CA:TRUE). */
function selfSignedCa(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "korero-tls-"));
  try {
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ], { stdio: "ignore" }); // deno-fmt-ignore
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { cert: read("cert.pem"), key: read("key.pem") };
  } catch {
    return undefined; // no openssl here: that case is skipped
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts that `opening` rejects with a TlsError for 127.0.0.1:`port`. */
export async function assertTlsError(opening: Promise<Transport>, port: number): Promise<void> {
  const error = await opening.then(
    (transport) => (transport.close(), assert.fail("the handshake succeeded")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof TlsError, `rejected with ${error}`);
  assert.equal(error.name, "TlsError");
  assert.equal(error.reasonCode, 0x80);
  assert.match(error.message, new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${port} failed: .`));
  assert.ok(error.cause instanceof Error, "the runtime's error is the cause");
}

/** Registers the TLS failure cases for `opener` (inside the caller's `describe`). */
export function tlsSuite(name: string, opener: TransportOpener, options: TlsSuiteOptions): void {
  describe(`${name} TLS handshake failures`, () => {
    const caSigned = tls.createServer({
      cert: readCert("server.pem"),
      key: readCert("server.key"),
    });
    const selfSigned = tls.createServer({
      cert: readCert("untrusted.pem"),
      key: readCert("untrusted.key"),
    });
    const mutual = tls.createServer({
      cert: readCert("server.pem"),
      key: readCert("server.key"),
      ca: readCert("ca.pem"),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const caLeaf = selfSignedCa();
    const caLeafServer = caLeaf && tls.createServer(caLeaf);
    const servers = [caSigned, selfSigned, mutual, ...(caLeafServer ? [caLeafServer] : [])];
    const ports = new Map<net.Server, number>();
    const sockets = new Set<net.Socket>();

    before(async () => {
      for (const server of servers) {
        server.on("tlsClientError", () => {}); // the client gave up: expected here
        server.on("secureConnection", (socket: net.Socket) => {
          sockets.add(socket.on("close", () => sockets.delete(socket)).on("error", () => {}));
        });
        ports.set(server, await listen(server));
      }
    });

    after(async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
    });

    /** Opens a TLS transport to `server` on 127.0.0.1 with `tlsOptions`. */
    function open(server: net.Server, tlsOptions: TlsOptions): Promise<Transport> {
      const target = {
        kind: "tls" as const,
        host: "127.0.0.1",
        port: ports.get(server)!,
        tls: tlsOptions,
      };
      return opener(target, new Recorder());
    }

    it(`${name} rejects a server certificate from an unknown CA with a TlsError`, async () => {
      const opening = open(caSigned, { ca: readCert("untrusted.pem"), servername: "localhost" });
      await assertTlsError(opening, ports.get(caSigned)!);
    });

    it(`${name} rejects the test CA's server without a CA (system roots) with a TlsError`, async () => {
      await assertTlsError(open(caSigned, { servername: "localhost" }), ports.get(caSigned)!);
    });

    it(`${name} rejects a server certificate for another servername with a TlsError`, async () => {
      const opening = open(caSigned, { ca: readCert("ca.pem"), servername: "example.com" });
      await assertTlsError(opening, ports.get(caSigned)!);
    });

    it(`${name} reports a server's refusal of the missing client certificate as a TlsError`, async () => {
      // TLS 1.3: the client's handshake is done before the server refuses it, so the refusal
      // (an alert) arrives at the first read: onClose gets the TlsError. TLS 1.2: the opener.
      const recorder = new Recorder();
      const target = {
        kind: "tls" as const,
        host: "127.0.0.1",
        port: ports.get(mutual)!,
        tls: { ca: readCert("ca.pem"), servername: "localhost" },
      };
      try {
        await opener(target, recorder);
      } catch (error) {
        return assertTlsError(Promise.reject(error), target.port);
      }
      await recorder.until(() => recorder.closes.length > 0);
      await assertTlsError(Promise.reject(recorder.closes[0]), target.port);
    });

    it(`${name} accepts a self-signed (CA:FALSE) server certificate given as its own ca`, async () => {
      const transport = await open(selfSigned, {
        ca: readCert("untrusted.pem"),
        servername: "localhost",
      });
      transport.close();
    });

    const verdict = options.trustsCaAsLeaf ? "accepts" : "rejects with a TlsError";
    it(`${name} ${verdict} a self-signed CA:TRUE server certificate given as its own ca`, {
      skip: caLeafServer ? false : "no openssl to make the certificate",
    }, async () => {
      const opening = open(caLeafServer!, { ca: caLeaf!.cert, servername: "localhost" });
      if (options.trustsCaAsLeaf) return (await opening).close();
      await assertTlsError(opening, ports.get(caLeafServer!)!);
      await opening.catch((error: Error) =>
        assert.match(error.message, /CaUsedAsEndEntity.*CA:FALSE/)
      );
    });
  });
}
