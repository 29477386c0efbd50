import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_PACKET_ID } from "../../src/codec/constants.ts";
import { PacketIds } from "../../src/session/packet_ids.ts";

describe("PacketIds", () => {
  it("PacketIds.allocate hands out 1, 2, 3 … in order", () => {
    const ids = new PacketIds();
    assert.deepEqual([ids.allocate(), ids.allocate(), ids.allocate()], [1, 2, 3]);
    assert.equal(ids.size, 3);
  });

  it("PacketIds.allocate never returns an identifier that is still in use", () => {
    const ids = new PacketIds();
    for (let i = 1; i <= MAX_PACKET_ID; i++) ids.allocate();
    ids.release(7);
    ids.release(40_000);
    assert.equal(ids.allocate(), 7);
    assert.equal(ids.allocate(), 40_000);
    assert.equal(ids.available, false, "all 65,535 are in use again");
  });

  it("PacketIds.allocate wraps from 65535 to 1 and skips identifiers in use", () => {
    const ids = new PacketIds();
    for (let i = 1; i <= MAX_PACKET_ID; i++) ids.allocate();
    for (let id = 1; id <= MAX_PACKET_ID; id++) if (id !== 2) ids.release(id);
    assert.equal(ids.allocate(), 1);
    assert.equal(ids.allocate(), 3, "2 is still in flight");
  });

  it("PacketIds.allocate reuses released identifiers as late as possible", () => {
    const ids = new PacketIds();
    const first = ids.allocate();
    ids.release(first);
    assert.equal(ids.allocate(), 2);
  });

  it("PacketIds.allocate throws, and never returns 0, when all 65,535 identifiers are in use", () => {
    const ids = new PacketIds();
    for (let i = 1; i <= MAX_PACKET_ID; i++) assert.equal(ids.allocate(), i);
    assert.equal(ids.available, false);
    assert.throws(() => ids.allocate(), /No free packet identifier/);
    assert.equal(ids.size, MAX_PACKET_ID);
  });

  it("PacketIds keeps identifiers across the growth of its table, whichever end they are at", () => {
    const ids = new PacketIds();
    for (let i = 1; i <= 300; i++) ids.allocate(); // past the first table (0..255)
    assert.equal(ids.has(300), true);
    assert.equal(ids.has(301), false);
    assert.equal(ids.has(MAX_PACKET_ID), false, "beyond the table: free");
    ids.release(MAX_PACKET_ID); // beyond the table: nothing to free
    assert.equal(ids.take(MAX_PACKET_ID), true, "grows the table to the end in one step");
    assert.equal(ids.take(MAX_PACKET_ID), false);
    for (let id = 1; id <= 300; id++) assert.equal(ids.has(id), true, `${id} kept`);
    assert.equal(ids.size, 301);
    assert.equal(ids.allocate(), 301, "after 65535: wraps, skips 1..300 in use");
  });

  it("PacketIds.take marks a given identifier as used once", () => {
    const ids = new PacketIds();
    assert.equal(ids.take(5), true);
    assert.equal(ids.take(5), false);
    assert.equal(ids.take(0), false);
    assert.equal(ids.has(5), true);
  });

  it("PacketIds.release of a free identifier changes nothing", () => {
    const ids = new PacketIds();
    ids.allocate();
    ids.release(9);
    assert.equal(ids.size, 1);
  });

  it("PacketIds.clear frees everything", () => {
    const ids = new PacketIds();
    ids.allocate();
    ids.allocate();
    ids.clear();
    assert.equal(ids.size, 0);
    assert.equal(ids.has(1), false);
  });
});
