import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TokenTable } from "../../src/session/_token_table.ts";

/** Checks `table` against `model` for every key in 0..max. */
function same(table: TokenTable<string>, model: Map<number, string>, max: number): void {
  assert.equal(table.size, model.size);
  for (let key = 0; key <= max; key++) assert.equal(table.get(key), model.get(key), `key ${key}`);
}

describe("TokenTable", () => {
  it("TokenTable.get returns what set stored, until delete removes it", () => {
    const table = new TokenTable<string>();
    table.set(1, "a");
    table.set(2, "b");
    assert.equal(table.get(1), "a");
    assert.equal(table.delete(1), true);
    assert.equal(table.delete(1), false);
    assert.equal(table.get(1), undefined);
    assert.equal(table.get(2), "b");
    assert.equal(table.size, 1);
  });

  it("TokenTable keeps keys added out of order or below the window", () => {
    const table = new TokenTable<string>();
    table.set(10, "ten");
    table.set(5, "five");
    table.set(20, "twenty");
    table.set(11, "eleven");
    assert.deepEqual([5, 10, 11, 20].map((k) => table.get(k)), ["five", "ten", "eleven", "twenty"]);
    assert.equal(table.delete(5), true);
    assert.equal(table.delete(20), true);
    assert.equal(table.size, 2);
  });

  it("TokenTable keeps keys with gaps between them (tokens used elsewhere), and lists values", () => {
    const table = new TokenTable<string>();
    const model = new Map<number, string>();
    let key = 1;
    for (let i = 0; i < 5000; i++) {
      key += 1 + (i % 7 === 0 ? 3 : 0) + (i % 997 === 0 ? 500 : 0); // small gaps, a few large
      table.set(key, `v${key}`);
      model.set(key, `v${key}`);
      if (i % 3 === 0) {
        const old = key - 10;
        assert.equal(table.delete(old), model.delete(old));
      }
    }
    same(table, model, key + 10);
    assert.deepEqual([...table.values()].sort(), [...model.values()].sort());
  });

  it("TokenTable keeps a long-pending key while 100,000 later ones come and go", () => {
    const table = new TokenTable<string>();
    const model = new Map<number, string>();
    const put = (k: number) => (table.set(k, `v${k}`), model.set(k, `v${k}`));
    const drop = (k: number) => assert.equal(table.delete(k), model.delete(k));
    put(1); // stays pending throughout
    for (let k = 2; k <= 100_000; k++) {
      put(k);
      if (k % 3 === 0) put(k); // replace
      if (k > 51) drop(k - 50); // settle in order, 50 behind (key 1 stays)
      if (k % 1000 === 0) drop(k - 7); // already settled: false
    }
    same(table, model, 100_010);
    for (let k = 99_951; k <= 100_000; k++) drop(k);
    same(table, model, 100_010);
    assert.equal(table.size, 1);
    assert.equal(table.get(1), "v1");
  });

  it("TokenTable matches a Map under random settle order", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const table = new TokenTable<string>();
    const model = new Map<number, string>();
    let next = 1;
    for (let step = 0; step < 50_000; step++) {
      if (random() < 0.55 || model.size === 0) {
        table.set(next, `v${next}`);
        model.set(next, `v${next}`);
        next++;
      } else {
        const key = 1 + Math.floor(random() * (next - 1));
        assert.equal(table.delete(key), model.delete(key));
      }
    }
    same(table, model, next + 5);
  });

  it("TokenTable.deleteIf removes the entries that pass, in the window and out of it", () => {
    const table = new TokenTable<string>();
    const model = new Map<number, string>();
    const put = (k: number, v: string) => (table.set(k, v), model.set(k, v));
    put(5000, "far-even"); // becomes the window's base
    put(10, "below-odd"); // below the window: in the map
    for (let k = 5001; k <= 5100; k++) put(k, k % 2 === 0 ? "even" : "odd");
    put(3, "below-even");
    table.deleteIf((v) => v.includes("even"));
    for (const [k, v] of model) if (v.includes("even")) model.delete(k);
    same(table, model, 5200);
    assert.equal(table.size, 51);
    // The window moves as its head goes: the later keys are still found.
    table.deleteIf((v) => v === "odd");
    assert.equal(table.size, 1);
    assert.equal(table.get(10), "below-odd");
    table.set(5101, "next");
    assert.equal(table.get(5101), "next");
  });

  it("TokenTable.clear forgets every entry, and the table takes new keys after it", () => {
    const table = new TokenTable<string>();
    for (let k = 100; k < 200; k++) table.set(k, `v${k}`);
    table.set(1, "far");
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(table.get(150), undefined);
    assert.equal(table.get(1), undefined);
    assert.deepEqual([...table.values()], []);
    table.set(7, "seven");
    assert.equal(table.get(7), "seven");
    assert.equal(table.size, 1);
  });
});
