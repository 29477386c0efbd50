/**
 * A bounded fuzz run inside the suite: random bytes, truncated, bit-flipped and spliced valid
 * frames, and randomly chunked streams through PacketDecoder. Only MqttError subclasses may
 * escape the codec; anything else fails with the seed and index that reproduce it
 * (`deno run -A tests/fuzz/fuzz_main.ts <count> <seed>`).
 *
 * The seed is fixed so the suite is deterministic; `deno task fuzz` explores fresh seeds
 * (10 million inputs).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Fuzzer, newCounts } from "./_engine.ts";

const FIXED_SEED = 0x6b6f7265; // "kore"
const INPUTS = 80_000;

function fuzz(seed: number, inputs: number): void {
  const fuzzer = new Fuzzer(seed);
  const counts = newCounts();
  for (let i = 0; i < inputs; i++) {
    try {
      fuzzer.run(fuzzer.make(i), counts);
    } catch (error) {
      assert.fail(`${error instanceof Error ? error.message : String(error)} (seed ${seed})`);
    }
  }
  assert.equal(counts.inputs, inputs);
  // The mix must really reach both outcomes, or the fuzzer tests nothing.
  assert.ok(counts.ok > inputs / 20, `only ${counts.ok} inputs decoded (seed ${seed})`);
  assert.ok(counts.malformed > inputs / 20, `only ${counts.malformed} malformed (seed ${seed})`);
}

describe("codec fuzzing", () => {
  it(`decodePacket and PacketDecoder let only MqttError escape on ${INPUTS} inputs (fixed seed)`, () => {
    fuzz(FIXED_SEED, INPUTS);
  });
});
