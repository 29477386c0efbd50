/**
 * Payloads: every `Payload` type becomes the bytes sent, in `publish()` and in a will; anything
 * else is a TypeError naming the field.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Payload, toBytes } from "../../src/client/payload.ts";
import { toBytes as validateToBytes } from "../../src/client/_validate.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import { resolveOptions } from "../../src/client/resolve_options.ts";
import { manualClock } from "../../src/client/clock.ts";
import { connectedClient } from "../_helpers/fake_broker.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...values: number[]) => new Uint8Array(values);

/** Asserts that `fn` throws `kind` with a message matching `pattern`. */
function throwsWith(
  fn: () => unknown,
  kind: typeof TypeError | typeof RangeError,
  pattern: RegExp,
) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

describe("toBytes", () => {
  it("toBytes is the one _validate.ts exports", () => {
    assert.equal(validateToBytes, toBytes);
  });

  it("toBytes sends a string as UTF-8", () => {
    assert.deepEqual(toBytes("héllo", "payload"), utf8("héllo"));
    assert.deepEqual(toBytes("", "payload"), bytes());
  });

  it("toBytes returns a Uint8Array itself, and a subclass of it (a Node Buffer) too", () => {
    const payload = bytes(1, 2, 3);
    assert.equal(toBytes(payload, "payload"), payload);
    class Buffer extends Uint8Array {}
    const buffer = new Buffer([4, 5]);
    assert.equal(toBytes(buffer, "payload"), buffer);
  });

  it("toBytes sends a number as its decimal string, as paho does", () => {
    assert.deepEqual(toBytes(21.5, "payload"), utf8("21.5"));
    assert.deepEqual(toBytes(42, "payload"), utf8("42"));
    assert.deepEqual(toBytes(0, "payload"), utf8("0"));
    assert.deepEqual(toBytes(-0, "payload"), utf8("0"));
    assert.deepEqual(toBytes(-7, "payload"), utf8("-7"));
    assert.deepEqual(toBytes(1e21, "payload"), utf8("1e+21"));
    assert.deepEqual(toBytes(0.1 + 0.2, "payload"), utf8("0.30000000000000004"));
  });

  it("toBytes refuses NaN and the infinities with a RangeError naming the field", () => {
    throwsWith(
      () => toBytes(NaN, "payload"),
      RangeError,
      /^payload must be a finite number, got NaN$/,
    );
    throwsWith(() => toBytes(Infinity, "payload"), RangeError, /payload .* got Infinity$/);
    throwsWith(() => toBytes(-Infinity, "x.payload"), RangeError, /^x\.payload .* got -Infinity$/);
  });

  it("toBytes sends null and undefined as an empty payload", () => {
    assert.deepEqual(toBytes(null, "payload"), bytes());
    assert.deepEqual(toBytes(undefined, "payload"), bytes());
  });

  it("toBytes views an ArrayBuffer's bytes without copying them", () => {
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    const view = toBytes(buffer, "payload");
    assert.deepEqual(view, bytes(1, 2, 3));
    assert.equal(view.buffer, buffer);
    assert.deepEqual(toBytes(new ArrayBuffer(0), "payload"), bytes());
  });

  it("toBytes views exactly the bytes of a DataView or a typed array at an offset", () => {
    const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
    const data = toBytes(new DataView(buffer, 2, 3), "payload");
    assert.deepEqual(data, bytes(2, 3, 4));
    assert.equal(data.buffer, buffer);
    assert.equal(data.byteOffset, 2);
    assert.deepEqual(toBytes(new Uint8Array(buffer, 6), "payload"), bytes(6, 7));
    assert.deepEqual(toBytes(new Uint8ClampedArray([255, 0]), "payload"), bytes(255, 0));
  });

  it("toBytes takes a wider typed array's bytes in memory order", () => {
    const words = new Uint16Array([0x0102, 0x0304]);
    const expected = new Uint8Array(words.buffer.slice(0)); // platform byte order
    assert.deepEqual(toBytes(words, "payload"), expected);
    assert.equal(toBytes(new Float64Array(2), "payload").length, 16);
    assert.equal(toBytes(new BigInt64Array(1), "payload").length, 8);
    const slice = new Int32Array(new ArrayBuffer(16), 4, 2);
    const view = toBytes(slice, "payload");
    assert.deepEqual([view.byteOffset, view.length], [4, 8]);
  });

  it("toBytes refuses any other value with a TypeError naming the field and the value", () => {
    const rows: [unknown, RegExp][] = [
      [true, /got true$/],
      [{}, /got an object$/],
      [[1, 2], /got an array$/],
      [() => 1, /got .*=>/],
      [Symbol("s"), /got Symbol\(s\)$/],
      [12n, /got the bigint 12$/],
      [new Date(0), /got an object$/],
    ];
    for (const [value, detail] of rows) {
      throwsWith(
        () => toBytes(value, "payload"),
        TypeError,
        /^payload must be a string, a number, a Uint8Array, an ArrayBuffer, an ArrayBufferView, null or undefined, got /,
      );
      throwsWith(() => toBytes(value, "options.will.payload"), TypeError, detail);
    }
  });

  it("Payload is every type toBytes takes", () => {
    const payloads: Payload[] = [
      "text",
      21.5,
      bytes(1),
      new ArrayBuffer(1),
      new DataView(new ArrayBuffer(1)),
      new Int16Array(1),
      null,
      undefined,
    ];
    assert.deepEqual(payloads.map((p) => toBytes(p, "payload").length), [4, 4, 1, 1, 1, 2, 0, 0]);
  });
});

describe("a will's payload", () => {
  const clock = manualClock();
  const willPayload = (payload: unknown) =>
    resolveOptions({ clock, will: { topic: "w", payload } } as unknown as ClientOptions)
      .session.will?.payload;

  it("resolveOptions takes every Payload type as the will's payload", () => {
    assert.deepEqual(willPayload("bye"), utf8("bye"));
    assert.deepEqual(willPayload(bytes(9)), bytes(9));
    assert.deepEqual(willPayload(0), utf8("0"));
    assert.deepEqual(willPayload(null), bytes());
    assert.deepEqual(willPayload(undefined), bytes());
    assert.deepEqual(willPayload(new Uint8Array([7, 8]).buffer), bytes(7, 8));
    assert.deepEqual(willPayload(new DataView(new Uint8Array([1, 2, 3]).buffer, 1)), bytes(2, 3));
  });

  it("resolveOptions refuses another will payload, naming options.will.payload", () => {
    throwsWith(
      () => willPayload({}),
      TypeError,
      /^options\.will\.payload must be a string, .*got an object$/,
    );
    throwsWith(
      () => willPayload(NaN),
      RangeError,
      /^options\.will\.payload must be a finite number/,
    );
  });
});

describe("publish with each payload type", () => {
  /** `publish` as it takes any Payload (its signature may still say `string | Uint8Array`). */
  type AnyPayloadPublish = (topic: string, payload: Payload) => Promise<unknown>;

  it("publish sends each Payload type's bytes", async () => {
    const { client, conn } = await connectedClient();
    const publish = client.publish.bind(client) as unknown as AnyPayloadPublish;
    const rows: [Payload, Uint8Array][] = [
      ["hi", utf8("hi")],
      [bytes(1, 2), bytes(1, 2)],
      [21.5, utf8("21.5")],
      [null, bytes()],
      [undefined, bytes()],
      [new Uint8Array([3, 4]).buffer, bytes(3, 4)],
      [new DataView(new Uint8Array([5, 6, 7]).buffer, 1, 1), bytes(6)],
    ];
    for (const [payload, expected] of rows) {
      await publish("t", payload);
      const packet = await conn.expect("publish");
      assert.deepEqual(new Uint8Array(packet.payload), expected, `for ${String(payload)}`);
    }
    await client.disconnect({ force: true });
  });

  it("publish rejects another payload with a TypeError and sends nothing", async () => {
    const { client, conn } = await connectedClient();
    const publish = client.publish.bind(client) as unknown as AnyPayloadPublish;
    await assert.rejects(publish("t", { text: "x" } as never), /^TypeError: payload must be/);
    await assert.rejects(publish("t", Infinity), /^RangeError: payload must be a finite number/);
    assert.deepEqual(conn.unread, []);
    await client.disconnect({ force: true });
  });
});
