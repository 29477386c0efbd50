/**
 * Reconnecting to a real Mosquitto that restarts in the middle of a QoS 1 / QoS 2 stream, and
 * keepalive detection of a hung broker (SIGSTOP / SIGCONT).
 *
 * The restart is a graceful stop (SIGTERM, so the broker writes its persistence file) and a start
 * on the same port. A SIGKILL would lose whatever the broker acknowledged but had not yet saved,
 * which would test Mosquitto's durability, not the client.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import type { ClientOptions, ProtocolVersion, PublishResult, QoS } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  ClientPool,
  type ConnectionEvent,
  needsTransport,
  text,
  uniqueTopic,
  within,
} from "./_support.ts";

const COUNT = 600;
const RESTART_AT = 200;
const RECONNECT = { minDelay: 100, maxDelay: 1000 } as const;

let ids = 0;

/** A client that keeps its session across connections and reconnects quickly. */
function resilient(protocolVersion: ProtocolVersion, role: string): ClientOptions {
  return {
    protocolVersion,
    clientId: `korero-reconnect-${role}-${protocolVersion}-${++ids}`,
    clean: false,
    reconnect: RECONNECT,
    connectTimeout: 3_000,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
  };
}

const isReconnect = (e: ConnectionEvent) => e.kind === "connect" && e.reconnect;

describe("MqttClient reconnects to a restarted Mosquitto", { skip: needsTransport }, () => {
  let broker: MosquittoBroker;
  let url: string;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto({ persistence: true });
    url = `mqtt://${broker.host}:${broker.port}`;
  });

  after(async () => {
    await pool.closeAll();
    if (broker?.running) process.kill(broker.pid, "SIGCONT");
    await broker?.stop();
  });

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    for (const qos of [1, 2] as QoS[]) {
      const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
      const promise = qos === 1 ? "at least once" : "exactly once";

      it(`MqttClient delivers a QoS ${qos} stream ${promise} across a broker restart (${v})`, async () => {
        const topic = uniqueTopic(`restart-q${qos}-v${protocolVersion}`);
        const sub = await pool.open(url, resilient(protocolVersion, "sub"));
        await sub.client.subscribe(topic, { qos });
        const pub = await pool.open(url, resilient(protocolVersion, "pub"));

        const pending: Promise<PublishResult>[] = [];
        let restarted: Promise<unknown> | undefined;
        for (let i = 0; i < COUNT; i++) {
          pending.push(pub.client.publish(topic, `${i}`, { qos }));
          // Keep about 20 messages in flight, so the restart catches some mid-handshake.
          if (i >= 20 && i % 10 === 0) await within(pending[i - 20]!, `publish #${i - 20}`);
          if (i === RESTART_AT) restarted = broker.restart();
        }
        await within(restarted!, "the broker restart");
        const results = await within(Promise.all(pending), "every acknowledgement", 20_000);
        assert.ok(results.every((r) => r.reasonCode < 0x80), "every publish succeeded");
        await pub.events.find(isReconnect, "the publisher's reconnect");
        await sub.events.find(isReconnect, "the subscriber's reconnect");

        // Wait for every id, then for a fence, so late duplicates would be counted too.
        const seen = new Set<string>();
        await sub.inbox.until(
          (messages) => {
            for (let j = seen.size; j < messages.length; j++) seen.add(text(messages[j]!.payload));
            return seen.size >= COUNT;
          },
          `all ${COUNT} message ids`,
          20_000,
        );
        await pub.client.publish(topic, "fence", { qos });
        await sub.inbox.find((m) => text(m.payload) === "fence", "the fence");

        const counts = new Map<string, number>();
        for (const m of sub.inbox.items) {
          const id = text(m.payload);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const missing = Array.from({ length: COUNT }, (_, i) => `${i}`).filter((id) =>
          !counts.has(id)
        );
        assert.deepEqual(missing, [], "no message is lost");
        if (qos === 2) {
          const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
          assert.deepEqual(twice, [], "no QoS 2 message is delivered twice");
        }
        assert.ok(sub.inbox.items.every((m) => m.qos === qos));
      });
    }
  }

  it("MqttClient detects a hung broker by its missing PINGRESP and reconnects once it is back", async () => {
    const client = await pool.open(url, {
      keepalive: 1,
      reconnect: RECONNECT,
      connectTimeout: 2_000,
    });
    const stoppedAt = performance.now();
    process.kill(broker.pid, "SIGSTOP");
    let disconnectedAt: number;
    try {
      const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";
      const event = await client.events.find(isDisconnect, "the keepalive timeout", 0, 8_000);
      disconnectedAt = performance.now();
      assert.ok(event.kind === "disconnect" && event.willReconnect, "it will reconnect");
      assert.ok(event.error instanceof Error, "the timeout is reported as an error");
    } finally {
      process.kill(broker.pid, "SIGCONT");
    }
    const waited = disconnectedAt - stoppedAt;
    // A PINGREQ is due 1 s after the last packet, then the PINGRESP has its own deadline.
    assert.ok(waited >= 1_000, `gave up after ${Math.round(waited)} ms, before the keepalive`);

    await client.events.find(isReconnect, "the reconnect after SIGCONT");
    assert.equal(client.client.connected, true);
    const topic = uniqueTopic("alive");
    await client.client.subscribe(topic, { qos: 1 });
    await client.client.publish(topic, "back", { qos: 1 });
    await client.inbox.count(1, "a message after the reconnect");
  });
});
