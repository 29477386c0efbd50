/**
 * The fault-injection relay itself (tests/_helpers/relay.ts), against a plain TCP server: what
 * each mode does with bytes and closes, and what the capture reports.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { encodePacket } from "../../src/codec/mod.ts";
import { Relay } from "../_helpers/relay.ts";

/** A TCP server on 127.0.0.1 that records what it receives and hands out its sockets. */
class Upstream {
  readonly sockets: net.Socket[] = [];
  readonly received: number[] = [];
  readonly closed: net.Socket[] = [];
  #server = net.createServer((socket) => {
    this.sockets.push(socket);
    socket.on("data", (chunk: Uint8Array) => this.received.push(...chunk));
    socket.on("close", () => this.closed.push(socket));
    socket.on("error", () => {});
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    return (this.#server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A client socket through the relay, recording what it receives and whether it closed. */
async function dial(relay: Relay) {
  const socket = net.connect(relay.port, "127.0.0.1");
  const state = { socket, received: [] as number[], closed: false };
  socket.on("data", (chunk: Uint8Array) => state.received.push(...chunk));
  socket.on("close", () => (state.closed = true));
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return state;
}

/** Resolves once `condition()` holds, polling; rejects after `ms`. */
async function until(condition: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const ping = encodePacket({ type: "pingreq" }, 4);
const pong = encodePacket({ type: "pingresp" }, 4);

describe("Relay", () => {
  let upstream: Upstream;
  let port: number;

  before(async () => {
    upstream = new Upstream();
    port = await upstream.listen();
  });

  after(() => upstream.close());

  it("Relay passes bytes both ways and captures them as forwarded packets", async () => {
    const relay = await Relay.start({ port, capture: true });
    try {
      const client = await dial(relay);
      await until(() => upstream.sockets.length === 1, "the upstream connection");
      const from = upstream.received.length;
      client.socket.write(ping);
      await until(() => upstream.received.length === from + 2, "the PINGREQ upstream");
      upstream.sockets[0]!.write(pong);
      await until(() => client.received.length === 2, "the PINGRESP downstream");
      assert.deepEqual(client.received, [...pong]);
      assert.deepEqual(
        relay.packets.map((p) => [p.connection, p.direction, p.packet.type, p.forwarded]),
        [[1, "toBroker", "pingreq", true], [1, "toClient", "pingresp", true]],
      );
      assert.deepEqual(relay.bytes, { toBroker: 2, toClient: 2 });
    } finally {
      await relay.close();
      upstream.sockets.length = 0;
    }
  });

  it("Relay.blackHole drops bytes both ways, passes on no close, and stays dropped after pass()", async () => {
    const relay = await Relay.start({ port, capture: true });
    try {
      const client = await dial(relay);
      await until(() => upstream.sockets.length === 1, "the upstream connection");
      const server = upstream.sockets[0]!;
      const from = upstream.received.length;
      relay.blackHole();
      client.socket.write(ping);
      server.write(pong);
      await relay.until(() => relay.dropped === 4, "both packets to be dropped");
      server.destroy(); // the broker side goes away: the client must not hear of it
      await relay.until(() => relay.socketsClosed === 1, "the relay to see the upstream close");
      relay.pass();
      client.socket.write(ping);
      await relay.until(() => relay.dropped === 6, "the later packet to be dropped too");
      assert.equal(upstream.received.length, from);
      assert.deepEqual(client.received, []);
      assert.equal(client.closed, false);
      assert.deepEqual(relay.packets.map((p) => [p.packet.type, p.forwarded]), [
        ["pingreq", false],
        ["pingresp", false],
        ["pingreq", false],
      ]);
      // A new connection relays again.
      const next = await dial(relay);
      await until(() => upstream.sockets.length === 2, "the second upstream connection");
      next.socket.write(ping);
      await until(() => upstream.received.length === from + 2, "the PINGREQ upstream");
      client.socket.destroy();
      next.socket.destroy();
    } finally {
      await relay.close();
      upstream.sockets.length = 0;
    }
  });

  it("Relay.blackHole swallows new connections without reaching upstream", async () => {
    const relay = await Relay.start({ port });
    try {
      relay.blackHole();
      const client = await dial(relay);
      client.socket.write(ping);
      await relay.until(() => relay.dropped === 2, "the packet to be dropped");
      assert.equal(upstream.sockets.length, 0);
      assert.equal(relay.accepted, 1);
      client.socket.destroy();
    } finally {
      await relay.close();
    }
  });

  it("Relay.stall holds bytes both ways until pass(), losing none", async () => {
    const relay = await Relay.start({ port });
    try {
      const client = await dial(relay);
      await until(() => upstream.sockets.length === 1, "the upstream connection");
      const from = upstream.received.length;
      relay.stall();
      client.socket.write(ping);
      upstream.sockets[0]!.write(pong);
      // Held: nothing can prove a byte will never arrive, so give them ample time not to.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(relay.bytes, { toBroker: 0, toClient: 0 }, "the relay read nothing");
      assert.equal(upstream.received.length, from);
      assert.deepEqual(client.received, []);
      relay.pass();
      await until(() => upstream.received.length === from + 2, "the PINGREQ upstream");
      await until(() => client.received.length === 2, "the PINGRESP downstream");
      client.socket.destroy();
    } finally {
      await relay.close();
      upstream.sockets.length = 0;
    }
  });

  it("Relay.cut destroys both sides; refuse(true) closes new connections at once", async () => {
    const relay = await Relay.start({ port });
    try {
      const client = await dial(relay);
      await until(() => upstream.sockets.length === 1, "the upstream connection");
      const server = upstream.sockets[0]!;
      relay.cut();
      await until(() => client.closed, "the client side to close");
      await until(() => upstream.closed.includes(server), "the upstream side to close");
      assert.equal(relay.open, 0);
      relay.refuse(true);
      const refused = await dial(relay);
      await until(() => refused.closed, "the refused connection to close");
      assert.equal(upstream.sockets.length, 1, "a refused connection never reaches upstream");
    } finally {
      await relay.close();
      upstream.sockets.length = 0;
    }
  });

  it("Relay passes on a close after flushing what it read (pass mode)", async () => {
    const relay = await Relay.start({ port });
    try {
      const client = await dial(relay);
      await until(() => upstream.sockets.length === 1, "the upstream connection");
      const server = upstream.sockets[0]!;
      const burst = new Uint8Array(256 * 1024).fill(7);
      server.end(burst);
      await until(() => client.closed, "the client side to close");
      assert.equal(
        client.received.length,
        burst.length,
        "every byte read arrived before the close",
      );
    } finally {
      await relay.close();
      upstream.sockets.length = 0;
    }
  });
});
