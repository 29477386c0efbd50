/**
 * CONNECT and CONNACK fixtures: packet object ⇄ exact bytes, for MQTT 3.1, 3.1.1 and 5.0.
 * Properties are listed in ascending identifier order, so the expected bytes do not depend
 * on whether the encoder walks the object or the property table. Also: the objects the encoder
 * refuses and the frames the decoder refuses.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkDecodeOnly,
  checkDecodeRefusals,
  checkEncodeRefusals,
  checkFixtures,
} from "../_helpers/codec_fixtures.ts";
import type { DecodeRefusal, EncodeRefusal, Fixture } from "../_helpers/codec_fixtures.ts";
import { utf8 } from "../_helpers/hex.ts";
import {
  type ConnackPacket,
  type ConnectPacket,
  decodePacket,
  encodePacket,
} from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";

const MQTT = "0004 4d515454"; // "MQTT"
const MQISDP = "0006 4d5149736470"; // "MQIsdp"

const connect311: Fixture[] = [
  {
    name: "a CONNECT with a zero-length client id, clean session and no keepalive",
    version: 4,
    packet: { type: "connect", protocolVersion: 4, clientId: "", clean: true, keepalive: 0 },
    hex: `10 0c | ${MQTT} 04 02 0000 | 0000`,
  },
  {
    name: "a CONNECT with username and password",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "korero",
      clean: true,
      keepalive: 60,
      username: "user",
      password: utf8("pass"),
    },
    hex: `10 1e | ${MQTT} 04 c2 003c | 0006 6b6f7265726f | 0004 75736572 | 0004 70617373`,
  },
  {
    name: "a CONNECT with a retained QoS 1 will and no clean session",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "c1",
      clean: false,
      keepalive: 10,
      will: { topic: "will/t", payload: utf8("bye"), qos: 1, retain: true },
    },
    hex: `10 1b | ${MQTT} 04 2c 000a | 0002 6331 | 0006 77696c6c2f74 | 0003 627965`,
  },
  {
    name: "a CONNECT with a QoS 2 will with an empty payload, a username and keepalive 65535",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "x",
      clean: true,
      keepalive: 65535,
      username: "u",
      will: { topic: "a", payload: new Uint8Array(0), qos: 2, retain: false },
    },
    hex: `10 15 | ${MQTT} 04 96 ffff | 0001 78 | 0001 61 | 0000 | 0001 75`,
  },
  {
    name: "a CONNECT with an empty password",
    version: 4,
    packet: {
      type: "connect",
      protocolVersion: 4,
      clientId: "e",
      clean: true,
      keepalive: 1,
      username: "u",
      password: new Uint8Array(0),
    },
    hex: `10 12 | ${MQTT} 04 c2 0001 | 0001 65 | 0001 75 | 0000`,
  },
];

const connect31: Fixture[] = [
  {
    name: "an MQIsdp CONNECT",
    version: 3,
    packet: { type: "connect", protocolVersion: 3, clientId: "mosq-1", clean: true, keepalive: 60 },
    hex: `10 14 | ${MQISDP} 03 02 003c | 0006 6d6f73712d31`,
  },
  {
    name: "an MQIsdp CONNECT with will, username and password",
    version: 3,
    packet: {
      type: "connect",
      protocolVersion: 3,
      clientId: "a",
      clean: false,
      keepalive: 30,
      username: "u",
      password: utf8("p"),
      will: { topic: "t", payload: utf8("x"), qos: 0, retain: false },
    },
    hex: `10 1b | ${MQISDP} 03 c4 001e | 0001 61 | 0001 74 | 0001 78 | 0001 75 | 0001 70`,
  },
];

const connect5: Fixture[] = [
  {
    name: "a CONNECT with a zero-length client id and no properties",
    version: 5,
    packet: { type: "connect", protocolVersion: 5, clientId: "", clean: true, keepalive: 0 },
    hex: `10 0d | ${MQTT} 05 02 0000 00 | 0000`,
  },
  {
    // MQTT 5.0 §3.1.2.11, Figure 3-7 (variable header example): flags 0xCE, keepalive 10,
    // property length 5 holding Session Expiry Interval (0x11) = 10.
    name: "the spec's CONNECT variable header example, with its will, username and password",
    version: 5,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "spec",
      clean: true,
      keepalive: 10,
      username: "u",
      password: utf8("pw"),
      will: { topic: "w", payload: utf8("p"), qos: 1, retain: false },
      properties: { sessionExpiryInterval: 10 },
    },
    hex: `10 24 | ${MQTT} 05 ce 000a 05 11 0000000a` +
      `| 0004 73706563 | 00 | 0001 77 | 0001 70 | 0001 75 | 0002 7077`,
  },
  {
    name: "a CONNECT with every CONNECT property and a repeated user property key",
    version: 5,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "all",
      clean: true,
      keepalive: 60,
      properties: {
        sessionExpiryInterval: 3600,
        authenticationMethod: "SCRAM",
        authenticationData: new Uint8Array([1, 2, 3]),
        requestProblemInformation: false,
        requestResponseInformation: true,
        receiveMaximum: 20,
        topicAliasMaximum: 10,
        userProperties: [["a", "1"], ["a", "2"]],
        maximumPacketSize: 65536,
      },
    },
    hex: `10 40 | ${MQTT} 05 02 003c | 30` +
      "| 11 00000e10 | 15 0005 534352414d | 16 0003 010203 | 17 00 | 19 01 | 21 0014 | 22 000a" +
      "| 26 0001 61 0001 31 | 26 0001 61 0001 32 | 27 00010000 | 0003 616c6c",
  },
  {
    name: "a CONNECT with a will carrying every will property",
    version: 5,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "w5",
      clean: false,
      keepalive: 5,
      will: {
        topic: "last/will",
        payload: utf8("gone"),
        qos: 2,
        retain: true,
        properties: {
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
          contentType: "text/plain",
          responseTopic: "reply",
          correlationData: new Uint8Array([0xca, 0xfe]),
          willDelayInterval: 30,
          userProperties: [["k", "v"]],
        },
      },
    },
    hex: `10 4e | ${MQTT} 05 34 0005 00 | 0002 7735 | 2d` +
      "| 01 01 | 02 0000003c | 03 000a 746578742f706c61696e | 08 0005 7265706c79" +
      "| 09 0002 cafe | 18 0000001e | 26 0001 6b 0001 76" +
      "| 0009 6c6173742f77696c6c | 0004 676f6e65",
  },
  {
    name: "a CONNECT with a password and no username (allowed since MQTT 5)",
    version: 5,
    packet: {
      type: "connect",
      protocolVersion: 5,
      clientId: "p",
      clean: true,
      keepalive: 0,
      password: new Uint8Array([0xff, 0x00]),
    },
    hex: `10 12 | ${MQTT} 05 42 0000 00 | 0001 70 | 0002 ff00`,
  },
];

const connack: Fixture[] = [
  {
    name: "a CONNACK accepting the connection",
    version: 4,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0 },
    hex: "20 02 00 00",
  },
  {
    name: "a CONNACK with session present",
    version: 4,
    packet: { type: "connack", sessionPresent: true, reasonCode: 0 },
    hex: "20 02 01 00",
  },
  {
    name: "a CONNACK refusing with return code 5 (not authorized)",
    version: 4,
    packet: { type: "connack", sessionPresent: false, reasonCode: 5 },
    hex: "20 02 00 05",
  },
  {
    name: "a CONNACK refusing with return code 2 (identifier rejected)",
    version: 3,
    packet: { type: "connack", sessionPresent: false, reasonCode: 2 },
    hex: "20 02 00 02",
  },
  {
    name: "a CONNACK with no properties",
    version: 5,
    packet: { type: "connack", sessionPresent: false, reasonCode: 0 },
    hex: "20 03 00 00 00",
  },
  {
    name: "a CONNACK with session present and no properties",
    version: 5,
    packet: { type: "connack", sessionPresent: true, reasonCode: 0 },
    hex: "20 03 01 00 00",
  },
  {
    name: "a CONNACK refusing with 0x87 and a reason string",
    version: 5,
    packet: {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0x87,
      properties: { reasonString: "no" },
    },
    hex: "20 08 00 87 05 1f 0002 6e6f",
  },
  {
    name: "a CONNACK with every CONNACK property",
    version: 5,
    packet: {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 120,
        assignedClientIdentifier: "aut0",
        serverKeepAlive: 30,
        authenticationMethod: "SCRAM",
        authenticationData: new Uint8Array([0xab, 0xcd]),
        responseInformation: "resp",
        serverReference: "other",
        reasonString: "ok",
        receiveMaximum: 10,
        topicAliasMaximum: 5,
        maximumQoS: 1,
        retainAvailable: false,
        userProperties: [["x", ""]],
        maximumPacketSize: 1048576,
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifierAvailable: true,
        sharedSubscriptionAvailable: false,
      },
    },
    hex: "20 4e 00 00 4b" +
      "| 11 00000078 | 12 0004 61757430 | 13 001e | 15 0005 534352414d | 16 0002 abcd" +
      "| 1a 0004 72657370 | 1c 0005 6f74686572 | 1f 0002 6f6b | 21 000a | 22 0005 | 24 01" +
      "| 25 00 | 26 0001 78 0000 | 27 00100000 | 28 00 | 29 01 | 2a 00",
  },
];

describe("CONNECT fixtures, MQTT 3.1.1", () => checkFixtures(connect311));
describe("CONNECT fixtures, MQTT 3.1", () => checkFixtures(connect31));
describe("CONNECT fixtures, MQTT 5", () => checkFixtures(connect5));
describe("CONNACK fixtures", () => checkFixtures(connack));

describe("CONNECT decoding of non-canonical but valid encodings", () =>
  checkDecodeOnly([
    {
      // Property Length is a Variable Byte Integer; the order of properties is free.
      name: "CONNECT properties in descending identifier order",
      version: 5,
      packet: {
        type: "connect",
        protocolVersion: 5,
        clientId: "",
        clean: true,
        keepalive: 0,
        properties: { sessionExpiryInterval: 1, receiveMaximum: 2 },
      },
      hex: `10 15 | ${MQTT} 05 02 0000 08 | 21 0002 | 11 00000001 | 0000`,
    },
    {
      // A broker without MQTT 5 answers an MQTT 5 CONNECT in the 3.1.1 format, return code 1
      // (unacceptable protocol version), as Mosquitto 1.x does; the client must read it.
      name: "a 3.1.1-format CONNACK refusing an MQTT 5 client with return code 1",
      version: 5,
      packet: { type: "connack", sessionPresent: false, reasonCode: 1 },
      hex: "20 02 00 01",
    },
  ]));

const v4: ConnectPacket = {
  type: "connect",
  protocolVersion: 4,
  clientId: "c1",
  clean: true,
  keepalive: 60,
};
const will = { topic: "w", payload: utf8("x"), qos: 0 as const, retain: false };

const connectMore: Fixture[] = [
  {
    name: "an MQTT 3.1 CONNECT with protocol name MQIsdp, level 3",
    version: 3,
    packet: { ...v4, protocolVersion: 3 },
    hex: "10 10 0006 4d5149736470 03 02 003c 0002 6331",
  },
  {
    name: "an MQTT 3.1.1 CONNECT with user name, password and will",
    version: 4,
    packet: {
      ...v4,
      username: "u",
      password: utf8("p"),
      will: { topic: "w", payload: utf8("x"), qos: 2, retain: true },
    },
    hex: "10 1a 0004 4d515454 04 f6 003c 0002 6331 0001 77 0001 78 0001 75 0001 70",
  },
  {
    name: "an MQTT 3.1.1 CONNECT with an empty client id and clean true",
    version: 4,
    packet: { ...v4, clientId: "" },
    hex: "10 0c 0004 4d515454 04 02 003c 0000",
  },
];

const connackMore: Fixture[] = [
  {
    name: "a CONNACK refused, not authorized",
    version: 3,
    packet: { type: "connack", sessionPresent: false, reasonCode: 5 },
    hex: "20 02 00 05",
  },
  {
    name: "a CONNACK with properties on MQTT 5",
    version: 5,
    packet: {
      type: "connack",
      sessionPresent: true,
      reasonCode: 0,
      properties: { maximumQoS: 1, retainAvailable: false, assignedClientIdentifier: "x" },
    },
    hex: "20 0b 01 00 08 2401 2500 12 0001 78",
  },
];

const okConnack: ConnackPacket = { type: "connack", sessionPresent: false, reasonCode: 0 };

const encodeRefusals: EncodeRefusal[] = [
  {
    name: "a CONNECT whose protocolVersion differs from the argument",
    version: 5,
    packet: v4,
    error: RangeError,
    message:
      /^packet\.protocolVersion must equal the protocolVersion it is encoded for \(5\), got 4$/,
  },
  {
    name: "a password without a user name before MQTT 5 [MQTT-3.1.2-22]",
    version: 4,
    packet: { ...v4, password: utf8("p") },
    error: RangeError,
    message: /^password must be absent without a username before MQTT 5 \[MQTT-3\.1\.2-22\]/,
  },
  {
    name: "an empty client id with clean false on MQTT 3.1.1 [MQTT-3.1.3-7]",
    version: 4,
    packet: { ...v4, clientId: "", clean: false },
    error: RangeError,
    message: /^clientId must not be empty when clean is false \[MQTT-3\.1\.3-7\], got ""$/,
  },
  {
    name: "an empty client id on MQTT 3.1",
    version: 3,
    packet: { ...v4, protocolVersion: 3, clientId: "" },
    error: RangeError,
    message: /clientId/,
  },
  {
    name: "keepalive 65536",
    version: 4,
    packet: { ...v4, keepalive: 65_536 },
    error: RangeError,
    message: /^keepalive must be an integer in 0\.\.65535, got 65536$/,
  },
  {
    name: "will QoS 3",
    version: 4,
    packet: { ...v4, will: { ...will, qos: 3 } },
    error: RangeError,
    message: /will\.qos/,
  },
  {
    name: "a will topic with a wildcard",
    version: 4,
    packet: { ...v4, will: { ...will, topic: "a/#" } },
    error: RangeError,
    message: /will\.topic/,
  },
  {
    name: "an empty will topic",
    version: 4,
    packet: { ...v4, will: { ...will, topic: "" } },
    error: RangeError,
    message: /will\.topic/,
  },
  {
    name: "a CONNACK return code 6 before MQTT 5",
    version: 4,
    packet: { ...okConnack, reasonCode: 6 },
    error: RangeError,
    message: /reasonCode/,
  },
  {
    name: "a CONNACK reason code 0x10 on MQTT 5",
    version: 5,
    packet: { ...okConnack, reasonCode: 0x10 },
    error: RangeError,
    message: /reasonCode/,
  },
  {
    name: "session present on a refusing CONNACK",
    version: 5,
    packet: { ...okConnack, sessionPresent: true, reasonCode: 0x87 },
    error: RangeError,
    message: /sessionPresent/,
  },
  {
    name: "CONNACK properties before MQTT 5",
    version: 4,
    packet: { ...okConnack, properties: { maximumQoS: 0 } },
    error: RangeError,
    message: /MQTT 5/,
  },
];

const MQTT_311 = "0004 4d515454 04";
const decodeRefusals: DecodeRefusal[] = [
  {
    name: "the reserved connect flag [MQTT-3.1.2-3]",
    version: 4,
    hex: `10 0c ${MQTT_311} 03 003c 0000`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "will QoS without a will [MQTT-3.1.2-11]",
    version: 4,
    hex: `10 0c ${MQTT_311} 0a 003c 0000`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "will retain without a will [MQTT-3.1.2-13]",
    version: 4,
    hex: `10 0c ${MQTT_311} 22 003c 0000`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "will QoS 3 [MQTT-3.1.2-12]",
    version: 4,
    hex: `10 12 ${MQTT_311} 1e 003c 0000 0001 77 0001 78`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "protocol level 6 with 0x84",
    version: 4,
    hex: "10 0c 0004 4d515454 06 02 003c 0000",
    error: ProtocolError,
    reasonCode: 0x84,
  },
  {
    name: "a CONNECT missing its client id",
    version: 4,
    hex: `10 0a ${MQTT_311} 02 003c`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "a CONNECT with a byte after the client id",
    version: 4,
    hex: `10 0d ${MQTT_311} 02 003c 0000 00`,
    error: MalformedPacketError,
    reasonCode: 0x81,
  },
  {
    name: "reserved CONNACK flag bits [MQTT-3.2.2-1]",
    version: 4,
    hex: "20 02 02 00",
    error: MalformedPacketError,
  },
  {
    name: "session present on a refused connection [MQTT-3.2.2-6]",
    version: 4,
    hex: "20 02 01 05",
    error: ProtocolError,
  },
  {
    name: "session present on a refused MQTT 5 connection [MQTT-3.2.2-6]",
    version: 5,
    hex: "20 03 01 87 00",
    error: ProtocolError,
  },
  { name: "a reserved CONNACK return code", version: 4, hex: "20 02 00 06", error: ProtocolError },
  {
    name: "a reason code not valid in a CONNACK",
    version: 5,
    hex: "20 03 00 8b 00",
    error: ProtocolError,
  },
];

describe("CONNECT and CONNACK fixtures", () => {
  checkFixtures(connectMore);
  checkFixtures(connackMore);
});
describe("CONNECT and CONNACK objects the encoder refuses", () =>
  checkEncodeRefusals(encodeRefusals));
describe("CONNECT and CONNACK frames the decoder refuses", () =>
  checkDecodeRefusals(decodeRefusals));

describe("CONNECT protocol levels", () => {
  it("encodePacket and decodePacket round-trip an MQTT 5 CONNECT with will properties", () => {
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
});
