/**
 * `client.ready()`: resolves at once while a publish would be sent or queued, waits while the
 * queue is full or the write pipeline is over its high-water mark, resolves as acknowledgements
 * and writes make room, and rejects on disconnect, close and abort. A loop that awaits it holds
 * a bounded number of messages whatever the QoS; the waiting publishes are bounded too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";
import { MqttClient } from "../../src/client/client.ts";
import { manualClock } from "../../src/client/clock.ts";
import { HIGH_WATER, MAX_WRITE, NEXT_WRITE } from "../../src/client/_write_pipeline.ts";
import { ConnectionClosedError, QueueFullError } from "../../src/errors.ts";
import { encodedLength } from "../../src/codec/mod.ts";
import type { Transport, TransportOpener } from "../../src/transport/types.ts";

/** Tracks a promise's outcome without awaiting it. */
function watch<T>(
  promise: Promise<T>,
): { state: "pending" | "resolved" | "rejected"; error?: unknown } {
  const seen: { state: "pending" | "resolved" | "rejected"; error?: unknown } = {
    state: "pending",
  };
  promise.then(() => (seen.state = "resolved"), (error: unknown) => {
    seen.state = "rejected";
    seen.error = error;
  });
  return seen;
}

/**
 * A transport whose writes of PUBLISH packets complete only when the test says so (`complete()`);
 * CONNECT is answered with an MQTT 3.1.1 CONNACK at once, and other writes complete at once.
 */
function heldWrites() {
  const pending: { bytes: number; done: () => void }[] = [];
  let completed = 0;
  const opener: TransportOpener = (_target, handlers) => {
    const transport: Transport = {
      write(bytes) {
        if (bytes[0] === 0x10) {
          queueMicrotask(() => handlers.onData(new Uint8Array([0x20, 2, 0, 0])));
        }
        if (bytes[0]! >> 4 !== 3) return Promise.resolve();
        return new Promise<void>((done) => pending.push({ bytes: bytes.length, done }));
      },
      close() {},
    };
    return Promise.resolve(transport);
  };
  return {
    opener,
    /** Bytes of the completed writes of PUBLISH packets. */
    get completed() {
      return completed;
    },
    /** Writes handed to the transport and not completed. */
    get pending() {
      return pending.length;
    },
    /** Bytes of those writes. */
    get pendingBytes() {
      return pending.reduce((sum, write) => sum + write.bytes, 0);
    },
    /** Completes every pending write. */
    complete() {
      for (const write of pending.splice(0)) {
        completed += write.bytes;
        write.done();
      }
    },
  };
}

describe("MqttClient.ready", () => {
  it("MqttClient.ready resolves at once while the queue has room, also before connect()", async () => {
    const client = new MqttClient({ transport: heldWrites().opener, clock: manualClock() });
    const before = watch(client.ready());
    await null;
    await null;
    assert.equal(before.state, "resolved");
    await client.disconnect();
  });

  it("MqttClient.ready waits while the queue is full and resolves as PUBACKs make room", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1, maxQueued: 1 });
    const first = client.publish("a", "0", { qos: 1 });
    await conn.expect("publish");
    const ready1 = watch(client.ready());
    await settle();
    assert.equal(ready1.state, "resolved", "one message in flight, the queue is empty");
    const second = client.publish("a", "1", { qos: 1 }); // queued: the queue is now full
    const waiting = watch(client.ready());
    const alsoWaiting = watch(client.ready());
    await settle();
    assert.equal(waiting.state, "pending");
    conn.send({ type: "puback", packetId: 1, reasonCode: 0 });
    await first;
    await conn.expect("publish"); // the queued one went out: the queue is empty again
    await settle();
    assert.equal(waiting.state, "resolved");
    assert.equal(alsoWaiting.state, "resolved");
    conn.send({ type: "puback", packetId: 2, reasonCode: 0 });
    await second;
    await client.disconnect();
  });

  it("MqttClient.ready rejects with ConnectionClosedError on disconnect(), and at once after it", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1, maxQueued: 1 });
    const publishes = [0, 1].map((i) => client.publish("a", String(i), { qos: 1 }).catch(() => {}));
    await conn.expect("publish");
    const waiting = watch(client.ready());
    await settle();
    assert.equal(waiting.state, "pending");
    await client.disconnect();
    await settle();
    assert.equal(waiting.state, "rejected");
    assert.ok(waiting.error instanceof ConnectionClosedError);
    await assert.rejects(client.ready(), ConnectionClosedError);
    await Promise.all(publishes);
  });

  it("MqttClient.ready rejects when the connection is lost for good (no reconnect)", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1, maxQueued: 1 });
    const publishes = [0, 1].map((i) => client.publish("a", String(i), { qos: 1 }).catch(() => {}));
    await conn.expect("publish");
    const waiting = watch(client.ready());
    conn.drop(new Error("link cut"));
    await settle();
    assert.equal(waiting.state, "rejected");
    assert.ok(waiting.error instanceof ConnectionClosedError);
    await Promise.all(publishes);
    await client.disconnect();
  });

  it("MqttClient.ready keeps waiting through a reconnect and resolves once the queue drains", async () => {
    const { client, broker, conn, clock } = await connectedClient({
      maxInflight: 1,
      maxQueued: 1,
      reconnect: { minDelay: 100, maxDelay: 100 },
    });
    const publishes = [0, 1].map((i) => client.publish("a", String(i), { qos: 1 }));
    await conn.expect("publish");
    const waiting = watch(client.ready());
    conn.drop(new Error("link cut"));
    await settle();
    assert.equal(waiting.state, "pending", "reconnecting: both messages are still held");
    clock.advance(100);
    const again = await broker.nextConnection();
    await again.accept();
    const resent = await again.expect("publish"); // no session: published again as new
    assert.equal(waiting.state, "pending");
    again.send({ type: "puback", packetId: resent.packetId!, reasonCode: 0 });
    const second = await again.expect("publish");
    await settle();
    assert.equal(waiting.state, "resolved", "one in flight, the queue empty again");
    again.send({ type: "puback", packetId: second.packetId!, reasonCode: 0 });
    await Promise.all(publishes);
    await client.disconnect();
  });

  it("MqttClient.ready rejects with the abort reason, and the other waiters still wait", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1, maxQueued: 1 });
    const publishes = [0, 1].map((i) => client.publish("a", String(i), { qos: 1 }).catch(() => {}));
    await conn.expect("publish");
    const controller = new AbortController();
    const reason = new Error("gave up");
    const aborted = watch(client.ready({ signal: controller.signal }));
    const other = watch(client.ready());
    controller.abort(reason);
    await settle();
    assert.equal(aborted.state, "rejected");
    assert.equal(aborted.error, reason);
    assert.equal(other.state, "pending");
    await assert.rejects(client.ready({ signal: controller.signal }), (e) => e === reason);
    await assert.rejects(
      client.ready({ signal: "no" as unknown as AbortSignal }),
      /ready options\.signal must be an AbortSignal/,
    );
    conn.send({ type: "puback", packetId: 1, reasonCode: 0 });
    await settle();
    assert.equal(other.state, "resolved");
    await client.disconnect();
    await Promise.all(publishes);
  });

  it("MqttClient.ready waits while the write pipeline is over its high-water mark (QoS 0)", async () => {
    const link = heldWrites();
    const client = new MqttClient({ transport: link.opener, clock: manualClock(), clientId: "c" });
    await client.connect();
    const payload = new Uint8Array(1024);
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) sent.push(client.publish("t", payload)); // ~300 KiB
    const waiting = watch(client.ready());
    await settle();
    assert.equal(link.pending, 1, "one write under way");
    assert.equal(waiting.state, "pending", "300 KiB unwritten is over the high-water mark");
    const packet = {
      type: "publish",
      topic: "t",
      payload,
      qos: 0,
      retain: false,
      dup: false,
    } as const;
    const total = 300 * encodedLength(packet, 4); // 1,030 bytes each
    let writes = 0;
    while (waiting.state === "pending") {
      assert.equal(link.pending, 1, "it waits on a write");
      const behind = total - link.completed - link.pendingBytes;
      assert.ok(
        total - link.completed > HIGH_WATER || behind >= NEXT_WRITE,
        `waiting with ${behind} bytes behind the write under way`,
      );
      link.complete();
      writes++;
      await settle();
    }
    assert.ok(writes >= 2, "under 256 KiB unwritten, it still waited for NEXT_WRITE");
    assert.ok(total - link.completed - link.pendingBytes < NEXT_WRITE);
    while (link.pending > 0) {
      link.complete();
      await settle();
    }
    await Promise.all(sent);
    await client.disconnect();
  });

  it("MqttClient.ready lets a QoS 0 loop queue at most NEXT_WRITE bytes behind a write under way", async () => {
    const link = heldWrites();
    const client = new MqttClient({ transport: link.opener, clock: manualClock(), clientId: "c" });
    await client.connect();
    const payload = new Uint8Array(1000);
    const packet = {
      type: "publish",
      topic: "t",
      payload,
      qos: 0,
      retain: false,
      dup: false,
    } as const;
    const size = encodedLength(packet, 4); // 1,006 bytes
    let published = 0;
    const failures: unknown[] = [];
    const loop = (async () => {
      for (let i = 0; i < 2000; i++) {
        await client.ready();
        client.publish("t", payload).catch((error: unknown) => failures.push(error));
        published++;
      }
    })();
    let done = false;
    loop.then(() => (done = true));
    let most = 0;
    while (!done) {
      await settle(1);
      const unwritten = published * size - link.completed;
      most = Math.max(most, unwritten);
      link.complete();
    }
    await loop;
    while (link.pending > 0) {
      link.complete();
      await settle(1);
    }
    // The write under way, and at most NEXT_WRITE bytes (plus the packet that crossed it) behind.
    assert.ok(most <= MAX_WRITE + NEXT_WRITE + size, `at most ${most} bytes were unwritten`);
    assert.ok(most >= NEXT_WRITE, "the loop did wait on writes, not on anything else");
    assert.deepEqual(failures, []);
    await client.disconnect();
  });

  it("MqttClient.ready keeps a QoS 1 loop within maxInflight + maxQueued unacknowledged", async () => {
    const { client, conn } = await connectedClient({ maxInflight: 5, maxQueued: 5 });
    let published = 0;
    let acked = 0;
    const failures: unknown[] = [];
    const loop = (async () => {
      for (let i = 0; i < 200; i++) {
        await client.ready();
        client.publish("t", String(i), { qos: 1 }).then(
          () => acked++,
          (error: unknown) => failures.push(error),
        );
        published++;
      }
    })();
    let most = 0;
    for (let answered = 0; answered < 200; answered++) {
      const publish = await conn.expect("publish");
      most = Math.max(most, published - acked);
      conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    }
    await loop;
    await settle();
    assert.deepEqual(failures, []);
    assert.equal(acked, 200);
    assert.ok(most <= 11, `${most} unacknowledged at most`); // 5 + 5, and the one just made
    await client.disconnect();
  });
});

describe("MqttClient.ready highWaterMark", () => {
  it("MqttClient.ready waits from highWaterMark unacknowledged messages, whatever the window", async () => {
    const { client, conn } = await connectedClient({ highWaterMark: 20 });
    let published = 0;
    let acked = 0;
    const loop = (async () => {
      for (let i = 0; i < 100; i++) {
        await client.ready();
        client.publish("t", String(i), { qos: 1 }).then(() => acked++);
        published++;
      }
    })();
    await settle();
    assert.equal(published, 20, "the window (65535) has room, the high-water mark does not");
    let most = 0;
    for (let answered = 0; answered < 100; answered++) {
      const publish = await conn.expect("publish");
      most = Math.max(most, published - acked);
      conn.send({ type: "puback", packetId: publish.packetId!, reasonCode: 0 });
    }
    await loop;
    assert.ok(most <= 21, `${most} unacknowledged at most`);
    await client.disconnect();
  });
});

describe("MqttClient queueFull wait bound", () => {
  it('MqttClient with queueFull "wait" rejects a publish beyond maxQueued waiting ones', async () => {
    const { client, conn } = await connectedClient({ maxInflight: 1, maxQueued: 2 });
    const held = [0, 1, 2, 3, 4].map((i) => client.publish("a", String(i), { qos: 1 }));
    const over = client.publish("a", "5", { qos: 1 });
    await assert.rejects(over, (error) => {
      assert.ok(error instanceof QueueFullError);
      assert.equal(error.reasonCode, 0x97);
      assert.match(error.message, /maxQueued \(2 messages queued and 2 waiting/);
      return true;
    });
    for (let id = 1; id <= 5; id++) {
      const publish = await conn.expect("publish");
      assert.equal(publish.packetId, id);
      conn.send({ type: "puback", packetId: id, reasonCode: 0 });
    }
    await Promise.all(held);
    await client.disconnect();
  });
});
