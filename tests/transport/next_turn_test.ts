/**
 * `turns()` (src/transport/_next_turn.ts): the promise every write of one event-loop turn shares,
 * ended by a scheduler. The runtimes' schedulers are exercised through the transports
 * (`writeSettlesByItsSize`, the WebSocket adapter's tests) and in Chromium (tests/browser/).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { turns } from "../../src/transport/_next_turn.ts";

describe("turns", () => {
  it("gives every call in a turn one promise, scheduled once, and starts a new one after it", async () => {
    const ends: (() => void)[] = [];
    const nextTurn = turns((end) => ends.push(end));
    const first = nextTurn();
    assert.equal(nextTurn(), first);
    assert.equal(ends.length, 1);
    let resolved = false;
    first.then(() => (resolved = true));
    for (let i = 0; i < 10; i++) await null;
    assert.equal(resolved, false, "resolved before the scheduler ended the turn");
    ends[0]!();
    await first;
    const second = nextTurn();
    assert.notEqual(second, first);
    assert.equal(ends.length, 2);
    ends[1]!();
    await second;
  });
});
