/**
 * The floor a runtime imposes per connection, for bench/connections.ts `--bare`: a plain socket
 * of the runtime's own API (Deno.connect, Bun.connect, node:net) that sends a hand-encoded
 * CONNECT and SUBSCRIBE (MQTT 3.1.1), waits for CONNACK and SUBACK, then keeps one read pending.
 * No korero code runs. Deno's pending read uses a 512-byte buffer, Node's and Bun's none (they
 * read into the runtime's own buffer).
 * @module
 */

import process from "node:process";

/** A bare connection: `close()` ends it. */
export interface BareSocket {
  close(): void;
}

/** CONNECT (clean session, keepalive 60 s) then SUBSCRIBE `topic` at QoS 1, as one write. */
function connectAndSubscribe(clientId: string, topic: string): Uint8Array {
  const text = new TextEncoder();
  const str = (s: string) => {
    const bytes = text.encode(s);
    return [bytes.length >> 8, bytes.length & 255, ...bytes];
  };
  const connect = [0, 4, ...text.encode("MQTT"), 4, 2, 0, 60, ...str(clientId)];
  const subscribe = [0, 1, ...str(topic), 1];
  return new Uint8Array([0x10, connect.length, ...connect, 0x82, subscribe.length, ...subscribe]);
}

/** CONNACK (4 bytes) and SUBACK (5 bytes). */
const ANSWER_BYTES = 9;

/** Opens a bare connection to `host:port`; resolves once CONNACK and SUBACK arrived. */
export function openBare(host: string, port: number, id: number): Promise<BareSocket> {
  const hello = connectAndSubscribe(`bare-${id}`, `fleet/${id}/cmd`);
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return openDeno(host, port, hello);
  if (g.Bun !== undefined) return openBun(host, port, hello);
  return openNodeNet(host, port, hello);
}

type DenoConn = {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
};

async function openDeno(host: string, port: number, hello: Uint8Array): Promise<BareSocket> {
  const deno = (globalThis as unknown as {
    Deno: { connect(o: { hostname: string; port: number }): Promise<DenoConn> };
  }).Deno;
  const conn = await deno.connect({ hostname: host, port });
  await conn.write(hello);
  const buffer = new Uint8Array(512);
  let got = 0;
  while (got < ANSWER_BYTES) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the broker closed a bare connection");
    got += n;
  }
  // One read stays pending, as a client's read loop keeps one.
  conn.read(buffer).catch(() => {});
  return { close: () => conn.close() };
}

type BunSocket = { write(bytes: Uint8Array): number; end(): void };

function openBun(host: string, port: number, hello: Uint8Array): Promise<BareSocket> {
  const bun = (globalThis as unknown as {
    Bun: { connect(o: unknown): Promise<BunSocket> };
  }).Bun;
  return new Promise((resolve, reject) => {
    let got = 0;
    bun.connect({
      hostname: host,
      port,
      socket: {
        open: (socket: BunSocket) => void socket.write(hello),
        data: (socket: BunSocket, data: Uint8Array) => {
          got += data.byteLength;
          if (got >= ANSWER_BYTES) resolve({ close: () => socket.end() });
        },
        close: () => reject(new Error("the broker closed a bare connection")),
        error: (_: unknown, error: Error) => reject(error),
      },
    }).catch(reject);
  });
}

function openNodeNet(host: string, port: number, hello: Uint8Array): Promise<BareSocket> {
  const net = process.getBuiltinModule("node:net") as typeof import("node:net");
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let got = 0;
    socket.once("connect", () => socket.write(hello));
    socket.on("data", (data) => {
      got += data.byteLength;
      if (got >= ANSWER_BYTES) resolve({ close: () => socket.destroy() });
    });
    socket.once("error", reject);
  });
}
