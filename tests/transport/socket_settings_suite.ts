/**
 * The network settings each socket adapter honours or refuses by name: ALPN (the server sees
 * the protocol negotiated), `insecure` (the name is not checked, the chain still is),
 * `rejectUnauthorized: false` (no verification) and a local bind address. The servers are
 * node:tls / node:net servers on 127.0.0.1.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tls from "node:tls";
import * as net from "node:net";
import { TlsError } from "../../src/errors.ts";
import type { TlsOptions, TransportOpener, TransportTarget } from "../../src/transport/types.ts";
import { readCert } from "../_helpers/mosquitto.ts";
import { listen } from "./_node_server.ts";
import { freePort } from "../_helpers/ports.ts";
import { Recorder } from "./transport_suite.ts";

/** What the runtime's adapter can do. */
export interface SocketSettingsSupport {
  /** `rejectUnauthorized: false` works (else: an Error naming the runtime). */
  noVerification: boolean;
  /** A local bind address works (else: an Error naming the runtime). */
  bind: boolean;
  /** minVersion / maxVersion / ciphers work (else: an Error naming the runtime). */
  versions: boolean;
  /**
   * With `versions`: the host's TLS honours `ciphers` (Deno's `node:tls`, under the Node adapter
   * here, takes the option and negotiates its own choice). Default true.
   */
  ciphers?: boolean;
  /** The runtime's name, as the refusals name it. */
  runtime: string;
}

/** Registers the settings cases for `opener` (inside the caller's `describe`). */
export function socketSettingsSuite(
  name: string,
  opener: TransportOpener,
  support: SocketSettingsSupport,
): void {
  describe(`${name} network settings`, () => {
    const alpnSeen = new Recorder();
    const alpnServer = tls.createServer({
      cert: readCert("server.pem"),
      key: readCert("server.key"),
      ALPNProtocols: ["mqtt", "x-amzn-mqtt-ca"],
    });
    const versions: string[] = [];
    const ciphers: string[] = [];
    const tls12Only = tls.createServer({
      cert: readCert("server.pem"),
      key: readCert("server.key"),
      maxVersion: "TLSv1.2",
    });
    const untrusted = tls.createServer({
      cert: readCert("untrusted.pem"),
      key: readCert("untrusted.key"),
    });
    const plain = net.createServer();
    const remotes = new Recorder(); // each connection's remote address, as bytes
    const remotePorts: number[] = [];
    const remoteAddresses = () => remotes.chunks.map((chunk) => new TextDecoder().decode(chunk));
    const servers: net.Server[] = [alpnServer, untrusted, plain, tls12Only];
    const ports = new Map<net.Server, number>();
    const sockets = new Set<net.Socket>();

    before(async () => {
      for (const server of servers) {
        server.on("tlsClientError", () => {});
        const track = (socket: net.Socket) => {
          sockets.add(socket.on("close", () => sockets.delete(socket)).on("error", () => {}));
        };
        server.on("secureConnection", (socket: tls.TLSSocket) => {
          track(socket);
          if (server === alpnServer) {
            versions.push(socket.getProtocol() ?? "");
            ciphers.push(socket.getCipher().name);
            alpnSeen.onData(new TextEncoder().encode(`${socket.alpnProtocol}`));
          }
        });
        if (server === plain) {
          server.on("connection", (socket: net.Socket) => {
            track(socket);
            remotePorts.push(socket.remotePort ?? 0);
            remotes.onData(new TextEncoder().encode(socket.remoteAddress ?? ""));
          });
        }
        ports.set(server, await listen(server));
      }
    });

    after(async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
    });

    function target(server: net.Server, tlsOptions?: TlsOptions): TransportTarget {
      const port = ports.get(server)!;
      return tlsOptions === undefined
        ? { kind: "tcp", host: "127.0.0.1", port }
        : { kind: "tls", host: "127.0.0.1", port, tls: tlsOptions };
    }

    it(`${name} offers the ALPN protocols given; the server picks one of them`, async () => {
      const transport = await opener(
        target(alpnServer, {
          ca: readCert("ca.pem"),
          servername: "localhost",
          alpnProtocols: ["x-amzn-mqtt-ca"],
        }),
        new Recorder(),
      );
      await alpnSeen.until(() => alpnSeen.chunks.length > 0);
      assert.equal(new TextDecoder().decode(alpnSeen.chunks[0]), "x-amzn-mqtt-ca");
      transport.close();
    });

    it(`${name} with insecure accepts a certificate for another name, still from a trusted CA`, async () => {
      const settings = { ca: readCert("ca.pem"), servername: "example.com" };
      await assert.rejects(opener(target(alpnServer, settings), new Recorder()), TlsError);
      const transport = await opener(
        target(alpnServer, { ...settings, insecure: true }),
        new Recorder(),
      );
      transport.close();
      // The chain is still verified: an unknown CA is refused even so.
      await assert.rejects(
        opener(target(untrusted, { servername: "localhost", insecure: true }), new Recorder()),
        TlsError,
      );
    });

    it(
      `${name} with rejectUnauthorized: false ${
        support.noVerification ? "accepts any certificate" : `is refused on ${support.runtime}`
      }`,
      async () => {
        const opening = opener(
          target(untrusted, { servername: "localhost", rejectUnauthorized: false }),
          new Recorder(),
        );
        if (support.noVerification) return (await opening).close();
        await assert.rejects(
          opening,
          (error: unknown) =>
            error instanceof Error && /rejectUnauthorized/.test(error.message) &&
            error.message.includes(support.runtime),
        );
      },
    );

    it(
      `${name} ${
        support.versions
          ? "negotiates within minVersion / maxVersion, with the ciphers given"
          : `refuses minVersion / maxVersion / ciphers on ${support.runtime}`
      }`,
      async () => {
        const settings = { ca: readCert("ca.pem"), servername: "localhost" };
        const seenBefore = alpnSeen.chunks.length;
        const capped = opener(
          target(alpnServer, { ...settings, maxVersion: "TLSv1.2" }),
          new Recorder(),
        );
        if (!support.versions) {
          await assert.rejects(
            capped,
            (error: unknown) =>
              error instanceof Error && /maxVersion/.test(error.message) &&
              error.message.includes(support.runtime),
          );
          const withCiphers = target(alpnServer, {
            ...settings,
            ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256",
          });
          return void await assert.rejects(
            opener(withCiphers, new Recorder()),
            (error: unknown) =>
              error instanceof Error && /ciphers/.test(error.message) &&
              error.message.includes(support.runtime),
          );
        }
        const transport = await capped;
        await alpnSeen.until(() => alpnSeen.chunks.length > seenBefore);
        assert.equal(versions.at(-1), "TLSv1.2");
        transport.close();
        await assert.rejects(
          opener(target(tls12Only, { ...settings, minVersion: "TLSv1.3" }), new Recorder()),
          TlsError,
        );
        if (support.ciphers === false) return;
        // Over TLS 1.2 the client's cipher list decides (the server's certificate is ECDSA).
        for (const cipher of ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"]) {
          const seen = alpnSeen.chunks.length;
          const chosen = await opener(
            target(alpnServer, { ...settings, maxVersion: "TLSv1.2", ciphers: cipher }),
            new Recorder(),
          );
          await alpnSeen.until(() => alpnSeen.chunks.length > seen);
          assert.equal(ciphers.at(-1), cipher);
          chosen.close();
        }
      },
    );

    it(
      `${name} ${
        support.bind
          ? "connects from the bind address and port"
          : `refuses a bind address on ${support.runtime}`
      }`,
      async () => {
        const port = await freePort();
        const opening = opener(
          { ...target(plain), bind: { address: "127.0.0.2", port } },
          new Recorder(),
        );
        if (!support.bind) {
          return void await assert.rejects(
            opening,
            (error: unknown) =>
              error instanceof Error && /bindAddress/.test(error.message) &&
              error.message.includes(support.runtime),
          );
        }
        const transport = await opening;
        await remotes.until(() => remoteAddresses().length > 0);
        assert.deepEqual(remoteAddresses(), ["127.0.0.2"]);
        assert.deepEqual(remotePorts, [port]);
        transport.close();
      },
    );
  });
}
