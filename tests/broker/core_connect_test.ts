import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodePacket } from "../../src/codec/mod.ts";
import { CONNECT_TIMEOUT_MS } from "../../src/broker/core/connection.ts";
import { Harness } from "./_core_harness.ts";

describe("BrokerCore CONNECT", () => {
  it("BrokerCore announces its MQTT 5 limits in CONNACK", () => {
    const h = new Harness({ receiveMaximum: 10, maximumQoS: 1, topicAliasMaximum: 5 });
    const client = h.connect("c1");
    assert.deepEqual(client.connack.properties, {
      receiveMaximum: 10,
      maximumPacketSize: 268435460,
      topicAliasMaximum: 5,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      sharedSubscriptionAvailable: true,
      subscriptionIdentifierAvailable: true,
      maximumQoS: 1,
    });
    assert.equal(client.connack.sessionPresent, false);
  });

  it("BrokerCore sends a plain CONNACK to MQTT 3.1.1 and 3.1 clients", () => {
    const h = new Harness();
    for (const protocolVersion of [3, 4] as const) {
      const client = h.connect(`c${protocolVersion}`, { protocolVersion });
      assert.equal(client.connack.properties, undefined);
    }
  });

  it("BrokerCore assigns a client identifier to an empty one (MQTT 5, or 3.1.1 with clean)", () => {
    const h = new Harness();
    const v5 = h.connect("");
    const assigned = v5.connack.properties?.assignedClientIdentifier;
    assert.ok(typeof assigned === "string" && assigned.length > 0);
    assert.ok(h.core.session(assigned!) !== undefined);
    h.connect("", { protocolVersion: 4 });
    assert.equal(h.core.sessionCount, 2);
  });

  it("BrokerCore refuses an empty client identifier without clean session (3.1.1 return code 2)", () => {
    const h = new Harness();
    const client = h.open(4);
    // CONNECT "MQTT" level 4, flags 0 (no clean session), keepalive 0, client identifier ""
    client.send(new Uint8Array([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0, 0, 0, 0, 0]));
    assert.deepEqual(client.take(), [{ type: "connack", sessionPresent: false, reasonCode: 2 }]);
    assert.equal(client.closed, true);
  });

  it("BrokerCore answers an unsupported protocol level with 3.1.1 return code 1 and closes", () => {
    const h = new Harness();
    const client = h.open(4);
    // CONNECT "MQTT" level 6
    client.send(new Uint8Array([0x10, 10, 0, 4, 0x4d, 0x51, 0x54, 0x54, 6, 2, 0, 0]));
    assert.deepEqual(client.take(), [{ type: "connack", sessionPresent: false, reasonCode: 1 }]);
    assert.equal(client.closed, true);
  });

  it("BrokerCore reads packets split into single bytes and packets sharing a chunk", () => {
    const h = new Harness();
    const watcher = h.connect("watcher");
    watcher.subscribe("t", 1);
    const client = h.open();
    const bytes = new Uint8Array([
      ...encodePacket({
        type: "connect",
        protocolVersion: 5,
        clientId: "c",
        clean: true,
        keepalive: 0,
      }, 5),
      ...encodePacket({
        type: "publish",
        topic: "t",
        payload: new Uint8Array([1]),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 1,
      }, 5),
      ...encodePacket({ type: "pingreq" }, 5),
    ]);
    for (const byte of bytes.subarray(0, 20)) client.send(new Uint8Array([byte]));
    client.send(bytes.subarray(20));
    assert.deepEqual(client.take().map((p) => p.type), ["connack", "puback", "pingresp"]);
    assert.equal(watcher.takePublishes().length, 1);
  });

  it("BrokerCore closes a connection whose first packet is not CONNECT", () => {
    const h = new Harness();
    const client = h.open(4);
    client.send({ type: "pingreq" });
    assert.equal(client.closed, true);
    client.expectNothing();
  });

  it("BrokerCore closes a connection that sends no CONNECT in time", () => {
    const h = new Harness();
    const client = h.open();
    assert.equal(h.core.nextDeadline(), h.now + CONNECT_TIMEOUT_MS);
    h.advance(CONNECT_TIMEOUT_MS - 1);
    assert.equal(client.closed, false);
    h.advance(1);
    assert.equal(client.closed, true);
    assert.equal(h.core.connectionCount, 0);
  });

  it("BrokerCore refuses enhanced authentication with 0x8C", () => {
    const h = new Harness();
    const client = h.open();
    client.send({
      type: "connect",
      protocolVersion: 5,
      clientId: "c",
      clean: true,
      keepalive: 0,
      properties: { authenticationMethod: "SCRAM-SHA-1" },
    });
    assert.equal(client.expect("connack").reasonCode, 0x8c);
    assert.equal(client.closed, true);
  });

  it("BrokerCore refuses a will above Maximum QoS (0x9B) or retained without retain (0x9A)", () => {
    const h = new Harness({ maximumQoS: 1, retainAvailable: false });
    const payload = new Uint8Array(0);
    for (
      const [will, code] of [
        [{ topic: "w", payload, qos: 2 as const, retain: false }, 0x9b],
        [{ topic: "w", payload, qos: 1 as const, retain: true }, 0x9a],
      ] as const
    ) {
      const client = h.open();
      client.send({
        type: "connect",
        protocolVersion: 5,
        clientId: "c",
        clean: true,
        keepalive: 0,
        will,
      });
      assert.equal(client.expect("connack").reasonCode, code);
      assert.equal(client.closed, true);
    }
  });

  it("BrokerCore answers a second CONNECT with DISCONNECT 0x82", () => {
    const h = new Harness();
    const client = h.connect("c");
    client.send({ type: "connect", protocolVersion: 5, clientId: "c", clean: true, keepalive: 0 });
    client.expectDisconnect(0x82);
  });
});

describe("BrokerCore authentication hook", () => {
  const password = (text: string) => new TextEncoder().encode(text);

  it("BrokerCore passes the credentials to the hook and accepts on true", () => {
    const seen: unknown[] = [];
    const h = new Harness({}, {
      authenticate: (request, done) => {
        seen.push(request);
        done(true, 0);
      },
    });
    h.connect("c", { username: "u", password: password("p") });
    assert.deepEqual(seen, [
      { clientId: "c", protocolVersion: 5, username: "u", password: password("p") },
    ]);
  });

  it("BrokerCore refuses with 0x86 on false, and return code 4 on MQTT 3.1.1", () => {
    const h = new Harness({}, { authenticate: (_, done) => done(false, 0) });
    for (const protocolVersion of [5, 4] as const) {
      const client = h.open(protocolVersion);
      client.send({ type: "connect", protocolVersion, clientId: "c", clean: true, keepalive: 0 });
      const connack = client.expect("connack");
      assert.equal(connack.reasonCode, protocolVersion === 5 ? 0x86 : 4);
      assert.equal(client.closed, true);
    }
    assert.equal(h.core.sessionCount, 0);
  });

  it("BrokerCore refuses with the reason code the hook returns (0x87 → return code 5)", () => {
    const h = new Harness({}, { authenticate: (_, done) => done(0x87, 0) });
    const v5 = h.open(5);
    v5.send({ type: "connect", protocolVersion: 5, clientId: "c", clean: true, keepalive: 0 });
    assert.equal(v5.expect("connack").reasonCode, 0x87);
    const v4 = h.open(4);
    v4.send({ type: "connect", protocolVersion: 4, clientId: "c", clean: true, keepalive: 0 });
    assert.equal(v4.expect("connack").reasonCode, 5);
  });

  it("BrokerCore holds packets sent during a slow authentication and handles them after", () => {
    let decide: ((ok: boolean) => void) | undefined;
    const h = new Harness({}, {
      authenticate: (request, done) => {
        if (request.clientId !== "c") done(true, h.now);
        else decide = (ok) => done(ok, h.now);
      },
    });
    const watcher = h.connect("watcher");
    watcher.subscribe("t", 1);
    const client = h.open();
    client.send({ type: "connect", protocolVersion: 5, clientId: "c", clean: true, keepalive: 0 });
    client.send({
      type: "publish",
      topic: "t",
      payload: new Uint8Array([1]),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
    });
    client.expectNothing();
    watcher.expectNothing();
    decide!(true);
    assert.equal(client.expect("connack").reasonCode, 0);
    assert.equal(client.expect("puback").reasonCode, 0);
    assert.deepEqual(watcher.messages(), ["t \u0001"]);
  });
});

describe("BrokerCore keepalive", () => {
  it("BrokerCore disconnects a silent client after 1.5 × keepalive with 0x8D", () => {
    const h = new Harness();
    const client = h.connect("c", { keepalive: 10 });
    h.advance(14_000);
    client.send({ type: "pingreq" });
    client.expect("pingresp");
    h.advance(14_999);
    assert.equal(client.closed, false);
    h.advance(1);
    client.expectDisconnect(0x8d);
  });

  it("BrokerCore imposes serverKeepAlive and announces it", () => {
    const h = new Harness({ serverKeepAlive: 2 });
    const client = h.connect("c", { keepalive: 0 });
    assert.equal(client.connack.properties?.serverKeepAlive, 2);
    h.advance(3_000);
    client.expectDisconnect(0x8d);
  });

  it("BrokerCore closes an MQTT 3.1.1 client after 1.5 × keepalive without a DISCONNECT", () => {
    const h = new Harness();
    const client = h.connect("c", { protocolVersion: 4, keepalive: 1 });
    h.advance(1_500);
    assert.equal(client.closed, true);
    client.expectNothing();
  });
});

describe("BrokerCore protocol errors", () => {
  it("BrokerCore answers a malformed packet with DISCONNECT 0x81 on MQTT 5", () => {
    const h = new Harness();
    const client = h.connect("c");
    client.send(new Uint8Array([0x60, 0x02, 0, 1])); // PUBREL with flags 0000 [MQTT-3.6.1-1]
    client.expectDisconnect(0x81);
  });

  it("BrokerCore closes an MQTT 3.1.1 connection on a malformed packet without DISCONNECT", () => {
    const h = new Harness();
    const client = h.connect("c", { protocolVersion: 4 });
    client.send(new Uint8Array([0x60, 0x02, 0, 1]));
    assert.equal(client.closed, true);
    client.expectNothing();
  });

  it("BrokerCore answers a packet above its Maximum Packet Size with DISCONNECT 0x95", () => {
    const h = new Harness({ maximumPacketSize: 100 });
    const client = h.connect("c");
    client.send(encodePacket({
      type: "publish",
      topic: "t",
      payload: new Uint8Array(200),
      qos: 0,
      retain: false,
      dup: false,
    }, 5));
    client.expectDisconnect(0x95);
  });

  it("BrokerCore answers a QoS above Maximum QoS with DISCONNECT 0x9B", () => {
    const h = new Harness({ maximumQoS: 1 });
    const client = h.connect("c");
    client.send({
      type: "publish",
      topic: "t",
      payload: new Uint8Array(0),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 1,
    });
    client.expectDisconnect(0x9b);
  });

  it("BrokerCore answers a retained PUBLISH with 0x9A when retain is not available", () => {
    const h = new Harness({ retainAvailable: false });
    const client = h.connect("c");
    assert.equal(client.connack.properties?.retainAvailable, false);
    client.publish("t", "x", { retain: true });
    client.expectDisconnect(0x9a);
  });

  it("BrokerCore answers a topic alias above its maximum with 0x94 and an unknown one with 0x82", () => {
    const h = new Harness({ topicAliasMaximum: 2 });
    const a = h.connect("a");
    a.publish("t", "x", { properties: { topicAlias: 3 } });
    a.expectDisconnect(0x94);
    const b = h.connect("b");
    b.publish("", "x", { properties: { topicAlias: 1 } });
    b.expectDisconnect(0x82);
  });

  it("BrokerCore answers more QoS 2 messages in flight than Receive Maximum with 0x93", () => {
    const h = new Harness({ receiveMaximum: 2 });
    const client = h.connect("c");
    for (const packetId of [1, 2, 3]) {
      client.send({
        type: "publish",
        topic: "t",
        payload: new Uint8Array(0),
        qos: 2,
        retain: false,
        dup: false,
        packetId,
      });
    }
    client.expect("pubrec");
    client.expect("pubrec");
    client.expectDisconnect(0x93);
  });

  it("BrokerCore answers a server-to-client packet with DISCONNECT 0x82", () => {
    const h = new Harness();
    const client = h.connect("c");
    client.send({ type: "pingresp" });
    client.expectDisconnect(0x82);
  });

  it("BrokerCore refuses a DISCONNECT that sets a session expiry after 0 with 0x82", () => {
    const h = new Harness();
    const client = h.connect("c");
    client.send({ type: "disconnect", reasonCode: 0, properties: { sessionExpiryInterval: 5 } });
    client.expectDisconnect(0x82);
  });

  it("BrokerCore answers a SUBSCRIBE with a subscription identifier with 0xA1 when unsupported", () => {
    const h = new Harness({ subscriptionIdentifierAvailable: false });
    const client = h.connect("c");
    client.send({
      type: "subscribe",
      packetId: 1,
      subscriptions: [{ topicFilter: "t", qos: 0 }],
      properties: { subscriptionIdentifier: 1 },
    });
    client.expectDisconnect(0xa1);
  });
});
