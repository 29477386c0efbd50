import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Backoff, backoffDelay } from "../../src/session/reconnect.ts";
import { seededRandom } from "./_harness.ts";

const bounds = { minDelay: 1000, maxDelay: 30_000 };

describe("backoff", () => {
  it("backoffDelay doubles its window per attempt: [min·2^n, min·2^(n+1)]", () => {
    assert.equal(backoffDelay(0, bounds, () => 0), 1000);
    assert.equal(backoffDelay(0, bounds, () => 0.999999), 1999.999);
    assert.equal(backoffDelay(1, bounds, () => 0), 2000);
    assert.equal(backoffDelay(2, bounds, () => 0.5), 6000);
    assert.equal(backoffDelay(3, bounds, () => 0), 8000);
  });

  it("backoffDelay caps at maxDelay with equal jitter in [max/2, max]", () => {
    assert.equal(backoffDelay(5, bounds, () => 0), 15_000);
    assert.equal(backoffDelay(5, bounds, () => 0.5), 22_500);
    assert.equal(backoffDelay(500, bounds, () => 0.999), 29_985);
  });

  it("backoffDelay never goes below minDelay, even when maxDelay < 2·minDelay", () => {
    const tight = { minDelay: 1000, maxDelay: 1500 };
    for (let n = 0; n < 5; n++) {
      const d = backoffDelay(n, tight, () => 0);
      assert.ok(d >= 1000 && d <= 1500, `attempt ${n}: ${d}`);
    }
  });

  it("Backoff.next with a seeded random gives a reproducible growing sequence", () => {
    const a = new Backoff(bounds, seededRandom(42));
    const b = new Backoff(bounds, seededRandom(42));
    const seq = Array.from({ length: 8 }, () => a.next());
    assert.deepEqual(seq, Array.from({ length: 8 }, () => b.next()));
    seq.forEach((d, n) => {
      const ceiling = Math.min(bounds.maxDelay, bounds.minDelay * 2 ** (n + 1));
      assert.ok(d >= Math.max(bounds.minDelay, ceiling / 2) && d <= ceiling, `attempt ${n}: ${d}`);
    });
  });

  it("Backoff.reset starts over from minDelay", () => {
    const backoff = new Backoff(bounds, () => 0);
    backoff.next();
    backoff.next();
    backoff.next();
    assert.equal(backoff.attempt, 3);
    backoff.reset();
    assert.equal(backoff.next(), 1000);
  });
});
