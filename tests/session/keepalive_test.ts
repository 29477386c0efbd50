import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KeepAlive, MIN_PONG_WAIT_MS } from "../../src/session/keepalive.ts";

describe("KeepAlive", () => {
  it("KeepAlive asks for a ping one interval after the last packet sent", () => {
    const k = new KeepAlive();
    k.start(10, 0, 0);
    assert.equal(k.deadline(), 10_000);
    k.received(5000);
    k.sent(4000);
    assert.equal(k.due(13_999), undefined);
    assert.equal(k.due(14_000), "ping");
  });

  it("KeepAlive asks for a ping one interval after the last bytes received, even while sending", () => {
    const k = new KeepAlive();
    k.start(10, 0, 1000);
    for (let t = 0; t <= 12_000; t += 500) k.sent(t); // a publisher that never hears back
    assert.equal(k.deadline(), 11_000);
    assert.equal(k.due(10_999), undefined);
    assert.equal(k.due(11_000), "ping");
    k.received(11_500); // the PINGRESP, or anything else from the server
    assert.equal(k.deadline(), 21_500);
  });

  it("KeepAlive reports a timeout half an interval after an unanswered PINGREQ (1.5 intervals of silence)", () => {
    const k = new KeepAlive();
    k.start(10, 0, 0);
    k.pingSent(10_000);
    k.sent(12_000); // other traffic does not answer the ping
    assert.equal(k.deadline(), 15_000);
    assert.equal(k.due(14_999), undefined);
    assert.equal(k.due(15_000), "timeout");
  });

  it("KeepAlive waits at least MIN_PONG_WAIT_MS for a PINGRESP (short keepalives)", () => {
    const k = new KeepAlive();
    k.start(1, 0, 0);
    k.pingSent(1000);
    assert.equal(k.deadline(), 1000 + MIN_PONG_WAIT_MS);
  });

  it("KeepAlive does not time out while other packets keep arriving after the PINGREQ", () => {
    const k = new KeepAlive();
    k.start(5, 0, 0);
    k.pingSent(5000);
    for (let t = 5000; t <= 12_000; t += 1) k.received(t); // acknowledgements of a burst
    assert.equal(k.due(12_000), undefined, "the link is alive: it keeps answering");
    assert.equal(k.deadline(), 14_500);
    assert.equal(k.due(14_499), undefined);
    assert.equal(k.due(14_500), "timeout", "then silence for half an interval is a dead link");
  });

  it("KeepAlive goes back to pinging after the PINGRESP", () => {
    const k = new KeepAlive();
    k.start(10, 0, 0);
    k.pingSent(10_000);
    k.received(10_000);
    k.pongReceived();
    assert.equal(k.deadline(), 20_000);
    assert.equal(k.due(20_000), "ping");
  });

  it("KeepAlive with 0 seconds or after stop has no deadline", () => {
    const k = new KeepAlive();
    k.start(0, 0, 0);
    assert.equal(k.deadline(), undefined);
    assert.equal(k.due(1e12), undefined);
    k.start(5, 0, 0);
    k.stop();
    assert.equal(k.deadline(), undefined);
  });
});
