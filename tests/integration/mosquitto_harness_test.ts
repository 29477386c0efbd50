import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { canConnect } from "../_helpers/ports.ts";

/** MQTT 3.1.1 CONNECT: clean session, empty client id, keepalive 60. */
const CONNECT = bytes("10 0c 00 04 4d 51 54 54 04 02 00 3c 00 00");
const CONNACK_ACCEPTED = "20 02 00 00";
const ca = readCert("ca.pem");

describe("startMosquitto", () => {
  let broker: MosquittoBroker;

  before(async () => {
    broker = await startMosquitto({
      tls: true,
      clientCertTls: true,
      untrustedTls: true,
      websockets: true,
      secureWebsockets: true,
    });
  });

  after(async () => {
    await broker?.stop();
  });

  it("startMosquitto serves MQTT on the plain TCP port", async () => {
    assert.equal(await connectAndClose(tcp(broker.host, broker.port)), CONNACK_ACCEPTED);
  });

  it("startMosquitto serves MQTT over TLS with a certificate the test CA signed", async () => {
    assert.equal(await connectAndClose(tls(broker.tlsPort, { ca })), CONNACK_ACCEPTED);
  });

  it("startMosquitto serves MQTT over TLS to a client with a certificate", async () => {
    const client = { ca, cert: readCert("client.pem"), key: readCert("client.key") };
    assert.equal(await connectAndClose(tls(broker.mtlsPort, client)), CONNACK_ACCEPTED);
  });

  it("startMosquitto refuses a client without a certificate on the client-certificate port", async () => {
    // With TLS 1.3 the client's handshake can finish before the server's alert arrives.
    await assert.rejects(connectAndClose(tls(broker.mtlsPort, { ca })));
  });

  it("startMosquitto serves a certificate the test CA did not sign on the untrusted port", async () => {
    await assert.rejects(tls(broker.untrustedTlsPort, { ca }));
    const untrusted = { ca: readCert("untrusted.pem") };
    assert.equal(await connectAndClose(tls(broker.untrustedTlsPort, untrusted)), CONNACK_ACCEPTED);
  });

  it("startMosquitto serves MQTT over WebSocket", async () => {
    const raw = await tcp(broker.host, broker.wsPort);
    await webSocketUpgrade(raw, broker.wsPort);
    assert.equal(await raw.exchange(webSocketFrame(CONNECT), 6), "82 04 " + CONNACK_ACCEPTED);
    raw.close();
  });

  it("startMosquitto serves MQTT over WebSocket with TLS", async () => {
    const raw = await tls(broker.wssPort, { ca });
    await webSocketUpgrade(raw, broker.wssPort);
    assert.equal(await raw.exchange(webSocketFrame(CONNECT), 6), "82 04 " + CONNACK_ACCEPTED);
    raw.close();
  });

  it("startMosquitto gives every listener its own port and the URLs use them", () => {
    const ports = [
      broker.port,
      broker.tlsPort,
      broker.mtlsPort,
      broker.untrustedTlsPort,
      broker.wsPort,
      broker.wssPort,
    ];
    assert.equal(new Set(ports).size, ports.length);
    assert.equal(broker.url(), `mqtt://127.0.0.1:${broker.port}`);
    assert.equal(broker.url("mqtts"), `mqtts://localhost:${broker.tlsPort}`);
    assert.equal(broker.url("ws"), `ws://127.0.0.1:${broker.wsPort}`);
    assert.equal(broker.url("wss"), `wss://localhost:${broker.wssPort}`);
  });

  it("MosquittoBroker.log returns the broker's log", () => {
    assert.match(broker.log(), /mosquitto version 2\.\d+\.\d+ running/);
    assert.match(broker.log(), /New connection from 127\.0\.0\.1/);
  });

  it("MosquittoBroker.restart after kill serves again on the same port", async () => {
    const { port, tlsPort } = broker;
    await broker.kill();
    assert.equal(broker.running, false);
    assert.equal(await canConnect(broker.host, port), false);
    const again = await broker.restart();
    assert.equal(again, broker);
    assert.equal(again.running, true);
    assert.equal(again.port, port);
    assert.equal(again.tlsPort, tlsPort);
    assert.equal(await connectAndClose(tcp(again.host, port)), CONNACK_ACCEPTED);
    assert.equal(await connectAndClose(tls(tlsPort, { ca })), CONNACK_ACCEPTED);
  });
});

describe("startMosquitto with persistence", () => {
  /** CONNECT with clean session 0 and client id "p1"; SUBSCRIBE t at QoS 1; DISCONNECT. */
  const connectP1 = bytes("10 0e 00 04 4d 51 54 54 04 00 00 3c 00 02 70 31");
  const subscribe = bytes("82 06 00 01 00 01 74 01");
  const disconnect = bytes("e0 00");

  it("MosquittoBroker.stop writes the session that restart brings back", async () => {
    const broker = await startMosquitto({ persistence: true });
    try {
      const first = await tcp(broker.host, broker.port);
      assert.equal(await first.exchange(connectP1, 4), CONNACK_ACCEPTED);
      assert.equal(await first.exchange(subscribe, 5), "90 03 00 01 01");
      first.socket.end(disconnect);
      await broker.stop();
      await broker.restart();
      // CONNACK with session present = 1
      assert.equal(
        await connectAndClose(tcp(broker.host, broker.port), connectP1),
        "20 02 01 00",
        broker.log(),
      );
    } finally {
      await broker.stop();
    }
  });
});

describe("startMosquitto with persistence after a kill", () => {
  const connectP2 = bytes("10 0e 00 04 4d 51 54 54 04 00 00 3c 00 02 70 32");
  const subscribe = bytes("82 06 00 01 00 01 74 01");
  /** PUBLISH t, QoS 1, packet id 7, payload "x". */
  const publish = bytes("32 06 00 01 74 00 07 78");

  it("MosquittoBroker.save writes the queued message that survives kill and restart", async () => {
    const broker = await startMosquitto({ persistence: true });
    try {
      const subscriber = await tcp(broker.host, broker.port);
      assert.equal(await subscriber.exchange(connectP2, 4), CONNACK_ACCEPTED);
      assert.equal(await subscriber.exchange(subscribe, 5), "90 03 00 01 01");
      subscriber.socket.end(bytes("e0 00"));
      await broker.waitForLog(/Client p2 disconnected/);
      const publisher = await tcp(broker.host, broker.port);
      assert.equal(await publisher.exchange(CONNECT, 4), CONNACK_ACCEPTED);
      assert.equal(await publisher.exchange(publish, 4), "40 02 00 07");
      publisher.close();
      await broker.save();
      await broker.kill();
      await broker.restart();
      const again = await tcp(broker.host, broker.port);
      // session present, then the queued message (QoS 1, packet id 1, "x")
      assert.equal(await again.exchange(connectP2, 12), "20 02 01 00 32 06 00 01 74 00 01 78");
      again.close();
    } finally {
      await broker.stop();
    }
  });
});

describe("startMosquitto failures", () => {
  it("startMosquitto rejects with the broker's log when mosquitto cannot start", async () => {
    await assert.rejects(startMosquitto({ extraConfig: ["no_such_option 1"] }), (error: Error) => {
      assert.match(error.message, /mosquitto did not start/);
      assert.match(error.message, /no_such_option/);
      return true;
    });
  });

  it("MosquittoBroker port getters throw for a listener that was not asked for", async () => {
    const broker = await startMosquitto();
    try {
      assert.throws(() => broker.tlsPort, /start it with \{ tls: true \}/);
      assert.throws(() => broker.wsPort, /websockets: true/);
    } finally {
      await broker.stop();
    }
    assert.equal(broker.running, false);
    assert.equal(await canConnect(broker.host, broker.port), false);
  });
});

// --- raw socket helpers ---------------------------------------------------------------------

function bytes(hex: string): Uint8Array {
  return new Uint8Array(hex.split(" ").map((pair) => Number.parseInt(pair, 16)));
}

function hex(data: Uint8Array): string {
  return [...data].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * A socket whose events are recorded from the start, so nothing is missed between awaits, and
 * whose waits fail after 5 s (with a timer that keeps the event loop alive).
 */
class Raw {
  readonly socket: Socket;
  #buffer = new Uint8Array(0);
  #ready = false;
  #failure: Error | undefined;
  #wake: () => void = () => {};

  /** Wraps `socket`, which is ready once `event` ("connect" or "secureConnect") fires. */
  constructor(socket: Socket, event: "connect" | "secureConnect") {
    this.socket = socket;
    socket.once(event, () => this.#update(() => (this.#ready = true)));
    socket.on("data", (chunk: Uint8Array) =>
      this.#update(() => {
        const joined = new Uint8Array(this.#buffer.length + chunk.length);
        joined.set(this.#buffer);
        joined.set(chunk, this.#buffer.length);
        this.#buffer = joined;
      }));
    socket.on("error", (error) => this.#update(() => (this.#failure ??= error)));
    socket.on("close", () => this.#update(() => (this.#failure ??= new Error("socket closed"))));
  }

  /** Resolves once connected (and the TLS handshake is done). */
  ready(): Promise<void> {
    return this.#until(() => this.#ready, "connect");
  }

  /** Writes `data` and resolves with the next `length` bytes received, as hex. */
  async exchange(data: Uint8Array, length: number): Promise<string> {
    this.socket.write(data);
    await this.#until(() => this.#buffer.length >= length, `${length} bytes`);
    const answer = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return hex(answer);
  }

  /** Resolves with the received text up to and including `terminator`. */
  async readText(terminator: string): Promise<string> {
    const text = () => new TextDecoder().decode(this.#buffer);
    await this.#until(() => text().includes(terminator), JSON.stringify(terminator));
    const all = text();
    const head = all.slice(0, all.indexOf(terminator) + terminator.length);
    this.#buffer = this.#buffer.subarray(new TextEncoder().encode(head).length);
    return head;
  }

  close(): void {
    this.socket.destroy();
  }

  #update(change: () => void): void {
    change();
    this.#wake();
  }

  #until(done: () => boolean, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => check(new Error(`no ${what} within 5 s`)), 5_000);
      const check = (timeout?: Error) => {
        if (done()) resolve();
        else if (this.#failure ?? timeout) {
          reject(new Error(`waiting for ${what}: ${(this.#failure ?? timeout)!.message}`));
        } else return;
        clearTimeout(timer);
        this.#wake = () => {};
      };
      this.#wake = check;
      check();
    });
  }
}

/** A connected plain TCP socket. */
async function tcp(host: string, port: number): Promise<Raw> {
  const raw = new Raw(tcpConnect({ host, port }), "connect");
  await raw.ready();
  return raw;
}

/** A connected TLS socket that checks the server certificate for "localhost" against `ca`. */
async function tls(port: number, options: { ca: string; cert?: string; key?: string }) {
  const socket = tlsConnect({ host: "127.0.0.1", port, servername: "localhost", ...options });
  const raw = new Raw(socket, "secureConnect");
  await raw.ready();
  return raw;
}

/** Connects, sends CONNECT, returns the answer, closes. */
async function connectAndClose(raw: Raw | Promise<Raw>, connect = CONNECT): Promise<string> {
  const socket = await raw;
  try {
    return await socket.exchange(connect, 4);
  } finally {
    socket.close();
  }
}

/** Sends the HTTP upgrade for the "mqtt" subprotocol and checks for a 101 response. */
async function webSocketUpgrade(raw: Raw, port: number): Promise<void> {
  raw.socket.write(
    `GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
  );
  assert.match(await raw.readText("\r\n\r\n"), /^HTTP\/1\.1 101 /);
}

/** One masked binary WebSocket frame (payload under 126 bytes). */
function webSocketFrame(payload: Uint8Array): Uint8Array {
  const mask = [0x12, 0x34, 0x56, 0x78];
  const frame = new Uint8Array(6 + payload.length);
  frame.set([0x82, 0x80 | payload.length, ...mask]);
  payload.forEach((b, i) => (frame[6 + i] = b ^ mask[i % 4]!));
  return frame;
}
