/**
 * The shared transport suite against the WebSocket adapter, over ws:// and wss:// (a Deno.serve
 * or Bun.serve WebSocket server, see _ws_server.ts), plus what WebSocket adds: the "mqtt"
 * subprotocol and request path, binary frames, text frames refused, a refused or aborted
 * handshake, TLS settings, handshake headers, a WebSocket class given as an option, and
 * backpressure through `bufferedAmount` (with a fake WebSocket). Node with the `ws` package is in
 * tests/node/websocket_ws_test.ts; a browser's WebSocket (headers refused) in tests/browser/.
 */
import { WebSocketError } from "../../src/errors.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Recorder, transportSuite } from "./transport_suite.ts";
import { useWebSocketServer } from "./_ws_server.ts";
import { openWebSocket } from "../../src/transport/websocket.ts";
import { openGlobalWebSocket } from "../../src/transport/websocket_global.ts";
import { DENO_FRAME_LIMIT } from "../../src/transport/_websocket_create.ts";
import { openDefault as openBrowserDefault } from "../../src/transport/defaults/browser.ts";
import { openDefault } from "../../src/transport/defaults/detect.ts";
import type {
  TransportTarget,
  WebSocketConstructor,
  WebSocketOptions,
} from "../../src/transport/types.ts";
import { readCert } from "../_helpers/mosquitto.ts";
import { MqttClient } from "../../mod.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** The runtime's global WebSocket fits the `webSocket` option's type (checked by `deno check`). */
const _globalFits: WebSocketConstructor = WebSocket;

const HEADERS = { Authorization: "Bearer t0k3n", "X-Korero-Test": "yes" };

/** Whether `seen` has every header of HEADERS (names are lower case on the server). */
function hasHeaders(seen: { headers: Record<string, string> }): boolean {
  return Object.entries(HEADERS).every(([name, value]) =>
    seen.headers[name.toLowerCase()] === value
  );
}

/** The global WebSocket, constructible with the runtime's own options object (Deno, Bun, Node). */
const GlobalWebSocket = WebSocket as unknown as new (url: string, init: unknown) => WebSocket;

/**
 * A class called as the `ws` package's is, `(url, protocols, { headers })`, that connects
 * through the runtime's global WebSocket and records each call.
 */
class WsStyleWebSocket extends GlobalWebSocket {
  static calls: [string, string | string[], WebSocketOptions | undefined][] = [];
  constructor(url: string, protocols: string | string[], options?: WebSocketOptions) {
    WsStyleWebSocket.calls.push([url, protocols, options]);
    const headers = options?.headers === undefined ? {} : { headers: options.headers };
    super(url, { protocols: [protocols].flat(), ...headers });
  }
}

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 13 + seed) & 0xff;
  return bytes;
}

describe("openWebSocket", () => {
  const h = useWebSocketServer(openWebSocket);
  transportSuite("openWebSocket", () => h);

  it("openWebSocket offers the subprotocol mqtt and asks for the target's path", async () => {
    const accepted = h.accept();
    const seen = h.nextRequest();
    const target = { ...h.target(), path: "/brokers/one?token=a%20b" };
    const transport = await openWebSocket(target, new Recorder());
    await accepted;
    const { path, protocols } = await seen;
    assert.deepEqual({ path, protocols }, { path: "/brokers/one?token=a%20b", protocols: "mqtt" });
    transport.close();
  });

  it("openWebSocket limits a first write to 1 KiB on Deno's global WebSocket only (frames over it stall behind Nagle)", async () => {
    const accepted = h.accept();
    const transport = await openWebSocket(h.target(), new Recorder());
    await accepted;
    assert.equal(transport.maxWrite, isDeno ? DENO_FRAME_LIMIT : undefined);
    assert.equal(DENO_FRAME_LIMIT, 1024);
    transport.close();
    const viaClass = h.accept();
    const given = await openWebSocket(h.target(), new Recorder(), { webSocket: WsStyleWebSocket });
    await viaClass;
    assert.equal(given.maxWrite, undefined, "a WebSocket class given as an option has no limit");
    given.close();
  });

  it("openWebSocket sends the target's headers in the handshake", async () => {
    const accepted = h.accept();
    const seen = h.nextRequest();
    const transport = await openWebSocket({ ...h.target(), headers: HEADERS }, new Recorder());
    const server = await accepted;
    const request = await seen;
    assert.ok(hasHeaders(request), `headers seen: ${JSON.stringify(request.headers)}`);
    assert.equal(request.protocols, "mqtt");
    await transport.write(pattern(3, 1));
    assert.deepEqual(await server.read(3), pattern(3, 1));
    transport.close();
  });

  it("openWebSocket opens with options.webSocket instead of the global, headers in its third argument", async () => {
    WsStyleWebSocket.calls = [];
    const recorder = new Recorder();
    const accepted = h.accept();
    const seen = h.nextRequest();
    const target = { ...h.target(), headers: HEADERS };
    const transport = await openWebSocket(target, recorder, { webSocket: WsStyleWebSocket });
    const server = await accepted;
    assert.deepEqual(WsStyleWebSocket.calls, [
      [`ws://127.0.0.1:${target.port}/mqtt`, "mqtt", { headers: HEADERS }],
    ]);
    assert.ok(hasHeaders(await seen));
    await transport.write(pattern(70_000, 4));
    assert.deepEqual(await server.read(70_000), pattern(70_000, 4));
    server.write(pattern(9, 9));
    await recorder.until(() => recorder.received === 9);
    transport.close();
  });

  it("MqttClient sends options.wsHeaders in the WebSocket handshake", async () => {
    const accepted = h.accept();
    const seen = h.nextRequest();
    const url = `ws://127.0.0.1:${h.target().port}`;
    const client = new MqttClient({ url, reconnect: false, wsHeaders: HEADERS });
    const connecting = client.connect();
    const server = await accepted;
    assert.ok(hasHeaders(await seen));
    await server.read(2); // the CONNECT is on its way
    server.write(new Uint8Array([0x20, 0x02, 0x00, 0x00]));
    await connecting;
    await client.disconnect();
  });

  it("MqttClient connects over ws:// with options.webSocket", async () => {
    WsStyleWebSocket.calls = [];
    const accepted = h.accept();
    const url = `ws://127.0.0.1:${h.target().port}/p`;
    const client = new MqttClient({ url, reconnect: false, webSocket: WsStyleWebSocket });
    const connecting = client.connect();
    const server = await accepted;
    await server.read(2);
    server.write(new Uint8Array([0x20, 0x02, 0x00, 0x00]));
    await connecting;
    assert.deepEqual(WsStyleWebSocket.calls, [[url, "mqtt", undefined]]);
    await client.disconnect();
  });

  it("openWebSocket asks for /mqtt when the target has no path", async () => {
    const accepted = h.accept();
    const seen = h.nextRequest();
    const { path: _, ...target } = h.target();
    const transport = await openWebSocket(target, new Recorder());
    await accepted;
    assert.equal((await seen).path, "/mqtt");
    transport.close();
  });

  it("openWebSocket sends each write as one binary frame and delivers frames as plain Uint8Arrays", async () => {
    const recorder = new Recorder();
    const accepted = h.accept();
    const transport = await openWebSocket(h.target(), recorder);
    const server = await accepted;
    for (const [i, size] of [1, 300, 70_000].entries()) await transport.write(pattern(size, i));
    const got = await server.read(70_301);
    assert.deepEqual(server.frames, ["binary", "binary", "binary"]);
    assert.deepEqual(
      got,
      new Uint8Array([...pattern(1, 0), ...pattern(300, 1), ...pattern(70_000, 2)]),
    );
    server.write(pattern(5, 5));
    await recorder.until(() => recorder.received === 5);
    assert.ok(recorder.chunks.every((chunk) => chunk.constructor === Uint8Array));
    transport.close();
  });

  it("openWebSocket write takes a copy: the caller may reuse its buffer once it resolved", async () => {
    const accepted = h.accept();
    const transport = await openWebSocket(h.target(), new Recorder());
    const server = await accepted;
    const buffer = pattern(64 * 1024, 3);
    await transport.write(buffer);
    buffer.fill(0);
    assert.deepEqual(await server.read(64 * 1024), pattern(64 * 1024, 3));
    transport.close();
  });

  it("openWebSocket closes with an error when the server sends a text frame [MQTT-6.0.0-1]", async () => {
    const recorder = new Recorder();
    const accepted = h.accept();
    const transport = await openWebSocket(h.target(), recorder);
    const server = await accepted;
    server.sendText("hello");
    await recorder.until(() => recorder.closes.length > 0);
    assert.match(recorder.closes[0]?.message ?? "", /text frame.*\[MQTT-6\.0\.0-1\]/);
    await server.ended;
    await assert.rejects(transport.write(pattern(1, 1)), /closed/);
  });

  it("openWebSocket rejects a refused handshake with a WebSocketError carrying the status", async () => {
    const target = { ...h.target(), path: "/refuse" };
    await assert.rejects(openWebSocket(target, new Recorder()), (error: Error) => {
      assert.ok(error instanceof WebSocketError, String(error));
      assert.match(
        error.message,
        /Cannot connect to ws:\/\/127\.0\.0\.1:\d+\/refuse: the WebSocket handshake failed .*404/,
      );
      // Deno and Bun say the status; Node's global WebSocket does not.
      const node = !("Deno" in globalThis) && !("Bun" in globalThis);
      assert.equal(error.status, node ? undefined : 404);
      return true;
    });
  });

  it("openWebSocket shows no query in its errors (it may carry a token)", async () => {
    const target = { ...h.target(), path: "/refuse?token=s3cr3t" };
    await assert.rejects(openWebSocket(target, new Recorder()), (error: Error) => {
      assert.match(error.message, /^Cannot connect to ws:\/\/127\.0\.0\.1:\d+\/refuse\?…: /);
      assert.doesNotMatch(error.message, /s3cr3t/);
      return true;
    });
  });

  it("openWebSocket rejects with the abort reason when aborted while the server has not answered", async () => {
    const recorder = new Recorder();
    const controller = new AbortController();
    const reason = new Error("give up");
    const seen = h.nextRequest();
    const opening = openWebSocket({ ...h.target(), path: "/hold" }, recorder, {
      signal: controller.signal,
    });
    assert.equal((await seen).path, "/hold");
    controller.abort(reason);
    await assert.rejects(opening, (error) => error === reason);
    h.release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(recorder.closes, []);
  });

  it("MqttClient over ws:// reads packets split across frames and several packets in one frame", async () => {
    const accepted = h.accept();
    const client = new MqttClient({ url: `ws://127.0.0.1:${h.target().port}`, reconnect: false });
    const received: number[] = [];
    let wake = () => {};
    client.onMessage = ({ message }) => (received.push(message.payload.length), wake());
    const connecting = client.connect();
    const server = await accepted;
    await server.read(2); // the CONNECT is on its way
    server.write(new Uint8Array([0x20])); // CONNACK, in two frames
    server.write(new Uint8Array([0x02, 0x00, 0x00]));
    await connecting;
    const small = [0x30, 0x05, 0x00, 0x01, 0x74, 0x61, 0x62]; // QoS 0 PUBLISH "t" "ab"
    server.write(new Uint8Array([...small, ...small])); // two packets in one frame
    // A 100,000-byte payload: remaining length 100,003 = varint a3 8d 06, in three frames.
    const big = new Uint8Array([0x30, 0xa3, 0x8d, 0x06, 0x00, 0x01, 0x74, ...pattern(100_000, 1)]);
    for (const [from, to] of [[0, 2], [2, 50_000], [50_000, big.length]]) {
      server.write(big.subarray(from, to));
    }
    while (received.length < 3) await new Promise<void>((resolve) => (wake = resolve));
    assert.deepEqual(received, [2, 2, 100_000]);
    await client.disconnect();
  });

  it("openWebSocket rejects a target that is not ws or wss with a TypeError", async () => {
    const target: TransportTarget = { kind: "tcp", host: "127.0.0.1", port: 1 };
    await assert.rejects(openWebSocket(target, new Recorder()), TypeError);
  });

  it("the default opener opens ws targets with the WebSocket adapter", async () => {
    const accepted = h.accept();
    const transport = await openDefault(h.target(), new Recorder());
    await transport.write(pattern(3, 3));
    assert.deepEqual(await (await accepted).read(3), pattern(3, 3));
    transport.close();
  });
});

describe("openWebSocket over TLS", () => {
  const ca = readCert("ca.pem");
  const h = useWebSocketServer(openWebSocket, {
    cert: readCert("server.pem"),
    key: readCert("server.key"),
    tls: { ca },
  });
  transportSuite("openWebSocket over TLS", () => h);

  it("openWebSocket rejects a wss server whose certificate the given CA did not sign", async () => {
    const target = { ...h.target(), tls: { ca: readCert("untrusted.pem") } };
    await assert.rejects(openWebSocket(target, new Recorder()), /handshake failed/);
  });

  it("openWebSocket without a CA does not trust the test CA (the runtime's roots are used)", async () => {
    const { tls: _, ...target } = h.target();
    await assert.rejects(openWebSocket(target, new Recorder()), /handshake failed/);
  });

  it("openWebSocket rejects a servername other than the host instead of ignoring it", async () => {
    const target = { ...h.target(), tls: { ca, servername: "localhost" } };
    await assert.rejects(openWebSocket(target, new Recorder()), /servername "localhost"/);
  });

  it("openWebSocket sends headers together with the CA (Deno's client, Bun's tls option)", async () => {
    const accepted = h.accept();
    const seen = h.nextRequest();
    const transport = await openWebSocket({ ...h.target(), headers: HEADERS }, new Recorder());
    await accepted;
    assert.ok(hasHeaders(await seen));
    transport.close();
  });

  /**
   * Opens `target` as if on a runtime that is neither Deno, Bun nor Node (its WebSocket takes
   * only protocols, as a browser's): Deno's `Deno` and `process` globals can be hidden while the
   * adapter creates its socket, Bun's cannot. The browser test (tests/browser/) checks a real one.
   */
  function openElsewhere(target: TransportTarget): Promise<unknown> {
    const names = ["Deno", "process"] as const;
    const saved = names.map((name) => Object.getOwnPropertyDescriptor(globalThis, name)!);
    for (const name of names) {
      Object.defineProperty(globalThis, name, { value: undefined, configurable: true });
    }
    try {
      return openWebSocket(target, new Recorder());
    } finally {
      names.forEach((name, i) => Object.defineProperty(globalThis, name, saved[i]!));
    }
  }
  const hideable = isDeno
    ? false
    : "needs runtime globals that can be hidden: Deno's can, Bun's cannot";

  it("openWebSocket rejects ca, cert and key where the WebSocket takes no certificates", {
    skip: hideable,
  }, async () => {
    await assert.rejects(
      openElsewhere({ ...h.target(), tls: { ca, cert: "C", key: "K" } }),
      /with ca, cert, key: this runtime's WebSocket takes no certificates/,
    );
  });

  it("openWebSocket rejects headers where the WebSocket cannot send them, never showing them", {
    skip: hideable,
  }, async () => {
    await assert.rejects(openElsewhere({ ...h.target(), headers: HEADERS }), (error: Error) => {
      assert.match(
        error.message,
        /^Cannot connect to wss:\/\/127\.0\.0\.1:\d+\/mqtt with options\.wsHeaders: the WebSocket of this runtime \(a browser\) cannot send handshake headers/,
      );
      assert.doesNotMatch(error.message, /t0k3n|yes/);
      return true;
    });
  });
});

describe("openGlobalWebSocket (the browser and Workers default)", () => {
  const h = useWebSocketServer(openGlobalWebSocket("a browser"));

  it("connects through the global WebSocket with the subprotocol only", async () => {
    const accepted = h.accept();
    const transport = await openGlobalWebSocket("a browser")(h.target(), new Recorder());
    await accepted;
    transport.close();
  });

  it("is the browser default transport's WebSocket adapter", async () => {
    const accepted = h.accept();
    const transport = await openBrowserDefault(h.target(), new Recorder());
    await accepted;
    transport.close();
    await assert.rejects(
      openBrowserDefault({ kind: "tcp", host: "127.0.0.1", port: 1883 }, new Recorder()),
      /TCP is not available in this runtime \(browser\); use ws:\/\/ or wss:\/\//,
    );
  });

  it("refuses headers as a browser's WebSocket cannot send them, never showing them", async () => {
    const open = openGlobalWebSocket("Cloudflare Workers");
    await assert.rejects(
      open({ ...h.target(), headers: HEADERS }, new Recorder()),
      (error: Error) => {
        assert.match(
          error.message,
          /^Cannot connect to wss?:\/\/127\.0\.0\.1:\d+\/mqtt with options\.wsHeaders: the WebSocket of this runtime \(Cloudflare Workers\) cannot send handshake headers/,
        );
        assert.doesNotMatch(error.message, /t0k3n|yes/);
        return true;
      },
    );
  });

  it("refuses ca, cert and key, and a servername other than the host", async () => {
    const open = openGlobalWebSocket("a browser");
    const target: TransportTarget = { kind: "wss", host: "127.0.0.1", port: 1, path: "/mqtt" };
    await assert.rejects(
      open({ ...target, tls: { ca: "A", cert: "C", key: "K" } }, new Recorder()),
      /with ca, cert, key: this runtime's WebSocket takes no certificates/,
    );
    await assert.rejects(
      open({ ...target, tls: { servername: "other.example" } }, new Recorder()),
      /with servername "other\.example": over WebSocket the name verified is the URL's host/,
    );
  });

  it("calls a class given as options.webSocket as ws reads it, headers included", () =>
    withFake(async () => {
      const Given = class extends FakeWebSocket {};
      const open = openGlobalWebSocket("a browser");
      const target: TransportTarget = { kind: "ws", host: "h", port: 1, path: "/mqtt" };
      const transport = await open({ ...target, headers: HEADERS }, new Recorder(), {
        webSocket: Given as unknown as WebSocketConstructor,
      });
      assert.deepEqual(FakeWebSocket.last?.init, "mqtt");
      assert.deepEqual(FakeWebSocket.last?.options, [{ headers: HEADERS }]);
      transport.close();
    }));
});

/** A stand-in for the global WebSocket whose `bufferedAmount` the test sets. */
class FakeWebSocket {
  static last: FakeWebSocket | undefined;
  readonly url: string;
  readonly init: unknown;
  readonly options: unknown;
  readonly sent: Uint8Array[] = [];
  binaryType = "blob";
  buffered = 0;
  /** How often `bufferedAmount` was read, and a callback for each read. */
  reads = 0;
  onRead: (() => void) | undefined;
  onopen: (() => void) | undefined;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | undefined;

  constructor(url: string, init: unknown, ...options: unknown[]) {
    this.url = url;
    this.init = init;
    this.options = options;
    FakeWebSocket.last = this;
    setTimeout(() => this.onopen?.(), 0);
  }
  get bufferedAmount(): number {
    this.reads++;
    this.onRead?.();
    return this.buffered;
  }
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.buffered += bytes.length;
  }
  close(): void {
    setTimeout(() => this.onclose?.({ code: 1005, reason: "", wasClean: true }), 0);
  }
}

/** Runs `test` with FakeWebSocket as the global WebSocket. */
async function withFake(test: () => Promise<void>): Promise<void> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "WebSocket")!;
  Object.defineProperty(globalThis, "WebSocket", { value: FakeWebSocket, configurable: true });
  try {
    await test();
  } finally {
    Object.defineProperty(globalThis, "WebSocket", descriptor);
  }
}

describe("openWebSocket backpressure", () => {
  /** Resolves once `bufferedAmount` was read `n` more times. */
  function reads(socket: FakeWebSocket, n: number): Promise<void> {
    const until = socket.reads + n;
    return new Promise((resolve) => (socket.onRead = () => socket.reads >= until && resolve()));
  }

  it("openWebSocket write waits while bufferedAmount is at or above 1 MiB, and resolves when it drains", () =>
    withFake(async () => {
      const transport = await openWebSocket({ kind: "ws", host: "::1", port: 9 }, new Recorder());
      const socket = FakeWebSocket.last!;
      assert.equal(socket.url, "ws://[::1]:9/mqtt");
      assert.equal(socket.init, "mqtt");
      assert.equal(socket.binaryType, "arraybuffer");
      await transport.write(new Uint8Array(1024 * 1024 - 1)); // below: resolves at once
      let settled = false;
      const writing = transport.write(new Uint8Array(1)).then(() => (settled = true));
      await reads(socket, 3); // it keeps looking while the buffer is full
      assert.equal(settled, false);
      socket.buffered = 1024 * 1024 - 1;
      await writing;
      assert.equal(settled, true);
      transport.close();
    }));

  it("openWebSocket settles a write below the mark after the event loop's turn, not in a microtask", () =>
    withFake(async () => {
      const transport = await openWebSocket({ kind: "ws", host: "h", port: 9 }, new Recorder());
      let settled = false;
      const writing = transport.write(new Uint8Array(10)).then(() => (settled = true));
      for (let i = 0; i < 100; i++) await null; // the microtasks of this turn
      assert.equal(settled, false, "settled within the turn it was made in");
      await writing;
      assert.equal(FakeWebSocket.last!.sent.length, 1);
      transport.close();
    }));

  it("openWebSocket settles a frame of 16 KiB or more below the mark within the turn", () =>
    withFake(async () => {
      const transport = await openWebSocket({ kind: "ws", host: "h", port: 9 }, new Recorder());
      let settled = false;
      const writing = transport.write(new Uint8Array(16 * 1024)).then(() => (settled = true));
      for (let i = 0; i < 100; i++) await null;
      assert.equal(settled, true, "a batch waited for the turn");
      await writing;
      transport.close();
    }));

  it("the global-WebSocket adapter settles a small write after the turn, in browsers and Workers", () =>
    withFake(async () => {
      const target: TransportTarget = { kind: "ws", host: "h", port: 9, path: "/mqtt" };
      for (
        const [label, browser] of [["a browser", true], ["Cloudflare Workers", false]] as const
      ) {
        const transport = await openGlobalWebSocket(label, browser)(target, new Recorder());
        let settled = false;
        const writing = transport.write(new Uint8Array(10)).then(() => (settled = true));
        for (let i = 0; i < 100; i++) await null; // the microtasks of this turn
        assert.equal(settled, false, label);
        await writing;
        let batch = false;
        const large = transport.write(new Uint8Array(16 * 1024)).then(() => (batch = true));
        for (let i = 0; i < 100; i++) await null;
        assert.equal(batch, true, `${label}: a batch waited for the turn`);
        await large;
        transport.close();
      }
    }));

  it("openWebSocket write waiting for the buffer to drain rejects when the transport closes", () =>
    withFake(async () => {
      const transport = await openWebSocket({ kind: "ws", host: "h", port: 9 }, new Recorder());
      const socket = FakeWebSocket.last!;
      socket.buffered = 5 * 1024 * 1024;
      const writing = transport.write(new Uint8Array(1));
      await reads(socket, 1);
      transport.close();
      await assert.rejects(writing, /Cannot write: the connection closed/);
    }));
});

describe("openWebSocket with options.webSocket", () => {
  const webSocket = FakeWebSocket as unknown as WebSocketConstructor;

  it('openWebSocket calls the class as new webSocket(url, "mqtt") when it has nothing else to pass', async () => {
    const global = globalThis.WebSocket;
    const transport = await openWebSocket(
      { kind: "ws", host: "h", port: 9, path: "/p" },
      new Recorder(),
      {
        webSocket,
      },
    );
    const socket = FakeWebSocket.last!;
    assert.equal(globalThis.WebSocket, global);
    assert.deepEqual([socket.url, socket.init, socket.options], ["ws://h:9/p", "mqtt", []]);
    assert.equal(socket.binaryType, "arraybuffer");
    transport.close();
  });

  it("openWebSocket passes headers, ca, cert, key and any servername in the third argument, as ws reads them", async () => {
    const tls = { ca: ["CA1", "CA2"], cert: "C", key: "K", servername: "broker.example" };
    const target: TransportTarget = {
      kind: "wss",
      host: "10.0.0.5",
      port: 9,
      tls,
      headers: HEADERS,
    };
    const transport = await openWebSocket(target, new Recorder(), { webSocket });
    const socket = FakeWebSocket.last!;
    assert.equal(socket.url, "wss://10.0.0.5:9/mqtt");
    assert.equal(socket.init, "mqtt");
    assert.deepEqual(socket.options, [{ headers: HEADERS, ...tls }]);
    assert.notEqual((socket.options as WebSocketOptions[])[0]!.headers, HEADERS); // a copy
    transport.close();
  });

  it("openWebSocket gives the class its own copy of each write (ws may keep it to compress)", async () => {
    const transport = await openWebSocket({ kind: "ws", host: "h", port: 9 }, new Recorder(), {
      webSocket,
    });
    const bytes = pattern(10, 1);
    await transport.write(bytes);
    const [sent] = FakeWebSocket.last!.sent;
    assert.deepEqual(sent, pattern(10, 1));
    assert.notEqual(sent!.buffer, bytes.buffer);
    transport.close();
  });

  it("openWebSocket calls the global WebSocket given as options.webSocket the runtime's way", () =>
    withFake(async () => {
      const target: TransportTarget = { kind: "ws", host: "h", port: 9, headers: HEADERS };
      const transport = await openWebSocket(target, new Recorder(), { webSocket });
      const socket = FakeWebSocket.last!;
      assert.deepEqual(socket.init, { protocols: ["mqtt"], headers: HEADERS }); // Deno's and Bun's
      assert.deepEqual(socket.options, []);
      transport.close();
    }));
});
