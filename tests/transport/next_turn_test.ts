/**
 * `turns()` (src/transport/_next_turn.ts): the promise every write of one event-loop turn shares,
 * ended by a scheduler. The runtimes' schedulers are exercised through the transports
 * (`writeSettlesByItsSize`, the WebSocket adapter's tests) and in Chromium (tests/browser/).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runtimeTurns, turns } from "../../src/transport/_next_turn.ts";

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

describe("runtimeTurns", () => {
  it("ends turns with setImmediate where there is one", async () => {
    const ends: (() => void)[] = [];
    const nextTurn = runtimeTurns({ setImmediate: (end) => ends.push(end), MessageChannel });
    const turn = nextTurn();
    assert.equal(ends.length, 1);
    ends[0]!();
    await turn;
  });

  it("settles at once where there is neither setImmediate nor MessageChannel", async () => {
    const nextTurn = runtimeTurns({});
    let resolved = false;
    nextTurn().then(() => (resolved = true));
    await null;
    assert.equal(resolved, true);
  });
});
