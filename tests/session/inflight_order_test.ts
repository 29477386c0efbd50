import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_PACKET_ID } from "../../src/codec/constants.ts";
import { Effects } from "../../src/session/effects.ts";
import { InflightTable } from "../../src/session/inflight.ts";
import { Journal } from "../../src/session/journal.ts";
import {
  type PendingAck,
  pendingPacketId,
  pendingQos,
  Receipts,
} from "../../src/session/receipts.ts";
import type { PublishWork } from "../../src/session/work.ts";

function publishWork(topic: string): PublishWork {
  const message = { topic, payload: new Uint8Array(0), qos: 1 as const, retain: false };
  return { type: "publish", token: undefined, message, packetId: 0, stage: "new", cost: 0, seq: 0 };
}

describe("InflightTable", () => {
  it("InflightTable lists the PUBLISH in flight in the order they were sent, across the identifier wrap", () => {
    const table = new InflightTable(MAX_PACKET_ID, new Journal(new Effects(4), false));
    const early: PublishWork[] = [];
    for (let i = 0; i < MAX_PACKET_ID; i++) {
      const work = publishWork(`t${i}`);
      table.start(work);
      if (i >= MAX_PACKET_ID - 3) early.push(work); // identifiers 65,533 to 65,535 stay
      else table.finish(work);
    }
    const late = [publishWork("a"), publishWork("b")];
    for (const work of late) table.start(work);
    assert.deepEqual(late.map((work) => work.packetId), [1, 2]);
    assert.equal(table.size, 5);
    assert.equal(table.publish(65_534), early[1]);
    assert.equal(table.publish(2), late[1]);
    assert.deepEqual([...table.publishes()], [...early, ...late]);
    table.finish(early[0]!);
    assert.equal(table.publish(65_533), undefined);
    assert.deepEqual(table.takePublishes(), [early[1], early[2], ...late]);
    assert.equal(table.size, 0);
    assert.deepEqual([...table.publishes()], []);
  });
});

/** A taken delivery as its fields (undefined when none was taken). */
function fields(pending: PendingAck | undefined) {
  return pending === undefined
    ? undefined
    : { packetId: pendingPacketId(pending), qos: pendingQos(pending) };
}

describe("Receipts", () => {
  it("Receipts takes each delivery once, and a resumed session keeps only the QoS 2 ones", () => {
    const r = new Receipts();
    const a = r.expectAck(7, 1);
    const b = r.expectAck(8, 2);
    const c = r.expectAck(9, 1);
    assert.equal(r.holdsQos1(7), true);
    assert.equal(r.inFlight, 2); // (QoS 2 identifiers count through their state, set apart)
    assert.deepEqual(fields(r.takeAck(a)), { packetId: 7, qos: 1 });
    assert.equal(r.takeAck(a), undefined);
    assert.equal(r.holdsQos1(7), false);
    r.newConnection(true);
    assert.equal(r.holdsQos1(9), false);
    assert.equal(r.takeAck(c), undefined);
    assert.deepEqual(fields(r.takeAck(b)), { packetId: 8, qos: 2 });
    const d = r.expectAck(7, 1);
    r.newConnection(false);
    assert.equal(r.takeAck(d), undefined);
  });
});
