/**
 * `servers` failover, `transformWsUrl` and a `wsHeaders` function, on a fake broker whose
 * transport refuses the targets a test marks dead; and the checks of the network options.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MqttClient } from "../../mod.ts";
import { FakeBroker } from "../_helpers/fake_broker.ts";
import { manualClock } from "../../src/client/clock.ts";
import type { TransportOpener, TransportTarget } from "../../src/transport/types.ts";

/** A fake broker reachable at every target except those whose host is in `dead`. */
function network(dead: Set<string>) {
  const broker = new FakeBroker(4);
  const tried: TransportTarget[] = [];
  const opener: TransportOpener = (target, handlers, options) => {
    tried.push(target);
    if (dead.has(target.host)) {
      return Promise.reject(new Error(`Cannot connect to ${target.host}:${target.port}: refused`));
    }
    return broker.opener(target, handlers, options);
  };
  return { broker, tried, opener };
}

describe("servers failover", () => {
  it("tries the servers in order, then starts from the one that worked", async () => {
    const dead = new Set(["a"]);
    const { broker, tried, opener } = network(dead);
    const client = new MqttClient({
      servers: ["mqtt://a:1883", "mqtt://b:1884", "mqtt://c:1885"],
      transport: opener,
      clock: manualClock(),
      reconnect: { minDelay: 10, maxDelay: 10 },
      clientId: "f",
    });
    const connecting = client.connect();
    const first = await broker.nextConnection();
    await first.accept();
    await connecting;
    assert.deepEqual(tried.map((t) => t.host), ["a", "b"]);
    assert.equal(client.host, "a", "the getters describe the first server");
    // The link drops; the next attempt starts with b, which worked.
    tried.length = 0;
    const reconnecting = client.reconnect();
    const second = await broker.nextConnection();
    await second.accept();
    await reconnecting;
    assert.deepEqual(tried.map((t) => t.host), ["b"]);
    // b dies too: c, then a (alive again) in order after it.
    dead.delete("a");
    dead.add("b");
    dead.add("c");
    tried.length = 0;
    const third = client.reconnect();
    await (await broker.nextConnection()).accept();
    await third;
    assert.deepEqual(tried.map((t) => t.host), ["b", "c", "a"]);
    await client.disconnect({ force: true });
  });

  it("a server that never answers gets its share of connectTimeout, then the next is tried", async () => {
    const broker = new FakeBroker(4);
    const tried: string[] = [];
    let gaveUp: unknown;
    const opener: TransportOpener = (target, handlers, options) => {
      tried.push(target.host);
      if (target.host !== "hang") return broker.opener(target, handlers, options);
      // A black hole: only the signal ends it.
      return new Promise((_, reject) => {
        options?.signal?.addEventListener("abort", () => {
          gaveUp = options.signal!.reason;
          reject(gaveUp);
        });
      });
    };
    const client = new MqttClient({
      servers: ["mqtt://hang", "mqtt://b"],
      transport: opener,
      reconnect: false,
      connectTimeout: 2000, // 1 s per server
      clientId: "f",
    });
    const connecting = client.connect();
    await (await broker.nextConnection()).accept();
    await connecting;
    assert.deepEqual(tried, ["hang", "b"]);
    // Given up by its share of the attempt (half of connectTimeout), not by the attempt's end.
    assert.match(String(gaveUp), /hang:1883: no connection within 1000 ms/);
    await client.disconnect({ force: true });
  });

  it("rejects with every server's reason when none can be reached", async () => {
    const { opener } = network(new Set(["a", "b"]));
    const client = new MqttClient({
      servers: ["mqtt://a", { url: "mqtt://b" }],
      transport: opener,
      reconnect: false,
      clientId: "f",
    });
    await assert.rejects(client.connect(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /None of the 2 servers could be reached: .*a:1883.*b:1883/);
      return true;
    });
  });

  it("each server keeps its own TLS settings over the shared ones", () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const client = new MqttClient({
      servers: [{ url: "mqtts://a", servername: "a.example", insecure: true }, "mqtt://b"],
      clientId: "f",
      ca,
    });
    assert.equal(client.transport, "tls");
    assert.throws(
      () => new MqttClient({ servers: ["mqtt://a"], url: "mqtt://b" }),
      /options\.url cannot be combined with options\.servers/,
    );
    assert.throws(() => new MqttClient({ servers: [] }), TypeError);
    assert.throws(
      () => new MqttClient({ servers: [{ url: "mqtt://a", port: 1 } as never] }),
      /Unknown field "port" in options\.servers\[0\]/,
    );
  });
});

describe("servers with TLS settings of their own", () => {
  it("each attempt gets its server's TLS settings over the shared ones", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const { tried, opener } = network(new Set(["a", "b"]));
    const client = new MqttClient({
      servers: [
        { url: "mqtts://a", servername: "a.example", minVersion: "TLSv1.3", ciphers: "HIGH" },
        "mqtts://b",
      ],
      ca,
      minVersion: "TLSv1.2",
      transport: opener,
      reconnect: false,
      clientId: "f",
    });
    await assert.rejects(client.connect(), /None of the 2 servers could be reached/);
    assert.deepEqual(
      tried.map((t) => [t.host, t.tls?.servername, t.tls?.minVersion, t.tls?.ciphers]),
      [
        ["a", "a.example", "TLSv1.3", "HIGH"],
        ["b", undefined, "TLSv1.2", undefined],
      ],
    );
    assert.equal(tried[0]!.tls?.ca, ca);
    assert.equal(tried[1]!.tls?.ca, ca);
  });
});

describe("WebSocket hooks", () => {
  it("transformWsUrl and a wsHeaders function run before every attempt", async () => {
    const { broker, tried, opener } = network(new Set());
    let n = 0;
    let h = 0;
    const client = new MqttClient({
      url: "ws://broker.example:8080/mqtt",
      transport: opener,
      clock: manualClock(),
      reconnect: { minDelay: 10, maxDelay: 10 },
      clientId: "w",
      transformWsUrl: (url) => `${url}?signature=${++n}`,
      wsHeaders: () => Promise.resolve({ Authorization: `Bearer token-${++h}` }),
    });
    const connecting = client.connect();
    await (await broker.nextConnection()).accept();
    await connecting;
    const reconnecting = client.reconnect();
    await (await broker.nextConnection()).accept();
    await reconnecting;
    assert.deepEqual(tried.map((t) => [t.url, t.headers?.Authorization]), [
      ["ws://broker.example:8080/mqtt?signature=1", "Bearer token-1"],
      ["ws://broker.example:8080/mqtt?signature=2", "Bearer token-2"],
    ]);
    await client.disconnect({ force: true });
  });

  it("a hook's bad result fails the attempt with a clear error", async () => {
    const { opener } = network(new Set());
    const client = new MqttClient({
      url: "wss://broker.example/mqtt",
      transport: opener,
      reconnect: false,
      transformWsUrl: () => "ws://downgraded.example/mqtt",
    });
    await assert.rejects(client.connect(), /must keep the scheme wss:\/\//);
    const headers = new MqttClient({
      url: "ws://broker.example/mqtt",
      transport: opener,
      reconnect: false,
      wsHeaders: () => ({ "Sec-WebSocket-Key": "x" }),
    });
    await assert.rejects(headers.connect(), /the WebSocket handshake sets it/);
  });
});

describe("network option checks", () => {
  const cases: [object, RegExp][] = [
    [{ url: "mqtt://a", alpnProtocols: ["mqtt"] }, /alpnProtocols needs a TLS connection/],
    [{ url: "mqtts://a", alpnProtocols: [] }, /non-empty list/],
    [{ url: "wss://a", insecure: true }, /a wss:\/\/ WebSocket makes its own TLS connection/],
    [{ url: "mqtts://a", insecure: "yes" }, /options\.insecure/],
    [{ url: "mqtt://a", rejectUnauthorized: false }, /needs a TLS connection/],
    [{ url: "ws://a", bindAddress: "127.0.0.2" }, /bindAddress \/ bindPort are for TCP/],
    [{ url: "mqtt://a", bindPort: 70000 }, /options\.bindPort/],
    [{ url: "mqtt://a", transformWsUrl: (u: string) => u }, /transformWsUrl needs a WebSocket URL/],
    [{ url: "ws://a", transformWsUrl: "x" }, /transformWsUrl must be a function/],
  ];
  for (const [options, message] of cases) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(() => new MqttClient(options), message);
    });
  }
});
