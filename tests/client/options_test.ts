import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ClientOptions } from "../../src/client/options.ts";
import type { WebSocketConstructor } from "../../src/transport/types.ts";
import { resolveOptions } from "../../src/client/resolve_options.ts";
import { parseBrokerUrl } from "../../src/client/broker_url.ts";
import { generateClientId } from "../../src/client/option_values.ts";
import { manualClock } from "../../src/client/clock.ts";

const PEM = (s: string) => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`;

const clock = manualClock();
const resolve = (options: ClientOptions) => resolveOptions({ clock, ...options });

/** Asserts that `options` throws `kind` with a message matching `pattern`. */
function rejects(
  options: unknown,
  kind: typeof TypeError | typeof RangeError,
  pattern: RegExp,
): void {
  assert.throws(() => resolveOptions(options as ClientOptions), (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

describe("resolveOptions", () => {
  it("resolveOptions fills every default", () => {
    const r = resolveOptions({ random: () => 0 });
    assert.deepEqual(r.target, { kind: "tcp", host: "localhost", port: 1883 });
    assert.equal(r.session.clientId, "korero-000000000000");
    assert.deepEqual({ ...r.session, clientId: "" }, {
      protocolVersion: 4,
      clientId: "",
      clean: true,
      keepalive: 60,
      reconnect: { minDelay: 1000, maxDelay: 120_000 },
      retryFirstConnect: false,
      connectTimeout: 30_000,
      operationTimeout: 0,
      maxInflight: 65_535,
      maxQueued: 10_000,
      maxQueuedBytes: 64 * 1024 * 1024,
      queueFull: "wait",
      queueQoS0Offline: false,
      resubscribe: true,
      topicAliases: false,
      qos2Delivery: "publish",
      disconnectTimeout: 1000,
      trace: false,
    });
    assert.equal(r.messageBuffer, 1000);
    assert.equal(r.highWaterMark, 1000);
    assert.equal(r.manualAck, false);
    assert.equal(r.suppressExceptions, false);
    assert.equal(r.opener, undefined);
    assert.equal(r.logger, undefined);
  });

  it("resolveOptions takes host, port, user and password from an mqtt:// URL", () => {
    const r = resolve({ url: "mqtt://alice:s%40cret@broker.example:1884" });
    assert.deepEqual(r.target, { kind: "tcp", host: "broker.example", port: 1884 });
    assert.equal(r.session.username, "alice");
    assert.deepEqual(r.session.password, new TextEncoder().encode("s@cret"));
  });

  it("resolveOptions uses TLS and port 8883 for mqtts:// and ssl://", () => {
    for (const url of ["mqtts://broker.example", "ssl://broker.example"]) {
      assert.deepEqual(resolve({ url }).target, {
        kind: "tls",
        host: "broker.example",
        port: 8883,
        tls: {},
      });
    }
  });

  it("resolveOptions uses plain TCP and port 1883 for tcp://", () => {
    assert.deepEqual(resolve({ url: "tcp://10.0.0.1" }).target, {
      kind: "tcp",
      host: "10.0.0.1",
      port: 1883,
    });
  });

  it("resolveOptions lets explicit options override the URL", () => {
    const r = resolve({ url: "mqtt://u:p@a:1000", host: "b", port: 2000, username: "v" });
    assert.deepEqual(r.target, { kind: "tcp", host: "b", port: 2000 });
    assert.equal(r.session.username, "v");
  });

  it("resolveOptions passes the TLS settings in the target", () => {
    const r = resolve({
      host: "h",
      tls: true,
      ca: PEM("CA"),
      cert: PEM("C"),
      key: PEM("K"),
      servername: "s",
    });
    assert.deepEqual(r.target, {
      kind: "tls",
      host: "h",
      port: 8883,
      tls: { ca: PEM("CA"), cert: PEM("C"), key: PEM("K"), servername: "s" },
    });
  });

  it("resolveOptions resolves readPacing apart from the transport target, and checks its type", () => {
    assert.equal(resolve({ readPacing: false }).readPacing, false);
    assert.equal(resolve({}).readPacing, true);
    assert.ok(!("readPacing" in resolve({ readPacing: false }).target));
    rejects({ readPacing: "no" }, TypeError, /options\.readPacing/);
  });

  it("resolveOptions makes a ws target on port 80 with the path /mqtt for ws://host", () => {
    assert.deepEqual(resolve({ url: "ws://broker.example" }).target, {
      kind: "ws",
      host: "broker.example",
      port: 80,
      path: "/mqtt",
    });
  });

  it("resolveOptions makes a wss target on port 443 with the TLS settings for wss://", () => {
    assert.deepEqual(
      resolve({ url: "wss://broker.example", ca: PEM("CA"), cert: PEM("C"), key: PEM("K") }).target,
      {
        kind: "wss",
        host: "broker.example",
        port: 443,
        path: "/mqtt",
        tls: { ca: PEM("CA"), cert: PEM("C"), key: PEM("K") },
      },
    );
  });

  it("resolveOptions takes port, path, query, user and password from a ws:// URL", () => {
    const r = resolve({ url: "ws://alice:s%40cret@[::1]:9001/broker/ws?token=a%20b" });
    assert.deepEqual(r.target, {
      kind: "ws",
      host: "::1",
      port: 9001,
      path: "/broker/ws?token=a%20b",
    });
    assert.equal(r.session.username, "alice");
    assert.deepEqual(r.session.password, new TextEncoder().encode("s@cret"));
  });

  it("resolveOptions asks for the root path when a ws:// URL ends in a slash", () => {
    assert.equal(resolve({ url: "ws://h:1/" }).target.path, "/");
    assert.equal(resolve({ url: "ws://h:1/?x=1" }).target.path, "/?x=1");
    assert.equal(resolve({ url: "ws://h:1?x=1" }).target.path, "/mqtt?x=1");
    assert.equal(resolve({ url: "wss://h/mqtt" }).target.path, "/mqtt");
  });

  it("resolveOptions lets host, port and tls override a ws:// URL and keeps it a WebSocket", () => {
    assert.deepEqual(resolve({ url: "ws://a/p", host: "b", port: 2, tls: true }).target, {
      kind: "wss",
      host: "b",
      port: 2,
      path: "/p",
      tls: {},
    });
    assert.deepEqual(resolve({ url: "wss://a", tls: false }).target, {
      kind: "ws",
      host: "a",
      port: 80,
      path: "/mqtt",
    });
  });

  it("resolveOptions accepts a servername equal to the host over wss://", () => {
    assert.deepEqual(resolve({ url: "wss://h", servername: "h" }).target.tls, { servername: "h" });
  });

  it("resolveOptions puts wsHeaders in the WebSocket target as a copy", () => {
    const wsHeaders = { Authorization: "Bearer t0k3n", "X-Client": "korero é" };
    const r = resolve({ url: "wss://h/mqtt", wsHeaders });
    assert.deepEqual(r.target, {
      kind: "wss",
      host: "h",
      port: 443,
      path: "/mqtt",
      tls: {},
      headers: wsHeaders,
    });
    assert.notEqual(r.target.headers, wsHeaders);
    assert.equal("headers" in resolve({ url: "ws://h", wsHeaders: {} }).target, false);
  });

  it("resolveOptions passes a webSocket class through, and without one leaves it undefined", () => {
    class Socket {}
    const webSocket = Socket as unknown as WebSocketConstructor;
    assert.equal(resolve({ url: "ws://h", webSocket }).webSocket, Socket);
    assert.equal(resolve({ url: "ws://h" }).webSocket, undefined);
  });

  it("resolveOptions accepts any servername over wss:// with a webSocket class (ws takes it)", () => {
    const webSocket = class {} as unknown as WebSocketConstructor;
    const r = resolve({ url: "wss://10.0.0.5", servername: "broker.example", webSocket });
    assert.deepEqual(r.target.tls, { servername: "broker.example" });
  });

  it("resolveOptions never shows a wsHeaders value in its errors", () => {
    const secret = "Bearer s3cr3t";
    for (
      const wsHeaders of [
        { Authorization: `${secret}\r\nX-Injected: 1` },
        { Authorization: `${secret}\u2028` },
      ]
    ) {
      assert.throws(() => resolve({ url: "ws://h", wsHeaders }), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /options\.wsHeaders\["Authorization"\] has a character/);
        assert.doesNotMatch(error.message, /s3cr3t/);
        return true;
      });
    }
    assert.throws(
      () => resolve({ url: "ws://h", wsHeaders: { Authorization: 42 as unknown as string } }),
      (error: Error) => error instanceof TypeError && !error.message.includes("42"),
    );
  });

  it("resolveOptions makes a unix socket target", () => {
    assert.deepEqual(resolve({ unixSocket: "/run/mqtt.sock" }).target, {
      kind: "unix",
      host: "localhost",
      port: 1883,
      path: "/run/mqtt.sock",
    });
  });

  it("resolveOptions generates a client id for an empty one with a clean session on 3.1.1", () => {
    const r = resolve({ clientId: "", random: () => 0.5 });
    assert.equal(r.session.clientId, "korero-iiiiiiiiiiii");
  });

  it("resolveOptions keeps an empty client id on MQTT 5 (the server assigns one)", () => {
    assert.equal(resolve({ clientId: "", protocolVersion: 5, clean: false }).session.clientId, "");
  });

  it("resolveOptions converts a string password and will payload to bytes", () => {
    const r = resolve({
      username: "u",
      password: "pw",
      will: { topic: "w", payload: "bye", qos: 1, retain: true },
    });
    assert.deepEqual(r.session.password, new TextEncoder().encode("pw"));
    assert.deepEqual(r.session.will, {
      topic: "w",
      payload: new TextEncoder().encode("bye"),
      qos: 1,
      retain: true,
    });
  });

  it("resolveOptions fills the reconnect bound that was not given", () => {
    assert.deepEqual(resolve({ reconnect: { minDelay: 10 } }).session.reconnect, {
      minDelay: 10,
      maxDelay: 120_000,
    });
    assert.equal(resolve({ reconnect: false }).session.reconnect, false);
  });

  const errors: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ["a non-object", "mqtt://x", TypeError, /options must be an object/],
    ["an unknown option", { keepAlive: 5 }, TypeError, /Unknown option "keepAlive"/],
    [
      "protocolVersion 6",
      { protocolVersion: 6 },
      RangeError,
      /protocolVersion must be 3, 4 or 5, got 6/,
    ],
    [
      "keepalive -1",
      { keepalive: -1 },
      RangeError,
      /keepalive must be an integer in 0\.\.65535, got -1/,
    ],
    ["keepalive 65536", { keepalive: 65_536 }, RangeError, /keepalive .* got 65536/],
    ["keepalive 1.5", { keepalive: 1.5 }, RangeError, /keepalive .* got 1\.5/],
    [
      "keepalive as a string",
      { keepalive: "60" },
      TypeError,
      /keepalive must be an integer in 0\.\.65535, got "60"/,
    ],
    [
      "a 24-byte client id on MQTT 3.1",
      { protocolVersion: 3, clientId: "a".repeat(24) },
      RangeError,
      /clientId must be at most 23 bytes on MQTT 3\.1/,
    ],
    [
      "an empty client id with a persistent session on 3.1.1",
      { clientId: "", clean: false },
      RangeError,
      /clientId must not be empty .*\[MQTT-3\.1\.3-7\]/,
    ],
    [
      "an empty client id with clean 'first' on 3.1",
      { clientId: "", clean: "first", protocolVersion: 3 },
      RangeError,
      /MQTT-3\.1\.3-7/,
    ],
    ["a client id with U+0000", { clientId: "a\0b" }, RangeError, /clientId/],
    ["clean as a string", { clean: "yes" }, TypeError, /clean must be true, false or "first"/],
    ["a will topic with a wildcard", { will: { topic: "a/#" } }, RangeError, /will\.topic/],
    ["a will without topic", { will: {} }, TypeError, /will\.topic must be a string/],
    [
      "a will QoS of 3",
      { will: { topic: "w", qos: 3 } },
      RangeError,
      /will\.qos must be 0, 1 or 2, got 3/,
    ],
    [
      "will properties on 3.1.1",
      { will: { topic: "w", properties: { contentType: "x" } } },
      RangeError,
      /will\.properties needs protocolVersion 5/,
    ],
    [
      "a password without username on 3.1.1",
      { password: "pw" },
      RangeError,
      /password needs options\.username .*\[MQTT-3\.1\.2-22\]/,
    ],
    [
      "a numeric password",
      { username: "u", password: 5 },
      TypeError,
      /password must be a string or a Uint8Array/,
    ],
    [
      "reconnect maxDelay below minDelay",
      { reconnect: { minDelay: 5000, maxDelay: 100 } },
      RangeError,
      /reconnect\.maxDelay must be at least minDelay \(5000\), got 100/,
    ],
    ["reconnect: true", { reconnect: true }, TypeError, /reconnect must be an object/],
    [
      "a negative reconnect delay",
      { reconnect: { minDelay: -1 } },
      RangeError,
      /reconnect\.minDelay/,
    ],
    [
      "maxInflight 0",
      { maxInflight: 0 },
      RangeError,
      /maxInflight must be an integer in 1\.\.65535, got 0/,
    ],
    ["maxInflight 65536", { maxInflight: 65_536 }, RangeError, /maxInflight .* got 65536/],
    ["maxQueued -1", { maxQueued: -1 }, RangeError, /maxQueued/],
    ["highWaterMark 0", { highWaterMark: 0 }, RangeError, /options\.highWaterMark must be/],
    [
      "connectTimeout 0",
      { connectTimeout: 0 },
      RangeError,
      /connectTimeout must be an integer in 1\.\./,
    ],
    ["operationTimeout -5", { operationTimeout: -5 }, RangeError, /operationTimeout/],
    [
      "queueFull 'drop'",
      { queueFull: "drop" },
      RangeError,
      /queueFull must be "wait" or "reject", got "drop"/,
    ],
    ["messageBuffer 0", { messageBuffer: 0 }, RangeError, /messageBuffer/],
    [
      "topicAliases on 3.1.1",
      { topicAliases: true },
      RangeError,
      /topicAliases needs protocolVersion 5/,
    ],
    [
      "CONNECT properties on 3.1.1",
      { properties: { sessionExpiryInterval: 10 } },
      RangeError,
      /options\.properties needs protocolVersion 5/,
    ],
    [
      "a receiveMaximum of 0",
      { protocolVersion: 5, properties: { receiveMaximum: 0 } },
      RangeError,
      /^options\.properties\.receiveMaximum must be an integer in 1\.\.65535, got 0$/,
    ],
    [
      "a PUBLISH property among the CONNECT properties",
      { protocolVersion: 5, properties: { contentType: "text/plain" } },
      RangeError,
      /^options\.properties\.contentType must be undefined in a CONNECT/,
    ],
    [
      "user properties that are not string pairs",
      { protocolVersion: 5, properties: { userProperties: [["k", 1]] as never } },
      TypeError,
      /^options\.properties\.userProperties\[0\]\[1\] must be a string, got 1/,
    ],
    [
      "a topic alias in the will properties",
      { protocolVersion: 5, will: { topic: "w", properties: { topicAlias: 1 } } },
      RangeError,
      /^will\.properties\.topicAlias must be undefined in a will/,
    ],
    ["an unknown URL scheme", { url: "http://broker" }, RangeError, /unsupported scheme "http:"/],
    ["a URL without scheme", { url: "broker:1883" }, RangeError, /unsupported scheme "broker:"/],
    ["something that is not a URL", { url: "not a url" }, TypeError, /options\.url must be a URL/],
    ["a URL without host", { url: "mqtt://" }, RangeError, /no host/],
    ["a ws:// URL without host", { url: "ws://" }, TypeError, /options\.url must be a URL/],
    [
      "a wss:// URL with port 0",
      { url: "wss://h:0/mqtt" },
      RangeError,
      /port 0.*"wss:\/\/h:0\/mqtt"/,
    ],
    ["a CA with a ws:// URL", { url: "ws://h", ca: "PEM" }, RangeError, /ca needs .*wss:\/\//],
    [
      "a client certificate with a ws:// URL",
      { url: "ws://h", cert: "C", key: "K" },
      RangeError,
      /options\.cert needs a TLS connection/,
    ],
    [
      "a servername other than the host over wss://",
      { url: "wss://h", servername: "other" },
      RangeError,
      /servername must be the host over WebSocket.*"other" for host "h"/,
    ],
    [
      "a unix socket with a wss:// URL",
      { url: "wss://h", unixSocket: "/s" },
      RangeError,
      /unixSocket cannot be combined with a WebSocket URL, got "wss:\/\/h"/,
    ],
    ["port 0", { port: 0 }, RangeError, /port must be an integer in 1\.\.65535, got 0/],
    ["port 70000", { port: 70_000 }, RangeError, /port .* got 70000/],
    ["an empty host", { host: "" }, RangeError, /host must not be empty/],
    ["a CA without TLS", { ca: "PEM" }, RangeError, /options\.ca needs a TLS connection/],
    [
      "a cert without key",
      { tls: true, cert: "C" },
      RangeError,
      /cert and options\.key must be given together/,
    ],
    [
      "TLS over a unix socket",
      { tls: true, unixSocket: "/s" },
      RangeError,
      /tls cannot be combined/,
    ],
    [
      "a clock without setTimer",
      { clock: { now: () => 0 } },
      TypeError,
      /clock\.setTimer must be a function/,
    ],
    [
      "a transport that is not a function",
      { transport: {} },
      TypeError,
      /transport must be a function/,
    ],
    [
      "a logger that is not a function",
      { logger: "console" },
      TypeError,
      /logger must be a function/,
    ],
    [
      "wsHeaders that are not an object",
      { url: "ws://h", wsHeaders: "Authorization: x" },
      TypeError,
      /options\.wsHeaders must be an object/,
    ],
    [
      "wsHeaders with an mqtt:// URL",
      { url: "mqtt://h", wsHeaders: { A: "b" } },
      RangeError,
      /options\.wsHeaders needs a WebSocket URL \(ws:\/\/ or wss:\/\/\)/,
    ],
    [
      "a wsHeaders name that is not an HTTP token",
      { url: "ws://h", wsHeaders: { "X Token": "b" } },
      RangeError,
      /options\.wsHeaders has "X Token", not an HTTP header name/,
    ],
    [
      "a wsHeaders value that is not a string",
      { url: "ws://h", wsHeaders: { A: 1 } },
      TypeError,
      /options\.wsHeaders\["A"\] must be a string, got number/,
    ],
    [
      "a wsHeaders entry the handshake sets itself",
      { url: "ws://h", wsHeaders: { "Sec-WebSocket-Protocol": "mqttv5" } },
      RangeError,
      /must not set "Sec-WebSocket-Protocol": the WebSocket handshake sets it/,
    ],
    [
      "a webSocket that is not a class",
      { url: "ws://h", webSocket: "ws" },
      TypeError,
      /options\.webSocket must be a WebSocket class \(e\.g\. WebSocket from the ws package\), got "ws"/,
    ],
    [
      "a webSocket with an mqtt:// URL",
      { url: "mqtt://h", webSocket: class {} },
      RangeError,
      /options\.webSocket needs a WebSocket URL \(ws:\/\/ or wss:\/\/\), got "mqtt:\/\/h"/,
    ],
    [
      "resubscribe as a number",
      { resubscribe: 1 },
      TypeError,
      /resubscribe must be a boolean, got 1/,
    ],
  ];
  for (const [what, options, kind, pattern] of errors) {
    it(`resolveOptions rejects ${what} with a ${kind.name}`, () => rejects(options, kind, pattern));
  }
});

describe("parseBrokerUrl", () => {
  it("parseBrokerUrl strips the brackets of an IPv6 host", () => {
    assert.equal(parseBrokerUrl("mqtt://[::1]:1883").host, "::1");
  });

  it("parseBrokerUrl reads ws:// and wss:// URLs with their path", () => {
    assert.deepEqual(parseBrokerUrl("wss://u:p@h:8443/a/b"), {
      tls: true,
      websocket: true,
      host: "h",
      port: 8443,
      username: "u",
      password: "p",
      path: "/a/b",
    });
    assert.deepEqual(parseBrokerUrl("ws://h"), {
      tls: false,
      websocket: true,
      host: "h",
      port: undefined,
      username: undefined,
      password: undefined,
      path: "/mqtt",
    });
  });

  it("parseBrokerUrl rejects port 0", () => {
    assert.throws(() => parseBrokerUrl("mqtt://h:0"), RangeError);
  });

  it("parseBrokerUrl percent-decodes user and password (UTF-8 included)", () => {
    const parts = parseBrokerUrl("mqtts://j%C3%BCrgen:p%3Aw%2Fd%40%25@[2001:db8::1]:8884");
    assert.deepEqual(parts, {
      tls: true,
      websocket: false,
      host: "2001:db8::1",
      port: 8884,
      username: "jürgen",
      password: "p:w/d@%",
    });
  });

  it("parseBrokerUrl rejects a malformed percent escape with a TypeError naming the part, not showing it", () => {
    assert.throws(
      () => parseBrokerUrl("mqtt://user:p%zz@h"),
      (error: unknown) =>
        error instanceof TypeError && /has a password that is not valid/.test(error.message) &&
        !error.message.includes("p%zz") && !error.message.includes("user"),
    );
    assert.throws(() => parseBrokerUrl("mqtt://%C3@h"), /options\.url has a user name/);
  });
});

describe("generateClientId", () => {
  it("generateClientId makes 19-character ids from the random source", () => {
    const id = generateClientId(() => 0.999);
    assert.equal(id, "korero-zzzzzzzzzzzz");
    assert.ok(id.length <= 23);
  });
});
