/**
 * Large flows settle completely: 50,000 QoS 1 messages in flight at once, acknowledged in
 * reverse order, and 20,000 QoS 2 messages through a window of 1,000 with the rest queued. (How
 * fast they go is measured in bench/session_bench.ts, not here.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePacket } from "../../src/codec/mod.ts";
import { Session } from "../../src/session/session.ts";
import { baseOptions } from "./_harness.ts";

function connected(maxInflight: number, operationTimeout: number): Session {
  const s = new Session(
    baseOptions({ maxInflight, maxQueued: 100_000, maxQueuedBytes: 1 << 30, operationTimeout }),
    () => 0.5,
  );
  s.connect(0, 0);
  s.transportOpened(0);
  s.receive(encodePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 5), 0);
  s.drain();
  return s;
}

function ackStream(type: "puback" | "pubrec" | "pubcomp", ids: number[]): Uint8Array {
  const parts = ids.map((packetId) => encodePacket({ type, packetId, reasonCode: 0 }, 5));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

describe("Session large flows", () => {
  it("Session settles 50,000 QoS 1 in flight acknowledged in reverse order", () => {
    const n = 50_000;
    const s = connected(65_535, 60_000);
    const payload = new Uint8Array(16);
    for (let i = 1; i <= n; i++) {
      s.publish(i, { topic: "bench", payload, qos: 1, retain: false }, 1);
    }
    const writes = s.drain().filter((a) => a.type === "write").length;
    const ids = Array.from({ length: n }, (_, i) => n - i);
    s.receive(ackStream("puback", ids), 2);
    const resolved = s.drain().filter((a) => a.type === "resolve").length;
    assert.equal(writes, n);
    assert.equal(resolved, n);
    assert.equal(s.nextDeadline(), undefined, "settled deadlines are skipped");
  });

  it("Session moves 20,000 QoS 2 messages through a window of 1,000 with the rest queued", () => {
    const s = connected(1000, 0);
    const payload = new Uint8Array(16);
    const n = 20_000;
    for (let i = 1; i <= n; i++) s.publish(i, { topic: "q2", payload, qos: 2, retain: false }, 1);
    let written = s.drain().filter((a) => a.type === "write").length;
    let resolved = 0;
    let next = 1;
    while (resolved < n) {
      const ids = Array.from({ length: written }, (_, i) => next + i);
      next += written;
      s.receive(ackStream("pubrec", ids), 2);
      s.drain();
      s.receive(ackStream("pubcomp", ids), 3);
      const actions = s.drain();
      resolved += actions.filter((a) => a.type === "resolve").length;
      written = actions.filter((a) => a.type === "write").length;
    }
    assert.equal(next - 1, n, "every message was sent once");
    assert.equal(s.nextDeadline(), undefined);
  });
});
