import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore, MemoryStore, type StoreChange } from "../../mod.ts";
import { decodeRecords, encodeRecords, MAGIC } from "../../src/store/_records.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "korero-store-"));
  dirs.push(dir);
  return dir;
}

const bytes = (...values: number[]) => new Uint8Array(values);

/** One change of every kind, with every optional field. */
const EVERY_CHANGE: StoreChange[] = [
  {
    op: "publish",
    seq: 1,
    message: {
      topic: "a/b",
      payload: bytes(0, 1, 255),
      qos: 2,
      retain: true,
      properties: { userProperties: [["k", "v"]], messageExpiryInterval: 60 },
    },
  },
  { op: "sent", seq: 1, packetId: 65535 },
  { op: "released", seq: 1 },
  {
    op: "publish",
    seq: 4_000_000_000,
    message: { topic: "x", payload: bytes(), qos: 1, retain: false },
  },
  { op: "done", seq: 4_000_000_000 },
  { op: "received", packetId: 7, fingerprint: 0xdeadbeef },
  {
    op: "received",
    packetId: 8,
    fingerprint: 1,
    message: {
      topic: "in",
      payload: bytes(9),
      qos: 2,
      retain: false,
      dup: true,
      mid: 8,
      timestamp: 0,
      receipt: 0,
      properties: { contentType: "text/plain" },
    },
  },
  { op: "completed", packetId: 7, fingerprint: 0xdeadbeef },
  { op: "completed", packetId: 9 },
  {
    op: "subscribed",
    subscription: {
      topicFilter: "s/+",
      qos: 1,
      noLocal: true,
      retainAsPublished: false,
      retainHandling: 2,
    },
    properties: { subscriptionIdentifier: 3 },
  },
  { op: "unsubscribed", topicFilter: "gone/#" },
  { op: "reset" },
];

describe("Session store records", () => {
  it("every change survives encoding and decoding", () => {
    const encoded = encodeRecords(EVERY_CHANGE);
    const decoded = decodeRecords(encoded, 0);
    assert.equal(decoded.damage, undefined);
    assert.equal(decoded.end, encoded.length);
    assert.deepEqual(decoded.changes, EVERY_CHANGE);
  });

  it("a log cut at any byte keeps every whole record before the cut and names the damage", () => {
    const encoded = encodeRecords(EVERY_CHANGE);
    const ends: number[] = [];
    for (let i = 1, at = 0; i <= EVERY_CHANGE.length; i++) {
      at = decodeRecords(encodeRecords(EVERY_CHANGE.slice(0, i)), 0).end;
      ends.push(at);
    }
    for (let cut = 0; cut < encoded.length; cut++) {
      const decoded = decodeRecords(encoded.subarray(0, cut), 0);
      const whole = ends.filter((end) => end <= cut).length;
      assert.equal(decoded.changes.length, whole, `cut at ${cut}`);
      assert.deepEqual(decoded.changes, EVERY_CHANGE.slice(0, whole));
      if (cut !== 0 && !ends.includes(cut)) assert.match(decoded.damage ?? "", /cut/);
    }
  });

  it("a flipped bit fails the checksum and ends the log there", () => {
    const encoded = encodeRecords(EVERY_CHANGE);
    const second = decodeRecords(encodeRecords(EVERY_CHANGE.slice(0, 1)), 0).end;
    encoded[second + 9]! ^= 0x10;
    const decoded = decodeRecords(encoded, 0);
    assert.equal(decoded.changes.length, 1);
    assert.equal(decoded.end, second);
    assert.match(decoded.damage ?? "", /checksum/);
  });
});

describe("FileStore", () => {
  const message = { topic: "t", payload: bytes(1, 2), qos: 1 as const, retain: false };

  for (const sync of [false, true]) {
    it(`keeps what was saved across store objects (a new process), sync ${sync}`, async () => {
      const dir = tempDir();
      const first = new FileStore(dir, { sync });
      assert.deepEqual((await first.load("c1")).outgoing, []);
      first.save("c1", [{ op: "publish", seq: 1, message }, { op: "sent", seq: 1, packetId: 3 }]);
      first.save("c1", [{ op: "publish", seq: 2, message }]);
      // No close(): as if the process died.
      const loaded = await new FileStore(dir).load("c1");
      assert.deepEqual(loaded.outgoing.map((o) => [o.seq, o.packetId, o.released]), [
        [1, 3, false],
        [2, 0, false],
      ]);
      assert.deepEqual(loaded.outgoing[0]!.message, message);
      assert.equal(loaded.warnings, undefined);
    });
  }

  it("keeps client identifiers apart, whatever characters they hold", async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.load("a/b");
    await store.load("a_b");
    store.save("a/b", [{ op: "publish", seq: 1, message }]);
    assert.equal((await new FileStore(dir).load("a_b")).outgoing.length, 0);
    assert.equal((await new FileStore(dir).load("a/b")).outgoing.length, 1);
    assert.notEqual(store.pathOf("a/b"), store.pathOf("a_b"));
  });

  it("a torn last record is reported, cut off, and the records before it kept", async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.load("c");
    store.save("c", [{ op: "publish", seq: 1, message }]);
    store.save("c", [{ op: "publish", seq: 2, message }]);
    store.close("c");
    const path = store.pathOf("c");
    truncateSync(path, statSync(path).size - 3);
    const loaded = await new FileStore(dir).load("c");
    assert.deepEqual(loaded.outgoing.map((o) => o.seq), [1]);
    assert.equal(loaded.warnings?.length, 1);
    assert.match(loaded.warnings![0]!, /torn write/);
    // The damage is gone from the file: a later load is clean.
    const again = await new FileStore(dir).load("c");
    assert.equal(again.warnings, undefined);
    assert.deepEqual(again.outgoing.map((o) => o.seq), [1]);
  });

  it("refuses a file that is not a session store", async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    writeFileSync(store.pathOf("c"), "hello world, not a log");
    await assert.rejects(store.load("c"), /not a korero session store file/);
  });

  it("compacts: the log stays near the size of what it describes", async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    await store.load("c");
    for (let seq = 1; seq <= 20_000; seq++) {
      store.save("c", [
        { op: "publish", seq, message },
        { op: "sent", seq, packetId: (seq % 65535) + 1 },
      ]);
      if (seq > 1) store.save("c", [{ op: "done", seq: seq - 1 }]);
    }
    const size = statSync(store.pathOf("c")).size;
    assert.ok(size < 200_000, `log of ${size} bytes for one live message`);
    const loaded = await new FileStore(dir).load("c");
    assert.deepEqual(loaded.outgoing.map((o) => o.seq), [20_000]);
    assert.equal(readFileSync(store.pathOf("c")).subarray(0, 8).join(), MAGIC.join());
  });

  it("rejects a bad directory argument", () => {
    assert.throws(() => new FileStore(""), TypeError);
    assert.throws(() => new FileStore(3 as unknown as string), TypeError);
  });
});

describe("MemoryStore", () => {
  it("keeps sessions by client identifier until cleared", async () => {
    const store = new MemoryStore();
    const message = { topic: "t", payload: bytes(), qos: 1 as const, retain: false };
    store.save("a", [{ op: "publish", seq: 1, message }]);
    assert.equal((await store.load("a")).outgoing.length, 1);
    assert.equal((await store.load("b")).outgoing.length, 0);
    store.clear("a");
    assert.equal((await store.load("a")).outgoing.length, 0);
  });
});
