/**
 * The write pipeline between bursts: its buffers are made when bytes are pushed and dropped when
 * a flush finds nothing left, and one shared microtask flushes every pipeline; none of that
 * changes what is written, in which order, or when settlements are delivered.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type PipelineHooks, WritePipeline } from "../../src/client/_write_pipeline.ts";
import type { Settlement } from "../../src/client/_pending_calls.ts";
import type { Transport } from "../../src/transport/types.ts";

/** A transport that records each write; writes complete at once. */
function recording(): Transport & { writes: number[][] } {
  const writes: number[][] = [];
  return {
    writes,
    write(bytes: Uint8Array): Promise<void> {
      writes.push([...bytes]);
      return Promise.resolve();
    },
    close() {},
  };
}

/** A started pipeline on a recording transport; `drained()` resolves at the next idle flush. */
function pipeline(hooks: Partial<PipelineHooks> = {}) {
  const transport = recording();
  const settled: Settlement[] = [];
  let onDrained = () => {};
  const pipe = new WritePipeline({
    settle: (settlement) => settled.push(settlement),
    drained: () => onDrained(),
    failed(error) {
      throw error;
    },
    wrote() {},
    ...hooks,
  });
  pipe.start(transport);
  const drained = () => new Promise<void>((resolve) => (onDrained = resolve));
  return { pipe, transport, settled, drained };
}

const settlement = (n: number): Settlement => ({ type: "resolve", token: n, value: undefined });

describe("WritePipeline between bursts", () => {
  it("writes urgent bytes first in every burst, also after its buffers were dropped", async () => {
    const { pipe, transport, drained } = pipeline();
    for (let burst = 0; burst < 3; burst++) {
      const done = drained();
      pipe.push(new Uint8Array([0x30, burst]), false);
      pipe.push(new Uint8Array([0x40, burst]), true);
      pipe.push(new Uint8Array([0x31, burst]), false);
      pipe.push(new Uint8Array([0x41, burst]), true);
      await done;
    }
    assert.deepEqual(transport.writes, [
      [0x40, 0, 0x41, 0, 0x30, 0, 0x31, 0],
      [0x40, 1, 0x41, 1, 0x30, 1, 0x31, 1],
      [0x40, 2, 0x41, 2, 0x30, 2, 0x31, 2],
    ]);
  });

  it("writes only urgent bytes, or only others, after a quiet spell", async () => {
    const { pipe, transport, drained } = pipeline();
    let done = drained();
    pipe.push(new Uint8Array([0xc0, 0]), true); // a PINGREQ alone
    await done;
    done = drained();
    pipe.push(new Uint8Array([0x30, 0]), false);
    await done;
    assert.deepEqual(transport.writes, [[0xc0, 0], [0x30, 0]]);
  });

  it("settles after the bytes pushed before it, in every burst", async () => {
    const { pipe, transport, settled, drained } = pipeline();
    for (let burst = 0; burst < 2; burst++) {
      const done = drained();
      pipe.push(new Uint8Array([0x30, burst]), false);
      pipe.settleAfterWrites(settlement(burst));
      assert.equal(settled.length, burst, "not before its bytes were written");
      await done;
      assert.equal(settled.length, burst + 1);
    }
    assert.equal(transport.writes.length, 2);
  });

  it("flushes every pipeline pushed to in the same tick, each in one write", async () => {
    const pipes = Array.from({ length: 5 }, () => pipeline());
    const done = Promise.all(pipes.map((p) => p.drained()));
    pipes.forEach((p, i) => {
      p.pipe.push(new Uint8Array([0x30, i]), false);
      p.pipe.push(new Uint8Array([0x31, i]), false);
    });
    await done;
    pipes.forEach((p, i) => assert.deepEqual(p.transport.writes, [[0x30, i, 0x31, i]]));
  });
});
