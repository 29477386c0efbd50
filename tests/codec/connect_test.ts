import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type ConnackPacket,
  type ConnectPacket,
  decodePacket,
  encodedLength,
  encodePacket,
} from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex, hex, utf8 } from "../_helpers/hex.ts";
import { itRefusesDecoding } from "../_helpers/codec_fixtures.ts";

const v4: ConnectPacket = {
  type: "connect",
  protocolVersion: 4,
  clientId: "c1",
  clean: true,
  keepalive: 60,
};

describe("CONNECT", () => {
  it("encodePacket writes an MQTT 3.1 CONNECT with protocol name MQIsdp, level 3", () => {
    const packet: ConnectPacket = { ...v4, protocolVersion: 3 };
    assert.equal(
      hex(encodePacket(packet, 3)),
      hex(fromHex("10 10 0006 4d5149736470 03 02 003c 0002 6331")),
    );
  });

  it("encodePacket writes an MQTT 3.1.1 CONNECT with user name, password and will", () => {
    const packet: ConnectPacket = {
      ...v4,
      username: "u",
      password: utf8("p"),
      will: { topic: "w", payload: utf8("x"), qos: 2, retain: true },
    };
    const bytes = fromHex(
      "10 1a 0004 4d515454 04 f6 003c 0002 6331 0001 77 0001 78 0001 75 0001 70",
    );
    assert.equal(hex(encodePacket(packet, 4)), hex(bytes));
    assert.equal(encodedLength(packet, 4), bytes.length);
    assert.deepEqual(decodePacket(bytes, 4), packet);
  });

  it("encodePacket/decodePacket round-trip an MQTT 5 CONNECT with will properties", () => {
    const packet: ConnectPacket = {
      type: "connect",
      protocolVersion: 5,
      clientId: "",
      clean: false,
      keepalive: 0,
      password: utf8("token"),
      properties: { sessionExpiryInterval: 60, receiveMaximum: 20, userProperties: [["a", "b"]] },
      will: {
        topic: "status/c1",
        payload: utf8("gone"),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: 30, payloadFormatIndicator: true },
      },
    };
    const bytes = encodePacket(packet, 5);
    assert.equal(bytes[9], 0x4c); // password, will QoS 1, will flag; no clean start
    assert.deepEqual(decodePacket(bytes, 5), packet);
  });

  it("decodePacket reads a CONNECT at the level it states, whatever version it is given", () => {
    const v3 = encodePacket({ ...v4, protocolVersion: 3 }, 3);
    const v5 = encodePacket({ ...v4, protocolVersion: 5 }, 5);
    assert.equal((decodePacket(v3, 5) as ConnectPacket).protocolVersion, 3);
    assert.equal((decodePacket(v5, 3) as ConnectPacket).protocolVersion, 5);
  });

  it("encodePacket refuses a CONNECT whose protocolVersion differs from the argument", () => {
    assert.throws(() => encodePacket(v4, 5), RangeError);
  });

  it("encodePacket refuses a password without a user name before MQTT 5 [MQTT-3.1.2-22]", () => {
    assert.throws(
      () => encodePacket({ ...v4, password: utf8("p") }, 4),
      /password requires a username/,
    );
  });

  it("encodePacket refuses an empty client id with clean false on MQTT 3.1.1 [MQTT-3.1.3-7]", () => {
    assert.throws(() => encodePacket({ ...v4, clientId: "", clean: false }, 4), /clientId/);
    assert.equal(encodePacket({ ...v4, clientId: "" }, 4).length, 14);
  });

  it("encodePacket refuses an empty client id on MQTT 3.1", () => {
    assert.throws(() => encodePacket({ ...v4, protocolVersion: 3, clientId: "" }, 3), /clientId/);
  });

  it("encodePacket refuses a bad keepalive, will QoS or will topic", () => {
    const will = { topic: "w", payload: utf8("x"), qos: 0 as const, retain: false };
    assert.throws(() => encodePacket({ ...v4, keepalive: 65_536 }, 4), /keepalive/);
    assert.throws(() => encodePacket({ ...v4, will: { ...will, qos: 3 as 2 } }, 4), /will\.qos/);
    assert.throws(() => encodePacket({ ...v4, will: { ...will, topic: "a/#" } }, 4), /will\.topic/);
    assert.throws(() => encodePacket({ ...v4, will: { ...will, topic: "" } }, 4), /will\.topic/);
  });

  const refuses = (
    name: string,
    bytes: string,
    type: typeof MalformedPacketError | typeof ProtocolError,
    code: number,
  ) => itRefusesDecoding(name, bytes, 4, type, code);
  refuses(
    "the reserved connect flag [MQTT-3.1.2-3]",
    "10 0c 0004 4d515454 04 03 003c 0000",
    MalformedPacketError,
    0x81,
  );
  refuses(
    "will QoS without a will [MQTT-3.1.2-11]",
    "10 0c 0004 4d515454 04 0a 003c 0000",
    MalformedPacketError,
    0x81,
  );
  refuses(
    "will retain without a will [MQTT-3.1.2-13]",
    "10 0c 0004 4d515454 04 22 003c 0000",
    MalformedPacketError,
    0x81,
  );
  refuses(
    "will QoS 3 [MQTT-3.1.2-12]",
    "10 12 0004 4d515454 04 1e 003c 0000 0001 77 0001 78",
    MalformedPacketError,
    0x81,
  );
  refuses("protocol level 6 with 0x84", "10 0c 0004 4d515454 06 02 003c 0000", ProtocolError, 0x84);
  refuses(
    "a CONNECT missing its client id",
    "10 0a 0004 4d515454 04 02 003c",
    MalformedPacketError,
    0x81,
  );
  refuses(
    "a CONNECT with a byte after the client id",
    "10 0d 0004 4d515454 04 02 003c 0000 00",
    MalformedPacketError,
    0x81,
  );
});

describe("CONNACK", () => {
  const cases: [string, ConnackPacket, 3 | 4 | 5, string][] = [
    ["accepted", { type: "connack", sessionPresent: false, reasonCode: 0 }, 4, "20 02 00 00"],
    [
      "with session present",
      { type: "connack", sessionPresent: true, reasonCode: 0 },
      4,
      "20 02 01 00",
    ],
    [
      "refused, not authorized",
      { type: "connack", sessionPresent: false, reasonCode: 5 },
      3,
      "20 02 00 05",
    ],
    [
      "accepted on MQTT 5",
      { type: "connack", sessionPresent: false, reasonCode: 0 },
      5,
      "20 03 00 00 00",
    ],
    [
      "with properties on MQTT 5",
      {
        type: "connack",
        sessionPresent: true,
        reasonCode: 0,
        properties: { maximumQoS: 1, retainAvailable: false, assignedClientIdentifier: "x" },
      },
      5,
      "20 0b 01 00 08 2401 2500 12 0001 78",
    ],
  ];
  for (const [name, packet, version, bytes] of cases) {
    it(`encodePacket/decodePacket: a CONNACK ${name} (v${version}) is ${bytes}`, () => {
      assert.equal(hex(encodePacket(packet, version)), hex(fromHex(bytes)));
      assert.deepEqual(decodePacket(fromHex(bytes), version), packet);
    });
  }

  it("decodePacket accepts a 3.1.1-style refusal on an MQTT 5 connection (older server)", () => {
    assert.deepEqual(decodePacket(fromHex("20 02 00 01"), 5), {
      type: "connack",
      sessionPresent: false,
      reasonCode: 1,
    });
  });

  it("decodePacket refuses reserved CONNACK flag bits [MQTT-3.2.2-1]", () => {
    assert.throws(() => decodePacket(fromHex("20 02 02 00"), 4), MalformedPacketError);
  });

  it("decodePacket refuses session present on a refused connection [MQTT-3.2.2-6]", () => {
    assert.throws(() => decodePacket(fromHex("20 02 01 05"), 4), ProtocolError);
    assert.throws(() => decodePacket(fromHex("20 03 01 87 00"), 5), ProtocolError);
  });

  it("decodePacket refuses reserved return codes and reason codes not valid in a CONNACK", () => {
    assert.throws(() => decodePacket(fromHex("20 02 00 06"), 4), ProtocolError);
    assert.throws(() => decodePacket(fromHex("20 03 00 8b 00"), 5), ProtocolError);
  });

  it("encodePacket refuses invalid CONNACK objects", () => {
    const ok: ConnackPacket = { type: "connack", sessionPresent: false, reasonCode: 0 };
    assert.throws(() => encodePacket({ ...ok, reasonCode: 6 }, 4), /reasonCode/);
    assert.throws(() => encodePacket({ ...ok, reasonCode: 0x10 }, 5), /reasonCode/);
    assert.throws(
      () => encodePacket({ ...ok, sessionPresent: true, reasonCode: 0x87 }, 5),
      /sessionPresent/,
    );
    assert.throws(() => encodePacket({ ...ok, properties: { maximumQoS: 0 } }, 4), /MQTT 5/);
  });
});
