/**
 * The token rule under random traffic: a scripted server acknowledges (or refuses) in random
 * order, connections drop, sessions are or are not resumed, callers cancel and time out. The
 * harness fails on any token settled twice; at the end every token must be settled, and no packet
 * identifier may be reused while in flight.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Packet, QoS } from "../../src/codec/types.ts";
import type { Token } from "../../src/session/types.ts";
import { Harness, packets, seededRandom, type Step } from "./_harness.ts";

function run(seed: number, steps: number): { settled: number; sent: number } {
  const rnd = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const h = new Harness({
    clean: false,
    keepalive: 30,
    reconnect: { minDelay: 50, maxDelay: 400 },
    operationTimeout: 5_000,
    maxInflight: 8,
    maxQueued: 6,
    maxQueuedBytes: 64,
    queueFull: rnd() < 0.5 ? "wait" : "reject",
    queueQoS0Offline: true,
  }, rnd);
  const tokens: Token[] = [];
  const toAnswer: Packet[] = []; // packets the server has received and not answered
  const inUse = new Set<number>(); // identifiers the client has in flight
  let sent = 0;

  const absorb = (drained: Step[]) => {
    for (const packet of packets(drained)) {
      sent++;
      if (packet.type === "publish" && packet.qos > 0 && !packet.dup) {
        assert.ok(
          !inUse.has(packet.packetId!),
          `seed ${seed}: identifier ${packet.packetId} reused`,
        );
        inUse.add(packet.packetId!);
      }
      if (packet.type === "subscribe" || packet.type === "unsubscribe") {
        assert.ok(
          !inUse.has(packet.packetId),
          `seed ${seed}: identifier ${packet.packetId} reused`,
        );
        inUse.add(packet.packetId);
      }
      if (
        (packet.type === "publish" && packet.qos > 0) || packet.type === "pubrel" ||
        packet.type === "subscribe" || packet.type === "unsubscribe" || packet.type === "pingreq"
      ) toAnswer.push(packet);
    }
  };
  const drain = () => absorb(h.drain());

  const answer = (packet: Packet) => {
    switch (packet.type) {
      case "publish": {
        const refuse = rnd() < 0.1;
        const code = refuse ? 0x80 : 0;
        if (packet.qos === 1 || refuse) inUse.delete(packet.packetId!);
        h.serverSends({
          type: packet.qos === 1 ? "puback" : "pubrec",
          packetId: packet.packetId!,
          reasonCode: code,
        });
        return;
      }
      case "pubrel":
        inUse.delete(packet.packetId);
        h.serverSends({ type: "pubcomp", packetId: packet.packetId, reasonCode: 0 });
        return;
      case "subscribe":
        inUse.delete(packet.packetId);
        h.serverSends({
          type: "suback",
          packetId: packet.packetId,
          reasonCodes: packet.subscriptions.map(() => (rnd() < 0.2 ? 0x87 : 1)),
        });
        return;
      case "unsubscribe":
        inUse.delete(packet.packetId);
        h.serverSends({ type: "unsuback", packetId: packet.packetId, reasonCodes: [0] });
        return;
      case "pingreq":
        h.serverSends({ type: "pingresp" });
    }
  };

  h.connect();
  h.connack(false);
  drain();
  for (let i = 0; i < steps; i++) {
    const r = rnd();
    const state = h.session.state;
    if (r < 0.30) {
      const qos = pick([0, 1, 2]) as QoS;
      tokens.push(h.publish(pick(["a", "b", "c/d"]), qos, new Uint8Array(Math.floor(rnd() * 20))));
    } else if (r < 0.36) {
      tokens.push(h.subscribe(pick(["a", "b", "c/#"])));
    } else if (r < 0.39) {
      tokens.push(h.unsubscribe([pick(["a", "b", "c/#"])]));
    } else if (r < 0.45 && tokens.length > 0) {
      h.cancel(pick(tokens));
    } else if (r < 0.75 && toAnswer.length > 0 && state === "connected") {
      const index = Math.floor(rnd() * toAnswer.length);
      answer(toAnswer.splice(index, 1)[0]!);
    } else if (r < 0.80 && state === "connected") {
      const qos = pick([0, 1, 2]) as QoS;
      h.serverSends({
        type: "publish",
        topic: "in",
        payload: new Uint8Array(1),
        qos,
        retain: false,
        dup: false,
        ...(qos > 0 ? { packetId: 1 + Math.floor(rnd() * 5) } : {}),
      });
      const pubrel = rnd() < 0.5;
      if (qos === 2 && pubrel) {
        drain();
        h.serverSends({ type: "pubrel", packetId: 1, reasonCode: 0 });
      }
    } else if (r < 0.83 && state === "connected") {
      h.session.transportClosed(h.now, new Error("dropped"));
      toAnswer.length = 0;
    } else if (r < 0.85 && (state === "reconnecting" || state === "connecting")) {
      h.session.transportOpened(h.now);
      const present = rnd() < 0.5;
      if (!present) inUse.clear(); // the client discards its identifiers
      h.connack(present);
    } else if (r < 0.86) {
      tokens.push(h.disconnect());
      toAnswer.length = 0;
    } else if (r < 0.87 && state === "closed") {
      tokens.push(h.connect());
    } else {
      h.advance(Math.floor(rnd() * 2000));
    }
    drain();
  }
  tokens.push(h.disconnect());
  h.advance(1000); // a disconnect may wait up to disconnectTimeout for incoming QoS 2 exchanges
  drain();
  h.assertAllSettled();
  return { settled: tokens.length, sent };
}

describe("Session tokens", () => {
  it("Session settles every token exactly once under random traffic, drops and cancels", () => {
    let total = 0;
    for (let seed = 1; seed <= 40; seed++) total += run(seed, 1500).settled;
    assert.ok(total > 10_000, `exercised ${total} tokens`);
  });
});
