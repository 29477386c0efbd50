/**
 * MQTT over WebSocket on Node through the `ws` package (`options.webSocket`), against Mosquitto's
 * `ws://` and `wss://` listeners (the test CA, a client certificate) and a `ws` server that
 * records the handshake's headers; and Node's own global WebSocket (Node 22+: headers, no
 * certificates; Node 20: none, so the error names `options.webSocket`).
 *
 * Runs on Node only (skipped on Deno and Bun), bundled by `.ci/test-node`. `ws` is loaded with
 * `require`, so it is found through `NODE_PATH` (or a node_modules above the bundle).
 *
 * @module
 */

import { after, before, describe, it as nodeIt } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import process from "node:process";
import {
  type ClientOptions,
  connect,
  type ProtocolVersion,
  type QoS,
  WebSocketError,
} from "../../mod.ts";
import type { WebSocketConstructor } from "../../src/transport/types.ts";
import { certPath, type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import { ClientPool, it, text, uniqueTopic, within } from "../integration/_support.ts";

const globals = globalThis as { Deno?: unknown; Bun?: unknown; WebSocket?: unknown };
const isNode = globals.Deno === undefined && globals.Bun === undefined;
const nodeMajor = Number(process.versions.node?.split(".")[0]);
const wsHeaders = { Authorization: "Bearer t0k3n", "X-Korero-Test": "yes" };

/** The members of the `ws` package used here (Deno type-checks this file and has no `ws`). */
interface WsPackage {
  WebSocket: WebSocketConstructor;
  WebSocketServer: new (options: { noServer: true; handleProtocols(): string }) => WsServer;
}
interface WsServer {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    done: (ws: WsPeer) => void,
  ): void;
  close(): void;
}
interface WsPeer {
  on(event: "message", listener: (data: Buffer) => void): void;
  send(data: Uint8Array): void;
  terminate(): void;
}

/** `ws`, found the way `require` finds it (NODE_PATH included). */
function loadWs(): WsPackage {
  try {
    return createRequire(import.meta.url)("ws") as WsPackage;
  } catch (error) {
    throw new Error(
      `These tests need the ws package: install it or put its node_modules on NODE_PATH (${error})`,
    );
  }
}

describe("MqttClient on Node through the ws package", { skip: !isNode && "Node only" }, () => {
  let ws: WsPackage;
  let broker: MosquittoBroker;
  /** A wss:// listener that requires a client certificate signed by ca.pem. */
  let mwssPort: number;
  const pool = new ClientPool();
  const ca = readCert("ca.pem");

  before(async () => {
    ws = loadWs();
    mwssPort = await freePort();
    broker = await startMosquitto({
      websockets: true,
      secureWebsockets: true,
      extraConfig: [
        `listener ${mwssPort} 127.0.0.1`,
        "protocol websockets",
        "socket_domain ipv4",
        `certfile ${certPath("server.pem")}`,
        `keyfile ${certPath("server.key")}`,
        `cafile ${certPath("ca.pem")}`,
        "require_certificate true",
      ],
    });
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
  });

  /** Subscribes at QoS 2, publishes at QoS 0, 1 and 2, and checks what came back. */
  async function roundTrip(url: string, options: ClientOptions): Promise<void> {
    const topic = uniqueTopic("node-ws");
    const { client, inbox } = await pool.open(url, { reconnect: false, ...options });
    await client.subscribe(topic, { qos: 2 });
    for (const qos of [0, 1, 2] as QoS[]) await client.publish(topic, `qos ${qos}`, { qos });
    const messages = await inbox.count(3, "the three messages");
    assert.deepEqual(messages.map((m) => [m.topic, text(m.payload), m.qos]), [
      [topic, "qos 0", 0],
      [topic, "qos 1", 1],
      [topic, "qos 2", 2],
    ]);
    await client.disconnect();
  }

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    it(`MqttClient with webSocket: ws round-trips QoS 0, 1 and 2 over ws:// (MQTT ${protocolVersion === 5 ? "5" : "3.1.1"})`, async () => {
      await roundTrip(broker.url("ws"), { webSocket: ws.WebSocket, protocolVersion });
    });
  }

  it("MqttClient with webSocket: ws round-trips over wss:// with the test CA and wsHeaders", async () => {
    await roundTrip(broker.url("wss"), { webSocket: ws.WebSocket, ca, wsHeaders });
  });

  it("MqttClient with webSocket: ws presents a client certificate to a wss:// listener that requires one", async () => {
    await roundTrip(`wss://localhost:${mwssPort}/mqtt`, {
      webSocket: ws.WebSocket,
      ca,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
      wsHeaders,
    });
  });

  it("MqttClient with webSocket: ws verifies the server: without the CA wss:// is refused", async () => {
    await assert.rejects(
      within(connect(broker.url("wss"), { webSocket: ws.WebSocket, reconnect: false }), "refusal"),
      /Cannot connect to wss:\/\/localhost:\d+\/mqtt: the WebSocket handshake failed \(.*certificate/,
    );
  });

  it("MqttClient with webSocket: ws sends wsHeaders in the handshake", async () => {
    const server = await HeaderServer.start(ws);
    try {
      const url = `ws://127.0.0.1:${server.port}/mqtt`;
      const client = pool.track(await connect(url, { webSocket: ws.WebSocket, wsHeaders }));
      assert.equal(server.requests[0]?.headers.authorization, "Bearer t0k3n");
      assert.equal(server.requests[0]?.headers["x-korero-test"], "yes");
      assert.equal(server.requests[0]?.headers["sec-websocket-protocol"], "mqtt");
      await client.disconnect();
    } finally {
      await server.close();
    }
  });

  it("MqttClient with webSocket: ws reports a refused upgrade as WebSocketError with its status", async () => {
    const refusing = createServer();
    refusing.on("upgrade", (_request: IncomingMessage, socket: Duplex) => {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = refusing.address() as { port: number };
      const error = await connect(`ws://127.0.0.1:${port}/mqtt`, {
        webSocket: ws.WebSocket,
        reconnect: false,
      }).then((client) => (pool.track(client), assert.fail("connected")), (e: unknown) => e);
      assert.ok(error instanceof WebSocketError, `got ${error}`);
      assert.equal(error.status, 401);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  nodeIt("MqttClient with Node's global WebSocket sends wsHeaders (Node 22+)", {
    skip: globals.WebSocket === undefined && "this Node has no global WebSocket",
    timeout: 30_000,
  }, async () => {
    const server = await HeaderServer.start(ws);
    try {
      const client = pool.track(await connect(`ws://127.0.0.1:${server.port}`, { wsHeaders }));
      assert.equal(server.requests[0]?.headers.authorization, "Bearer t0k3n");
      await client.disconnect();
    } finally {
      await server.close();
    }
    await roundTrip(broker.url("ws"), { wsHeaders });
  });

  nodeIt(
    "MqttClient with Node's global WebSocket refuses a CA, naming options.webSocket (Node 22+)",
    {
      skip: globals.WebSocket === undefined && "this Node has no global WebSocket",
      timeout: 30_000,
    },
    async () => {
      await assert.rejects(
        connect(broker.url("wss"), { ca, reconnect: false }),
        /with ca: the global WebSocket of Node \d+\.\d+\.\d+ takes no certificates \(pass options\.webSocket: the ws package's WebSocket takes them\)/,
      );
    },
  );

  nodeIt("MqttClient over ws:// without a global WebSocket names options.webSocket (Node 20)", {
    skip: globals.WebSocket !== undefined && `Node ${nodeMajor} has a global WebSocket`,
    timeout: 30_000,
  }, async () => {
    await assert.rejects(
      connect(broker.url("ws"), { reconnect: false }),
      /this runtime \(Node 20\.\d+\.\d+\) has no global WebSocket; pass options\.webSocket \(e\.g\. the ws package's WebSocket\)/,
    );
  });
});

/** A node:http server that records each upgrade request and plays a broker: CONNACK, then quiet. */
class HeaderServer {
  readonly requests: IncomingMessage[] = [];
  readonly #server: Server;
  readonly #wss: WsServer;
  readonly #peers = new Set<WsPeer>();

  private constructor(ws: WsPackage) {
    this.#wss = new ws.WebSocketServer({ noServer: true, handleProtocols: () => "mqtt" });
    this.#server = createServer((_, response) => response.writeHead(426).end());
    this.#server.on("upgrade", (request, socket, head) => {
      this.requests.push(request);
      this.#wss.handleUpgrade(request, socket, head, (peer) => {
        this.#peers.add(peer);
        // The CONNECT arrives first; any first message is answered with a CONNACK (accepted).
        let answered = false;
        peer.on("message", () => {
          if (!answered) peer.send(new Uint8Array([0x20, 0x02, 0x00, 0x00]));
          answered = true;
        });
      });
    });
  }

  static async start(ws: WsPackage): Promise<HeaderServer> {
    const server = new HeaderServer(ws);
    await new Promise<void>((resolve) => server.#server.listen(0, "127.0.0.1", resolve));
    return server;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const peer of this.#peers) peer.terminate();
    this.#wss.close();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
