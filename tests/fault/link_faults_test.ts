/**
 * Link faults between a subscriber and a real Mosquitto, through the suite's relay
 * (tests/_helpers/relay.ts): a black hole (bytes vanish both ways), a stall (the relay stops
 * reading) and a cut (both sides destroyed). For each: the client notices a dead idle link
 * within its keepalive bound, reconnects, resumes its session, and every QoS 1 and QoS 2 message
 * published during the outage arrives — QoS 2 exactly once.
 *
 * Keepalive is 1 s. korero sends PINGREQ after one interval of silence and gives up half an
 * interval after it (src/session/keepalive.ts, at least 500 ms), so an idle link that dies right
 * after a PINGRESP is detected 1.5 intervals after the server was last heard: the bound asserted
 * is 1.5 × keepalive + a margin for a loaded machine.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionClosedError,
  type DisconnectEvent,
  type Message,
  MqttClient,
  type ProtocolVersion,
  type QoS,
} from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { Relay } from "../_helpers/relay.ts";
import { ClientPool, it, Recorder, text, uniqueTopic, within } from "../integration/_support.ts";

/** Keepalive of the subscriber, in seconds. */
const KEEPALIVE = 1;
/** What a loaded CI machine may add to the keepalive arithmetic (timers, two runtimes, a broker). */
const MARGIN_MS = 600;
/** Messages of each QoS published while the link is down. */
const OUTAGE_MESSAGES = 100;
/** Print the measured detection times (`KORERO_FAULT_VERBOSE=1`). */
const VERBOSE = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
  ?.env.KORERO_FAULT_VERBOSE !== undefined;

type Fault = "blackhole" | "stall" | "cut";

let ids = 0;

describe("MqttClient through a faulty link to Mosquitto", () => {
  let broker: MosquittoBroker;
  const pool = new ClientPool();

  before(async () => {
    broker = await startMosquitto({ verboseLog: false });
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
  });

  async function scenario(fault: Fault, protocolVersion: ProtocolVersion): Promise<void> {
    const relay = await Relay.start({ port: broker.port, capture: true });
    try {
      const topic = uniqueTopic(`link-${fault}-${protocolVersion}`);
      const clientId = `korero-fault-link-${fault}-${protocolVersion}-${++ids}`;
      const sub = pool.track(
        new MqttClient({
          url: relay.url,
          protocolVersion,
          clientId,
          clean: false,
          keepalive: KEEPALIVE,
          connectTimeout: 500,
          reconnect: { minDelay: 100, maxDelay: 200 },
          ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
        }),
      );
      const inbox = new Recorder<Message>();
      const disconnects = new Recorder<{ at: number; event: DisconnectEvent }>();
      const connects = new Recorder<{ sessionPresent: boolean; reconnect: boolean }>();
      sub.onMessage = ({ message }) => inbox.push(message);
      sub.onDisconnect = (event) => disconnects.push({ at: Date.now(), event });
      sub.onConnect = ({ sessionPresent, reconnect }) =>
        connects.push({ sessionPresent, reconnect });
      await within(sub.connect(), "the subscriber to connect");
      await within(sub.subscribe(`${topic}/#`, { qos: 2 }), "the subscription");
      const pub = pool.track(new MqttClient({ url: broker.url(), protocolVersion }));
      await within(pub.connect(), "the publisher to connect");

      // An idle link: the fault starts right after the broker answered a PINGREQ.
      const pingresps = () =>
        relay.packets.filter((p) => p.direction === "toClient" && p.packet.type === "pingresp")
          .length;
      const seen = pingresps();
      await relay.until(() => pingresps() > seen, "a PINGRESP on the idle link", 5_000);
      const lastHeard = relay.packets.findLast((p) => p.direction === "toClient")!.at;
      const faultAt = Date.now();
      if (fault === "blackhole") relay.blackHole();
      else if (fault === "stall") relay.stall();
      else {
        relay.refuse(true);
        relay.cut();
      }

      // Published while the link is down: the broker sends them into the fault, or queues them.
      const published: Promise<unknown>[] = [];
      for (let i = 0; i < OUTAGE_MESSAGES; i++) {
        published.push(pub.publish(`${topic}/q1`, `q1-${i}`, { qos: 1 }));
        published.push(pub.publish(`${topic}/q2`, `q2-${i}`, { qos: 2 }));
      }
      await within(Promise.all(published), "the outage's messages to reach the broker");

      const { at, event } = await disconnects.find(() => true, "the subscriber to notice");
      const detection = at - faultAt;
      const sinceHeard = at - lastHeard;
      if (VERBOSE) {
        console.log(
          `${fault} v${protocolVersion}: detected ${detection} ms after the fault, ` +
            `${sinceHeard} ms after the last packet heard (keepalive ${KEEPALIVE * 1000} ms)`,
        );
      }
      assert.equal(event.willReconnect, true);
      if (fault === "cut") {
        assert.ok(event.error instanceof ConnectionClosedError, String(event.error));
        assert.ok(detection < MARGIN_MS, `a cut noticed after ${detection} ms`);
      } else {
        assert.ok(event.error instanceof ConnectionClosedError, String(event.error));
        assert.match(event.error.message, /No PINGRESP/);
        assert.ok(
          sinceHeard <= 1.5 * KEEPALIVE * 1000 + MARGIN_MS,
          `a ${fault} noticed ${sinceHeard} ms after the last packet heard`,
        );
        // Not earlier than a PINGREQ's interval: the client waited for its answer.
        assert.ok(detection >= KEEPALIVE * 1000 - 50, `noticed after only ${detection} ms`);
      }
      if (fault === "blackhole") {
        const lost = relay.packets.filter((p) =>
          !p.forwarded && p.direction === "toClient" && p.packet.type === "publish"
        );
        assert.ok(lost.length > 0, "the broker sent messages into the black hole");
      }

      // A reconnect attempt meets the fault too (a black-holed CONNECT times out; a stalled
      // connection goes through once the link passes again; a cut link refuses it).
      const attempts = relay.accepted;
      await relay.until(() => relay.accepted > attempts, "a reconnect attempt into the fault");
      if (fault === "cut") relay.refuse(false);
      else relay.pass();

      const resumed = await connects.find((c) => c.reconnect, "the reconnect", 0, 10_000);
      assert.equal(resumed.sessionPresent, true, "the session was resumed");

      // Every message published during the outage arrives; QoS 2 once (a fence after them).
      const expected = new Set<string>();
      for (let i = 0; i < OUTAGE_MESSAGES; i++) expected.add(`q1-${i}`).add(`q2-${i}`);
      await inbox.until(
        (items) => {
          const got = new Set(items.map((m) => text(m.payload)));
          return [...expected].every((id) => got.has(id));
        },
        "every message of the outage",
      );
      await pub.publish(`${topic}/q2`, "fence", { qos: 2 });
      await inbox.find((m) => text(m.payload) === "fence", "the fence");
      const counts = new Map<string, { qos: QoS; n: number }>();
      for (const m of inbox.items) {
        const id = text(m.payload);
        const entry = counts.get(id) ?? { qos: m.qos, n: 0 };
        entry.n++;
        counts.set(id, entry);
      }
      const twice = [...counts].filter(([, c]) => c.qos === 2 && c.n > 1).map(([id]) => id);
      assert.deepEqual(twice, [], "QoS 2 messages delivered more than once");
      for (const id of expected) {
        assert.ok(counts.has(id), `${id} was lost`);
        assert.equal(counts.get(id)!.qos, id.startsWith("q2") ? 2 : 1);
      }
      assert.equal(relay.captureErrors.length, 0, "the relay decoded every forwarded byte");
      await within(sub.disconnect(), "the subscriber's disconnect");
      await within(pub.disconnect(), "the publisher's disconnect");
    } finally {
      await relay.close();
    }
  }

  // Each fault once per protocol version would double the file's runtime for little more: the
  // keepalive and resume paths are shared by both versions.
  const plan: [Fault, ProtocolVersion][] = [["blackhole", 5], ["blackhole", 4], ["stall", 5], [
    "cut",
    4,
  ]];
  for (const [fault, protocolVersion] of plan) {
    const label = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
    it(`MqttClient (${label}) notices a ${fault} on an idle link, resumes its session and loses nothing`, () =>
      scenario(fault, protocolVersion));
  }
});
