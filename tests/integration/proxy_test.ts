/**
 * MQTT through real proxies to Mosquitto: Dante (SOCKS5, without and with username/password)
 * and tinyproxy (HTTP CONNECT, without and with Basic authentication), over TCP and TLS; the
 * proxies' refusals named without passwords; `mqtt_proxy` and `no_proxy` from the environment.
 */

import { after, before, describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type ClientOptions, connect, type MqttClient } from "../../mod.ts";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  proxiesMissing,
  type RunningProxy,
  SOCKS_USER,
  socksUser,
  startDante,
  startTinyproxy,
} from "../_helpers/proxies.ts";
import { isBun, it, Recorder, uniqueTopic } from "./_support.ts";

const missing = proxiesMissing();
const HTTP_USER = { user: "mqtt", password: "Http-Pr0xy" };

describe("Proxies", { skip: missing ?? false }, () => {
  let broker: MosquittoBroker;
  let socks: RunningProxy;
  let socksAuth: RunningProxy | undefined;
  let http: RunningProxy;
  let httpAuth: RunningProxy;
  const noAccount = socksUser();
  const clients: MqttClient[] = [];

  before(async () => {
    broker = await startMosquitto({ tls: true, clientCertTls: true, verboseLog: false });
    socks = await startDante(false);
    if (noAccount === undefined) socksAuth = await startDante(true);
    http = await startTinyproxy();
    httpAuth = await startTinyproxy(HTTP_USER);
  });
  after(async () => {
    for (const client of clients) await client.disconnect().catch(() => {});
    for (const proxy of [socks, socksAuth, http, httpAuth]) await proxy?.stop();
    await broker?.stop();
  });

  /** Connects with `options`, then checks a QoS 1 round trip through the connection. */
  async function roundTrip(url: string, options: ClientOptions): Promise<void> {
    const client = await connect(url, { reconnect: false, ...options });
    clients.push(client);
    const topic = uniqueTopic("proxy");
    const got = new Recorder<string>();
    client.onMessage = ({ message }) => got.push(new TextDecoder().decode(message.payload));
    await client.subscribe(topic, { qos: 1 });
    await client.publish(topic, "through the proxy", { qos: 1 });
    await got.find((p) => p === "through the proxy", "the message back");
    await client.disconnect();
  }

  const tcp = () => broker.url();
  const tls = () => `mqtts://localhost:${broker.tlsPort}`;
  const ca = () => readCert("ca.pem");

  for (
    const [name, url, extra] of [
      ["TCP", tcp, () => ({})],
      ["TLS", tls, () => ({ ca: ca() })],
    ] as const
  ) {
    it(`SOCKS5 without authentication, over ${name}`, async () => {
      const proxy = { type: "socks5" as const, host: "127.0.0.1", port: socks.port };
      await roundTrip(url(), { ...extra(), proxy });
      assert.match(socks.log(), /pass\(1\): tcp\/connect/);
    });

    it(`HTTP CONNECT without authentication, over ${name}`, async () => {
      const proxy = { type: "http" as const, host: "127.0.0.1", port: http.port };
      await roundTrip(url(), { ...extra(), proxy });
      assert.match(http.log(), /CONNECT/);
    });

    it(`HTTP CONNECT with Basic authentication, over ${name}`, async () => {
      const proxy = {
        type: "http" as const,
        host: "127.0.0.1",
        port: httpAuth.port,
        username: HTTP_USER.user,
        password: HTTP_USER.password,
      };
      await roundTrip(url(), { ...extra(), proxy });
    });
  }

  it(
    isBun
      ? "a client certificate goes through an HTTP CONNECT tunnel to a listener that requires one"
      : "a client certificate through a proxy is refused by name on Deno",
    async () => {
      const proxy = { type: "http" as const, host: "127.0.0.1", port: http.port };
      const options = {
        ca: ca(),
        cert: readCert("client.pem"),
        key: readCert("client.key"),
        proxy,
      };
      const url = `mqtts://localhost:${broker.mtlsPort}`;
      if (isBun) return await roundTrip(url, options);
      await assert.rejects(
        connect(url, { ...options, reconnect: false }),
        /client certificate through a proxy is not supported on Deno/,
      );
    },
  );

  nodeIt("SOCKS5 with username and password (Dante checks a system account)", {
    skip: noAccount ?? false,
    timeout: 30_000,
  }, async () => {
    const proxy = {
      type: "socks5" as const,
      host: "127.0.0.1",
      port: socksAuth!.port,
      username: SOCKS_USER.user,
      password: SOCKS_USER.password,
    };
    await roundTrip(tcp(), { proxy });
    await roundTrip(tls(), { ca: ca(), proxy });
    const wrong = "not-the-password";
    await assert.rejects(
      connect(tcp(), { reconnect: false, proxy: { ...proxy, password: wrong } }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /refused the username or password/);
        assert.ok(!error.message.includes(wrong));
        return true;
      },
    );
    const { username: _u, password: _p, ...anonymous } = proxy;
    await assert.rejects(
      connect(tcp(), { reconnect: false, proxy: anonymous }),
      /accepts none of our authentication methods/,
    );
  });

  it("an HTTP proxy's refusal is named with its status, never with the password", async () => {
    const proxy = {
      type: "http" as const,
      host: "127.0.0.1",
      port: httpAuth.port,
      username: HTTP_USER.user,
      password: "wrong-Password",
    };
    await assert.rejects(connect(tcp(), { reconnect: false, proxy }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /refused CONNECT: 40[17]/);
      assert.ok(!error.message.includes("wrong-Password"));
      return true;
    });
  });

  const names = [["mqtt_proxy", "no_proxy"], ["MQTT_PROXY", "NO_PROXY"]] as const;
  for (const [proxyVar, noProxyVar] of names) {
    it(`${proxyVar} from the environment is used, unless ${noProxyVar} lists the host`, async () => {
      const saved = { proxy: process.env[proxyVar], no: process.env[noProxyVar] };
      try {
        process.env[proxyVar] = `http://127.0.0.1:${http.port}`;
        const before = http.log().split("CONNECT").length;
        await roundTrip(tcp(), {});
        const through = http.log().split("CONNECT").length;
        assert.ok(through > before, "the environment's proxy carried the connection");
        process.env[noProxyVar] = "localhost,127.0.0.1";
        await roundTrip(tcp(), {});
        assert.equal(
          http.log().split("CONNECT").length,
          through,
          `${noProxyVar} bypassed the proxy`,
        );
        delete process.env[noProxyVar];
        await roundTrip(tcp(), { proxy: false });
        assert.equal(http.log().split("CONNECT").length, through, "proxy: false ignores it");
      } finally {
        if (saved.proxy === undefined) delete process.env[proxyVar];
        else process.env[proxyVar] = saved.proxy;
        if (saved.no === undefined) delete process.env[noProxyVar];
        else process.env[noProxyVar] = saved.no;
      }
    });
  }
});
