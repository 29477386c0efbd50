/**
 * A hostile broker, scripted with the fake broker: each case sends something a server must not,
 * while the client has a QoS 1 publish, a QoS 2 publish and a subscribe in flight. The client
 * must end the connection with the right MQTT 5 DISCONNECT reason code (or, on MQTT 3.1.1, which
 * has none, just close it), report that code in `onDisconnect`, and settle every promise.
 *
 * Already covered elsewhere, so not repeated here: packet type 0 on MQTT 5
 * (tests/client/client_events_test.ts), our Receive Maximum exceeded by QoS 1 and QoS 2
 * (tests/client/fake_broker_scenarios_test.ts), PUBREL for an unknown id
 * (tests/client/fake_broker_scenarios_test.ts) and, at the session level, most decoder faults
 * (tests/session/incoming_test.ts, tests/codec/malformed_test.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type BrokerConnection,
  type Connected,
  connectedClient,
  settle,
} from "../_helpers/fake_broker.ts";
import { encodePacket } from "../../src/codec/mod.ts";
import type { ProtocolVersion } from "../../src/codec/types.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import type { DisconnectEvent } from "../../src/client/events.ts";
import {
  ConnectionClosedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
} from "../../src/errors.ts";

/** How long every pending promise gets to settle once the connection is gone (real time). */
const SETTLE_LIMIT_MS = 2_000;

/** MQTT "variable byte integer". */
function varint(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

/** A packet from its first byte and body (remaining length computed). */
function frame(first: number, body: number[]): Uint8Array {
  return new Uint8Array([first, ...varint(body.length), ...body]);
}

/** The body of a PUBLISH: topic bytes, packet id (QoS > 0), MQTT 5 properties, payload. */
function publishBody(
  version: ProtocolVersion,
  topic: number[],
  options: { packetId?: number; properties?: number[]; payload?: number[] } = {},
): number[] {
  const body = [topic.length >> 8, topic.length & 0xff, ...topic];
  if (options.packetId !== undefined) body.push(options.packetId >> 8, options.packetId & 0xff);
  if (version === 5) {
    const properties = options.properties ?? [];
    body.push(...varint(properties.length), ...properties);
  }
  body.push(...(options.payload ?? [0x78]));
  return body;
}

const ascii = (value: string) => [...new TextEncoder().encode(value)];

/** The operations in flight when the broker misbehaves. */
interface InFlight {
  publish1: Promise<unknown>;
  publish2: Promise<unknown>;
  subscribe: Promise<unknown>;
}

/** Puts a QoS 1 publish, a QoS 2 publish and a two-filter subscribe on the wire. */
async function startWork(t: Connected): Promise<InFlight> {
  const work = {
    publish1: t.client.publish("out/1", "a", { qos: 1 }),
    publish2: t.client.publish("out/2", "b", { qos: 2 }),
    subscribe: t.client.subscribe(["in/a", "in/b"], { qos: 1 }),
  };
  // Failures are asserted below; keep them from being reported as unhandled meanwhile.
  for (const promise of Object.values(work)) promise.catch(() => {});
  assert.equal((await t.conn.expect("publish")).topic, "out/1");
  assert.equal((await t.conn.expect("publish")).topic, "out/2");
  await t.conn.expect("subscribe");
  return work;
}

/** Rejects if `promise` has not settled after SETTLE_LIMIT_MS of real time. */
async function settled<T>(promise: Promise<T>, what: string): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${SETTLE_LIMIT_MS} ms`)),
      SETTLE_LIMIT_MS,
    );
  });
  try {
    const [result] = await Promise.race([Promise.allSettled([promise]), limit]);
    return result!;
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that every operation in flight settled, rejected with an `MqttError`. */
async function assertAllSettled(work: InFlight): Promise<void> {
  for (const [name, promise] of Object.entries(work)) {
    const result = await settled(promise, name);
    assert.equal(result.status, "rejected", `${name} was not rejected`);
    assert.ok(
      (result as PromiseRejectedResult).reason instanceof MqttError,
      `${name} rejected with ${(result as PromiseRejectedResult).reason}`,
    );
  }
}

/**
 * Asserts how the client ended the connection: with a DISCONNECT carrying `reasonCode` then a
 * close (MQTT 5), or a close with nothing sent (MQTT 3.1.1).
 */
async function assertClientEnded(
  conn: BrokerConnection,
  version: ProtocolVersion,
  reasonCode: number,
): Promise<void> {
  if (version === 5) {
    const disconnect = await conn.expect("disconnect");
    assert.equal(
      disconnect.reasonCode,
      reasonCode,
      `DISCONNECT 0x${disconnect.reasonCode.toString(16)}, expected 0x${reasonCode.toString(16)}`,
    );
  }
  await conn.closedByClient();
  assert.deepEqual(conn.unread, [], "nothing after the DISCONNECT");
}

/** What a case expects: the reason code and the class of the error in `onDisconnect`. */
interface Expected {
  reasonCode: number;
  error: typeof MalformedPacketError | typeof ProtocolError;
}

interface HostileCase {
  name: string;
  versions: ProtocolVersion[];
  options?: ClientOptions;
  /** Sends the offence, given the fake broker's connection and the work in flight. */
  offend: (conn: BrokerConnection, version: ProtocolVersion) => void;
  expected: Expected;
}

const MALFORMED = { reasonCode: 0x81, error: MalformedPacketError };
const PROTOCOL = { reasonCode: 0x82, error: ProtocolError };

const cases: HostileCase[] = [
  {
    name: "a remaining length of five bytes",
    versions: [4, 5],
    offend: (conn) => conn.send(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])),
    expected: MALFORMED,
  },
  {
    name: "a PUBACK whose remaining length leaves no room for its packet id",
    versions: [4, 5],
    offend: (conn) => conn.send(new Uint8Array([0x40, 0x01, 0x00])),
    expected: MALFORMED,
  },
  {
    name: "packet type 0 (reserved)",
    versions: [4], // MQTT 5: tests/client/client_events_test.ts
    offend: (conn) => conn.send(new Uint8Array([0x00, 0x00])),
    expected: MALFORMED,
  },
  {
    name: "packet type 15 (AUTH) on MQTT 3.1.1",
    versions: [4],
    offend: (conn) => conn.send(new Uint8Array([0xf0, 0x00])),
    expected: MALFORMED,
  },
  {
    name: "a PUBLISH with QoS 3",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x36, publishBody(v, ascii("in/a"), { packetId: 9 }))),
    expected: MALFORMED,
  },
  {
    name: "a QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2]",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x38, publishBody(v, ascii("in/a")))),
    expected: PROTOCOL, // DUP is no reserved flag: a well-formed packet the protocol forbids
  },
  {
    name: "a QoS 1 PUBLISH with packet id 0",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x32, publishBody(v, ascii("in/a"), { packetId: 0 }))),
    expected: PROTOCOL, // [MQTT-2.2.1-3]
  },
  {
    name: "reserved flags set on a PUBACK",
    versions: [4, 5],
    offend: (conn) => conn.send(new Uint8Array([0x42, 0x02, 0x00, 0x01])),
    expected: MALFORMED,
  },
  {
    name: "reserved flags of a PUBREL not 0010",
    versions: [4, 5],
    offend: (conn) => conn.send(new Uint8Array([0x60, 0x02, 0x00, 0x01])),
    expected: MALFORMED,
  },
  {
    name: "reserved flags set on a PINGRESP",
    versions: [4, 5],
    offend: (conn) => conn.send(new Uint8Array([0xd1, 0x00])),
    expected: MALFORMED,
  },
  {
    name: "a PUBLISH whose topic is not valid UTF-8",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x30, publishBody(v, [0x69, 0x6e, 0x2f, 0xc3, 0x28]))),
    expected: MALFORMED,
  },
  {
    name: "a PUBLISH whose topic holds U+0000",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x30, publishBody(v, [0x69, 0x6e, 0x2f, 0x00]))),
    expected: MALFORMED,
  },
  {
    name: "a PUBLISH whose topic holds a wildcard",
    versions: [4, 5],
    offend: (conn, v) => conn.send(frame(0x30, publishBody(v, ascii("in/+")))),
    expected: PROTOCOL,
  },
  {
    name: "a SUBACK with fewer reason codes than filters",
    versions: [4, 5],
    offend: (conn) => conn.send({ type: "suback", packetId: subscribeId(conn), reasonCodes: [1] }),
    expected: PROTOCOL,
  },
  {
    name: "a SUBACK with more reason codes than filters",
    versions: [4, 5],
    offend: (conn) =>
      conn.send({ type: "suback", packetId: subscribeId(conn), reasonCodes: [1, 1, 1] }),
    expected: PROTOCOL,
  },
  {
    name: "a second CONNACK",
    versions: [4, 5],
    offend: (conn) => conn.connack({ sessionPresent: false }),
    expected: PROTOCOL,
  },
  {
    name: "a server DISCONNECT on MQTT 3.1.1 (servers must not send one)",
    versions: [4],
    offend: (conn) => conn.send(new Uint8Array([0xe0, 0x00])),
    expected: PROTOCOL,
  },
  {
    name: "topic alias 0 [MQTT-3.3.2-8]",
    versions: [5],
    options: { properties: { topicAliasMaximum: 5 } },
    offend: (conn, v) =>
      conn.send(frame(0x30, publishBody(v, ascii("in/a"), { properties: [0x23, 0x00, 0x00] }))),
    // 0x94 Topic Alias invalid names an alias above the maximum; alias 0 is forbidden outright
    // by [MQTT-3.3.2-8], a Protocol Error.
    expected: PROTOCOL,
  },
  {
    name: "a topic alias above our Topic Alias Maximum",
    versions: [5],
    options: { properties: { topicAliasMaximum: 5 } },
    offend: (conn, v) =>
      conn.send(frame(0x30, publishBody(v, ascii("in/a"), { properties: [0x23, 0x00, 0x06] }))),
    expected: { reasonCode: 0x94, error: ProtocolError },
  },
  {
    name: "a topic alias when we allowed none",
    versions: [5],
    offend: (conn, v) =>
      conn.send(frame(0x30, publishBody(v, ascii("in/a"), { properties: [0x23, 0x00, 0x01] }))),
    expected: { reasonCode: 0x94, error: ProtocolError },
  },
  {
    name: "a PUBLISH above our Maximum Packet Size",
    versions: [5],
    options: { properties: { maximumPacketSize: 1024 } },
    offend: (conn) =>
      conn.send(
        encodePacket({
          type: "publish",
          topic: "in/a",
          payload: new Uint8Array(2048),
          qos: 0,
          retain: false,
          dup: false,
        }, 5),
      ),
    expected: { reasonCode: 0x95, error: MalformedPacketError },
  },
  {
    name: "a PUBLISH whose property appears twice",
    versions: [5],
    offend: (conn, v) =>
      conn.send(
        frame(0x30, publishBody(v, ascii("in/a"), { properties: [0x01, 0x00, 0x01, 0x00] })),
      ),
    expected: PROTOCOL,
  },
];

/** The packet id of the SUBSCRIBE the fake broker received on `conn`. */
function subscribeId(conn: BrokerConnection): number {
  const subscribe = conn.received.find((packet) => packet.type === "subscribe");
  assert.ok(subscribe?.type === "subscribe", "the SUBSCRIBE was received");
  return subscribe.packetId;
}

describe("MqttClient against a hostile broker", () => {
  for (const c of cases) {
    for (const version of c.versions) {
      const label = version === 5 ? "MQTT 5" : "MQTT 3.1.1";
      const how = version === 5
        ? `DISCONNECT 0x${c.expected.reasonCode.toString(16)}`
        : "closes the connection";
      it(`MqttClient (${label}) answers ${c.name}: ${how}, every promise settles`, async () => {
        const t = await connectedClient({ protocolVersion: version, ...c.options });
        const events: DisconnectEvent[] = [];
        t.client.onDisconnect = (event) => events.push(event);
        const work = await startWork(t);
        c.offend(t.conn, version);
        await assertClientEnded(t.conn, version, c.expected.reasonCode);
        await assertAllSettled(work);
        assert.equal(events.length, 1, "one onDisconnect");
        const event = events[0]!;
        assert.equal(event.reasonCode, c.expected.reasonCode);
        assert.ok(
          event.error instanceof c.expected.error,
          `onDisconnect error ${event.error?.name}: ${event.error?.message}`,
        );
        assert.equal(event.willReconnect, false);
        assert.equal(t.client.connected, false);
      });
    }
  }

  it("MqttClient ignores a PUBACK for an unknown packet id and keeps the connection", async () => {
    const t = await connectedClient({ protocolVersion: 5 });
    const events: DisconnectEvent[] = [];
    t.client.onDisconnect = (event) => events.push(event);
    const work = await startWork(t);
    const ids = t.conn.received.flatMap((p) => p.type === "publish" ? [p.packetId] : []);
    const unknown = Math.max(...ids.map((id) => id ?? 0)) + 100;
    t.conn.send({ type: "puback", packetId: unknown, reasonCode: 0 });
    t.conn.send({ type: "pubrec", packetId: unknown + 1, reasonCode: 0 });
    // An unknown PUBREC is answered with PUBREL 0x92 Packet Identifier not found.
    assert.deepEqual(await t.conn.expect("pubrel"), {
      type: "pubrel",
      packetId: unknown + 1,
      reasonCode: 0x92,
    });
    // The work in flight is untouched and completes normally.
    const [publish1, publish2] = t.conn.received.filter((p) => p.type === "publish");
    t.conn.send({ type: "puback", packetId: publish1!.packetId!, reasonCode: 0 });
    t.conn.send({ type: "pubrec", packetId: publish2!.packetId!, reasonCode: 0 });
    const pubrel = await t.conn.next();
    assert.deepEqual(pubrel, { type: "pubrel", packetId: publish2!.packetId, reasonCode: 0 });
    t.conn.send({ type: "pubcomp", packetId: publish2!.packetId!, reasonCode: 0 });
    t.conn.send({ type: "suback", packetId: subscribeId(t.conn), reasonCodes: [1, 1] });
    assert.equal((await settled(work.publish1, "publish1")).status, "fulfilled");
    assert.equal((await settled(work.publish2, "publish2")).status, "fulfilled");
    assert.deepEqual(
      await settled(work.subscribe, "subscribe"),
      { status: "fulfilled", value: { mid: subscribeId(t.conn), reasonCodes: [1, 1] } },
    );
    await t.conn.expectNothing();
    assert.deepEqual(events, []);
    assert.equal(t.client.connected, true);
    await t.client.disconnect();
  });

  it("MqttClient with reconnect on settles nothing early after a protocol fault and resumes the work on the next connection", async () => {
    const t = await connectedClient({
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      reconnect: { minDelay: 100, maxDelay: 100 },
    });
    const events: DisconnectEvent[] = [];
    t.client.onDisconnect = (event) => events.push(event);
    const work = await startWork(t);
    t.conn.send(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    assert.equal((await t.conn.expect("disconnect")).reasonCode, 0x81);
    await t.conn.closedByClient();
    await settle();
    assert.equal(events[0]?.willReconnect, true);
    t.clock.advance(100);
    const again = await t.broker.nextConnection();
    await again.accept({ sessionPresent: true });
    // The session is resumed: both PUBLISH again with DUP; the SUBSCRIBE again.
    const resent = [await again.next(), await again.next(), await again.next()];
    const publishes = resent.filter((p) => p.type === "publish");
    assert.equal(publishes.length, 2, JSON.stringify(resent));
    assert.ok(publishes.every((p) => p.type === "publish" && p.dup));
    const subscribe = resent.find((p) => p.type === "subscribe");
    assert.ok(subscribe?.type === "subscribe");
    again.send({ type: "puback", packetId: publishes[0]!.packetId!, reasonCode: 0 });
    again.send({ type: "pubrec", packetId: publishes[1]!.packetId!, reasonCode: 0 });
    await again.expect("pubrel");
    again.send({ type: "pubcomp", packetId: publishes[1]!.packetId!, reasonCode: 0 });
    again.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1, 1] });
    for (const [name, promise] of Object.entries(work)) {
      assert.equal((await settled(promise, name)).status, "fulfilled", name);
    }
    await t.client.disconnect();
  });

  it("MqttClient rejects the operations of a hostile connection with ConnectionClosedError carrying the cause", async () => {
    const t = await connectedClient({ protocolVersion: 5 });
    const work = await startWork(t);
    t.conn.send(new Uint8Array([0x36, 0x00]));
    await t.conn.closedByClient();
    for (const [name, promise] of Object.entries(work)) {
      const result = await settled(promise, name);
      assert.equal(result.status, "rejected");
      const reason = (result as PromiseRejectedResult).reason;
      assert.ok(reason instanceof ConnectionClosedError, `${name}: ${reason}`);
      assert.ok(reason.cause instanceof MalformedPacketError, `${name}: cause ${reason.cause}`);
      assert.equal(reason.cause.reasonCode, 0x81);
      assert.match(reason.message, /QoS 3/);
    }
  });
});
