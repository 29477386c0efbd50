/**
 * How the korero command line reaches the broker, next to mosquitto_pub where it can say the
 * same: `--unix`, `-p 8883` alone (TLS with the runtime's CAs), `--tls-use-os-certs`,
 * `--tls-alpn`, `--proxy` through Dante and tinyproxy, and `-S` through the test DNS server.
 *
 * The "runtime's CAs" are made to hold the test CA through the environment: `DENO_CERT` (Deno),
 * `NODE_EXTRA_CA_CERTS` (Bun) and, for mosquitto_pub, OpenSSL's `SSL_CERT_FILE`.
 */

import { after, before, describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certPath, type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  proxiesMissing,
  SOCKS_USER,
  socksUser,
  startDante,
  startTinyproxy,
} from "../_helpers/proxies.ts";
import { type DnsServer, startDnsServer } from "../_helpers/dns_server.ts";
import {
  finished,
  isBun,
  it,
  killAll,
  korero,
  mosquitto,
  type Program,
  subscribed,
  succeeds,
  unique,
} from "./_cli.ts";

/** The environment that adds the test CA to the runtime's (and OpenSSL's) trusted CAs. */
const TRUST_TEST_CA = {
  [isBun ? "NODE_EXTRA_CA_CERTS" : "DENO_CERT"]: certPath("ca.pem"),
  SSL_CERT_FILE: certPath("ca.pem"),
};

/** Whether 127.0.0.1:`port` can be listened on. */
function free(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Whether the fixed port 8883 is taken (by something else on this machine). */
const busy8883 = !(await free(8883));

describe("korero command line transports", () => {
  let broker: MosquittoBroker;
  let dir: string;
  let socket: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-cli-unix-"));
    socket = join(dir, "mqtt.sock");
    broker = await startMosquitto({ tls: true, extraConfig: [`listener 0 ${socket}`] });
  });

  after(async () => {
    killAll();
    for (const cleanup of cleanups) await cleanup();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = () => ["-h", broker.host, "-p", String(broker.port)];

  /** A mosquitto_sub on the plain listener, subscribed, waiting for `count` messages. */
  async function listen(topic: string, count: number): Promise<Program> {
    const id = unique("listener");
    const sub = mosquitto("sub", [...at(), "-i", id, "-t", topic, "-C", String(count), "-v"]);
    await subscribed(broker, id);
    return sub;
  }

  it("--unix: pub and sub through the broker's Unix socket (mosquitto_pub --unix too)", async () => {
    const topic = unique("unix");
    const heard = await listen(topic, 2);
    const id = unique("unix-sub");
    const sub = korero(["sub", "--unix", socket, "-i", id, "-t", topic, "-C", "1"]);
    await subscribed(broker, id);
    await succeeds(korero(["pub", "--unix", socket, "-t", topic, "-m", "korero"]));
    await succeeds(mosquitto("pub", ["--unix", socket, "-t", topic, "-m", "mosquitto"]));
    assert.equal((await succeeds(sub)).text, "korero\n");
    assert.equal((await succeeds(heard)).text, `${topic} korero\n${topic} mosquitto\n`);
  });

  it("--tls-use-os-certs: TLS with the runtime's CAs, as mosquitto_pub", async () => {
    const topic = unique("os-certs");
    const heard = await listen(topic, 2);
    const args = ["-h", "localhost", "-p", String(broker.tlsPort), "-t", topic, "-q", "1"];
    // Without the flag: MQTT in the clear to a TLS listener gets nowhere.
    const plain = await finished(korero(["pub", ...args, "-m", "plain"], undefined, TRUST_TEST_CA));
    assert.notEqual(plain.code, 0);
    // With it but without the test CA among the trusted ones: the certificate is refused.
    const untrusted = await finished(korero(["pub", ...args, "--tls-use-os-certs", "-m", "x"]));
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^Error: .*(certificate|issuer|TLS)/i);
    await succeeds(
      korero(["pub", ...args, "--tls-use-os-certs", "-m", "korero"], undefined, TRUST_TEST_CA),
    );
    await succeeds(
      mosquitto(
        "pub",
        [...args, "--tls-use-os-certs", "-m", "mosquitto"],
        undefined,
        TRUST_TEST_CA,
      ),
    );
    assert.equal((await succeeds(heard)).text, `${topic} korero\n${topic} mosquitto\n`);
  });

  nodeIt("-p 8883 alone: TLS with the runtime's CAs, as libmosquitto", {
    skip: busy8883 ? "127.0.0.1:8883 is in use" : false,
    timeout: 30_000,
  }, async () => {
    const secure = await startMosquitto({
      extraConfig: [
        "listener 8883 127.0.0.1",
        `cafile ${certPath("ca.pem")}`,
        `certfile ${certPath("server.pem")}`,
        `keyfile ${certPath("server.key")}`,
      ],
    });
    cleanups.push(() => secure.stop());
    const topic = unique("8883");
    const id = unique("8883-sub");
    const heard = mosquitto("sub", [
      "-h",
      secure.host,
      "-p",
      String(secure.port),
      "-i",
      id,
      "-t",
      topic,
      "-C",
      "2",
    ]);
    await subscribed(secure, id);
    const args = ["-h", "localhost", "-p", "8883", "-t", topic, "-q", "1"];
    const untrusted = await finished(korero(["pub", ...args, "-m", "x"]));
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^Error: .*(certificate|issuer|TLS)/i);
    await succeeds(korero(["pub", ...args, "-m", "korero"], undefined, TRUST_TEST_CA));
    await succeeds(mosquitto("pub", [...args, "-m", "mosquitto"], undefined, TRUST_TEST_CA));
    assert.equal((await succeeds(heard)).text, "korero\nmosquitto\n");
  });

  it("--tls-alpn: the TLS handshake offers that protocol, as mosquitto_pub's", async () => {
    // A TLS front for the broker's plain listener that records the protocol agreed on.
    const agreed: (string | false | null)[] = [];
    const open = new Set<net.Socket>();
    const track = (socket: net.Socket) => {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
    };
    const front = tls.createServer({
      key: readCert("server.key"),
      cert: readCert("server.pem"),
      ALPNProtocols: ["mqtt", "x-other"],
    }, (client) => {
      agreed.push(client.alpnProtocol ?? null);
      const upstream = net.connect(broker.port, broker.host);
      track(client);
      track(upstream);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    // close() waits for every connection to end: a piped pair one side left half-open would keep
    // it (and the cleanups after it) waiting, so the connections are destroyed first.
    cleanups.push(() =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        front.close(() => resolve());
      })
    );
    const port = String((front.address() as net.AddressInfo).port);
    const topic = unique("alpn");
    const heard = await listen(topic, 3);
    const tlsArgs = ["-h", "localhost", "-p", port, "--cafile", certPath("ca.pem"), "-t", topic];
    await succeeds(korero(["pub", ...tlsArgs, "--tls-alpn", "mqtt", "-m", "korero"]));
    await succeeds(mosquitto("pub", [...tlsArgs, "--tls-alpn", "mqtt", "-m", "mosquitto"]));
    await succeeds(korero(["pub", ...tlsArgs, "-m", "none"]));
    assert.equal(
      (await succeeds(heard)).text,
      `${topic} korero\n${topic} mosquitto\n${topic} none\n`,
    );
    assert.deepEqual(agreed, ["mqtt", "mqtt", false]);
  });

  nodeIt("--proxy: socks5h:// through Dante and http:// through tinyproxy", {
    skip: proxiesMissing() ?? false,
    timeout: 30_000,
  }, async () => {
    const [socks, http] = await Promise.all([startDante(false), startTinyproxy()]);
    cleanups.push(() => socks.stop(), () => http.stop());
    const topic = unique("proxy");
    const heard = await listen(topic, 2);
    const id = unique("proxy-sub");
    const socksUrl = `socks5h://127.0.0.1:${socks.port}`;
    const sub = korero(["sub", ...at(), "--proxy", socksUrl, "-i", id, "-t", topic, "-C", "1"]);
    await subscribed(broker, id);
    await succeeds(korero(["pub", ...at(), "--proxy", socksUrl, "-t", topic, "-m", "socks"]));
    const httpUrl = `http://127.0.0.1:${http.port}`;
    await succeeds(korero(["pub", ...at(), "--proxy", httpUrl, "-t", topic, "-m", "http"]));
    // The proxies carried them: each logged the connections it made.
    assert.equal((await succeeds(sub)).text, "socks\n");
    assert.equal((await succeeds(heard)).text, `${topic} socks\n${topic} http\n`);
    assert.equal(socks.log().match(/pass\(1\): tcp\/connect/g)?.length, 2, socks.log());
    assert.match(http.log(), /CONNECT/);
    // A proxy that is not there: no connection, exit code 1.
    const dead = await finished(
      korero(["pub", ...at(), "--proxy", `http://127.0.0.1:1`, "-t", topic, "-m", "x"]),
    );
    assert.equal(dead.code, 1);
  });

  nodeIt("--proxy with user:password@: tinyproxy's Basic authentication, Dante's username", {
    skip: proxiesMissing() ?? false,
    timeout: 30_000,
  }, async () => {
    const account = { user: "korero", password: "Pr0xy-p4ss" };
    const http = await startTinyproxy(account);
    cleanups.push(() => http.stop());
    const noAccount = socksUser(); // Dante checks a system account: creating it needs root
    const socks = noAccount === undefined ? await startDante(true) : undefined;
    if (socks !== undefined) cleanups.push(() => socks.stop());
    const topic = unique("proxy-auth");
    const heard = await listen(topic, socks === undefined ? 1 : 2);
    const via = (url: string, message: string) =>
      korero(["pub", ...at(), "--proxy", url, "-t", topic, "-m", message]);
    const httpUrl = (password: string) =>
      `http://${account.user}:${password}@127.0.0.1:${http.port}`;
    const refused = await finished(via(httpUrl("wrong"), "refused"));
    assert.equal(refused.code, 1);
    assert.doesNotMatch(refused.stderr, /wrong/); // the password is not repeated
    await succeeds(via(httpUrl(account.password), "http"));
    if (socks !== undefined) {
      const { user, password } = SOCKS_USER;
      await succeeds(via(`socks5h://${user}:${password}@127.0.0.1:${socks.port}`, "socks"));
    }
    const expected = [`${topic} http\n`, ...(socks === undefined ? [] : [`${topic} socks\n`])];
    assert.equal((await succeeds(heard)).text, expected.join(""));
  });

  it("-S: the -h domain's SRV records name the broker (DNS server on loopback)", async () => {
    const dead = await refusedPort();
    const dns: DnsServer = await startDnsServer({
      "_mqtt._tcp.brokers.test": [
        { priority: 10, weight: 0, port: dead, target: "127.0.0.1" },
        { priority: 20, weight: 0, port: broker.port, target: "127.0.0.1" },
      ],
      "_secure-mqtt._tcp.brokers.test": [
        { priority: 10, weight: 0, port: broker.tlsPort, target: "localhost" },
      ],
    });
    cleanups.push(() => dns.close());
    const env = { KORERO_TEST_DNS_PORT: String(dns.port) };
    const srv = (args: string[]) =>
      korero(
        ["pub", "-S", "-h", "brokers.test", ...args],
        undefined,
        env,
        "tests/cli/_srv_main.ts",
      );
    const topic = unique("srv");
    const heard = await listen(topic, 2);
    const [plainId, tlsId] = [unique("srv-plain"), unique("srv-tls")];
    await succeeds(srv(["-i", plainId, "-t", topic, "-m", "plain"]));
    await succeeds(srv(["-i", tlsId, "--cafile", certPath("ca.pem"), "-t", topic, "-m", "tls"]));
    assert.equal((await succeeds(heard)).text, `${topic} plain\n${topic} tls\n`);
    assert.deepEqual(dns.queries.slice(0, 2), [
      "_mqtt._tcp.brokers.test",
      "_secure-mqtt._tcp.brokers.test",
    ]);
  });
});

/** A 127.0.0.1 port nothing listens on. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
