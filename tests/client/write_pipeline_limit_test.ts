/**
 * The write pipeline and a transport's `maxWrite` (Deno's WebSocket: frames over 1 KiB stall
 * behind Nagle's algorithm when the broker is quiet, see `src/transport/_websocket_create.ts`):
 * the first write after a quiet spell carries whole packets up to `maxWrite` bytes (urgent ones
 * first, a larger packet alone), the writes after it up to `MAX_WRITE`; without `maxWrite`
 * nothing changes.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_WRITE, WritePipeline } from "../../src/client/_write_pipeline.ts";
import { WriteBuffer } from "../../src/client/_write_buffer.ts";
import type { Transport } from "../../src/transport/types.ts";

/** A transport that records each write; writes complete at once. */
function recording(maxWrite?: number): Transport & { writes: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  return {
    writes,
    maxWrite,
    write(bytes: Uint8Array): Promise<void> {
      writes.push(bytes.slice());
      return Promise.resolve();
    },
    close() {},
  };
}

/** A pipeline on `transport`; resolves `drained` each time a flush finds nothing left. */
function pipeline(transport: Transport) {
  let onDrained = () => {};
  const pipe = new WritePipeline({
    settle() {},
    drained: () => onDrained(),
    failed(error) {
      throw error;
    },
    wrote() {},
  });
  pipe.start(transport);
  const drained = () => new Promise<void>((resolve) => (onDrained = resolve));
  return { pipe, drained };
}

/** A packet of `n` bytes, every byte `tag`. */
const packet = (n: number, tag: number) => new Uint8Array(n).fill(tag);

describe("WritePipeline and a transport's maxWrite", () => {
  it("after a quiet spell writes whole packets up to maxWrite first, then the rest in one write", async () => {
    const transport = recording(1024);
    const { pipe, drained } = pipeline(transport);
    const done = drained();
    for (let i = 0; i < 100; i++) pipe.push(packet(25, i), false); // 2,500 bytes
    await done;
    assert.deepEqual(transport.writes.map((w) => w.length), [1000, 1500]);
    assert.deepEqual(
      [...transport.writes[0]!.subarray(0, 50)],
      [...packet(25, 0), ...packet(25, 1)],
      "in order, whole packets",
    );
    // Quiet again: the next burst starts small again.
    const again = drained();
    for (let i = 0; i < 60; i++) pipe.push(packet(25, i), false);
    await again;
    assert.deepEqual(transport.writes.slice(2).map((w) => w.length), [1000, 500]);
  });

  it("urgent packets go first and count against the limit; a packet over it goes alone", async () => {
    const transport = recording(1024);
    const { pipe, drained } = pipeline(transport);
    const done = drained();
    pipe.push(packet(4, 0xaa), true); // a PUBACK
    pipe.push(packet(1022, 1), false); // does not fit beside it
    pipe.push(packet(3000, 2), false); // over the limit on its own
    await done;
    assert.deepEqual(transport.writes.map((w) => w.length), [4, 4022]);
    assert.equal(transport.writes[0]![0], 0xaa);
  });

  it("a lone packet over the limit after a quiet spell goes in one write", async () => {
    const transport = recording(1024);
    const { pipe, drained } = pipeline(transport);
    const done = drained();
    pipe.push(packet(2048, 7), false);
    await done;
    assert.deepEqual(transport.writes.map((w) => w.length), [2048]);
  });

  it("without maxWrite a burst goes in one write, up to MAX_WRITE", async () => {
    const transport = recording();
    const { pipe, drained } = pipeline(transport);
    const done = drained();
    for (let i = 0; i < 100; i++) pipe.push(packet(25, i), false);
    await done;
    assert.deepEqual(transport.writes.map((w) => w.length), [2500]);
    assert.ok(2500 < MAX_WRITE);
  });
});

describe("WriteBuffer.nextLength", () => {
  it("is the length of the first waiting packet, 0 when none waits", () => {
    const out = new WriteBuffer();
    assert.equal(out.nextLength(), 0);
    out.push(packet(3, 1));
    out.push(packet(5, 2));
    out.push(packet(7, 3));
    assert.equal(out.nextLength(), 3);
    out.take(3);
    assert.equal(out.nextLength(), 5);
    out.take(12);
    assert.equal(out.nextLength(), 0);
  });
});
