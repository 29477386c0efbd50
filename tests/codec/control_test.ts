/**
 * PINGREQ, PINGRESP, DISCONNECT and AUTH fixtures (and more acknowledgements): packet object
 * ⇄ exact bytes, for MQTT 3.1, 3.1.1 and 5.0; the objects the encoder refuses and the frames
 * the decoder refuses.
 */
import { describe } from "node:test";
import {
  checkDecodeOnly,
  checkDecodeRefusals,
  checkEncodeRefusals,
  checkFixtures,
} from "../_helpers/codec_fixtures.ts";
import type { DecodeRefusal, EncodeRefusal, Fixture } from "../_helpers/codec_fixtures.ts";
import type { ProtocolVersion } from "../../src/codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";

function control(version: ProtocolVersion): Fixture[] {
  return [
    { name: "a PINGREQ", version, packet: { type: "pingreq" }, hex: "c0 00" },
    { name: "a PINGRESP", version, packet: { type: "pingresp" }, hex: "d0 00" },
    {
      name: "a DISCONNECT with no reason code",
      version,
      packet: { type: "disconnect", reasonCode: 0 },
      hex: "e0 00",
    },
  ];
}

const disconnect5: Fixture[] = [
  {
    name: "a DISCONNECT with reason 0x8E and no properties",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0x8e },
    hex: "e0 01 8e",
  },
  {
    name: "a DISCONNECT with reason 0x04 (disconnect with will message)",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0x04 },
    hex: "e0 01 04",
  },
  {
    name: "a DISCONNECT with every DISCONNECT property",
    version: 5,
    packet: {
      type: "disconnect",
      reasonCode: 0x9c,
      properties: {
        sessionExpiryInterval: 0,
        serverReference: "other.host",
        reasonString: "bye!",
        userProperties: [["a", "b"]],
      },
    },
    hex: "e0 22 9c 20 | 11 00000000 | 1c 000a 6f746865722e686f7374 | 1f 0004 62796521" +
      "| 26 0001 61 0001 62",
  },
];

const auth5: Fixture[] = [
  {
    name: "an AUTH with reason Success and no properties",
    version: 5,
    packet: { type: "auth", reasonCode: 0 },
    hex: "f0 00",
  },
  {
    name: "an AUTH continuing authentication with method, data and reason string",
    version: 5,
    packet: {
      type: "auth",
      reasonCode: 0x18,
      properties: {
        authenticationMethod: "SCRAM",
        authenticationData: new Uint8Array([1, 2]),
        reasonString: "c",
      },
    },
    hex: "f0 13 18 11 | 15 0005 534352414d | 16 0002 0102 | 1f 0001 63",
  },
  {
    name: "an AUTH asking to re-authenticate",
    version: 5,
    packet: { type: "auth", reasonCode: 0x19, properties: { authenticationMethod: "SCRAM" } },
    hex: "f0 0a 19 08 | 15 0005 534352414d",
  },
];

describe("PINGREQ/PINGRESP/DISCONNECT fixtures, MQTT 3.1", () => checkFixtures(control(3)));
describe("PINGREQ/PINGRESP/DISCONNECT fixtures, MQTT 3.1.1", () => checkFixtures(control(4)));
describe("PINGREQ/PINGRESP/DISCONNECT fixtures, MQTT 5", () => checkFixtures(control(5)));
describe("DISCONNECT fixtures, MQTT 5", () => checkFixtures(disconnect5));
describe("AUTH fixtures, MQTT 5", () => checkFixtures(auth5));

describe("DISCONNECT and AUTH decoding of the longer valid forms", () =>
  checkDecodeOnly([
    {
      name: "a DISCONNECT with reason Normal and an empty property length",
      version: 5,
      packet: { type: "disconnect", reasonCode: 0 },
      hex: "e0 02 00 00",
    },
    {
      name: "a DISCONNECT with a reason code and an empty property length",
      version: 5,
      packet: { type: "disconnect", reasonCode: 0x81 },
      hex: "e0 02 81 00",
    },
    {
      name: "an AUTH with reason Success spelled out and an empty property length",
      version: 5,
      packet: { type: "auth", reasonCode: 0 },
      hex: "f0 02 00 00",
    },
  ]));

const mixed: Fixture[] = [
  {
    name: "a PUBACK",
    version: 4,
    packet: { type: "puback", packetId: 5, reasonCode: 0 },
    hex: "40 02 0005",
  },
  {
    name: "a PUBREL",
    version: 3,
    packet: { type: "pubrel", packetId: 5, reasonCode: 0 },
    hex: "62 02 0005",
  },
  {
    name: "an MQTT 5 PUBACK with success and no properties",
    version: 5,
    packet: { type: "puback", packetId: 5, reasonCode: 0 },
    hex: "40 02 0005",
  },
  {
    name: "an MQTT 5 PUBREC with a reason code",
    version: 5,
    packet: { type: "pubrec", packetId: 5, reasonCode: 0x10 },
    hex: "50 03 0005 10",
  },
  {
    name: "an MQTT 5 PUBCOMP with a reason string",
    version: 5,
    packet: { type: "pubcomp", packetId: 5, reasonCode: 0x92, properties: { reasonString: "x" } },
    hex: "70 08 0005 92 04 1f 0001 78",
  },
  { name: "a PINGREQ", version: 4, packet: { type: "pingreq" }, hex: "c0 00" },
  { name: "a PINGRESP", version: 5, packet: { type: "pingresp" }, hex: "d0 00" },
  { name: "a DISCONNECT", version: 4, packet: { type: "disconnect", reasonCode: 0 }, hex: "e0 00" },
  {
    name: "an MQTT 5 normal DISCONNECT",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0 },
    hex: "e0 00",
  },
  {
    name: "an MQTT 5 DISCONNECT with will",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0x04 },
    hex: "e0 01 04",
  },
  {
    name: "an MQTT 5 DISCONNECT with a server reference",
    version: 5,
    packet: { type: "disconnect", reasonCode: 0x9c, properties: { serverReference: "b" } },
    hex: "e0 06 9c 04 1c 0001 62",
  },
  { name: "an AUTH success", version: 5, packet: { type: "auth", reasonCode: 0 }, hex: "f0 00" },
  {
    name: "an AUTH continuing",
    version: 5,
    packet: {
      type: "auth",
      reasonCode: 0x18,
      properties: { authenticationMethod: "m", authenticationData: new Uint8Array([1]) },
    },
    hex: "f0 0a 18 08 15 0001 6d 16 0001 01",
  },
];

describe("acknowledgement, PING, DISCONNECT and AUTH fixtures", () => checkFixtures(mixed));

describe("DISCONNECT and PUBACK decoding without the property length", () =>
  checkDecodeOnly([
    {
      name: "an MQTT 5 DISCONNECT whose property length is left out",
      version: 5,
      packet: { type: "disconnect", reasonCode: 0x8e },
      hex: "e0 01 8e",
    },
    {
      name: "an MQTT 5 PUBACK whose property length is left out",
      version: 5,
      packet: { type: "puback", packetId: 1, reasonCode: 0x87 },
      hex: "40 03 0001 87",
    },
  ]));

const encodeRefusals: EncodeRefusal[] = [
  {
    name: "a PUBACK reason code before MQTT 5",
    version: 4,
    packet: { type: "puback", packetId: 1, reasonCode: 0x10 },
    error: RangeError,
    message: /^reasonCode of a PUBACK must be 0 before MQTT 5, got 16$/,
  },
  {
    name: "a DISCONNECT reason code before MQTT 5",
    version: 4,
    packet: { type: "disconnect", reasonCode: 0x04 },
    error: RangeError,
    message: /reasonCode/,
  },
  {
    name: "AUTH before MQTT 5",
    version: 4,
    packet: { type: "auth", reasonCode: 0 },
    error: RangeError,
    message:
      /^packet\.type must be other than "auth" before MQTT 5, got "auth" \(protocol version 4\)$/,
  },
  {
    name: "a reason code not valid in PUBREL",
    version: 5,
    packet: { type: "pubrel", packetId: 1, reasonCode: 0x10 },
    error: RangeError,
    message: /^reasonCode must be a PUBREL reason code \(MQTT 5 §2\.4\), got 16$/,
  },
  {
    name: "an AUTH continuing without an authentication method",
    version: 5,
    packet: { type: "auth", reasonCode: 0x18 },
    error: RangeError,
    message: /properties\.authenticationMethod must be set/,
  },
  {
    name: "an unknown packet type",
    version: 4,
    packet: { type: "nope" },
    error: TypeError,
    message: /^packet\.type must be an MQTT packet type, got "nope"$/,
  },
  {
    name: "an unknown protocol version",
    version: 6 as 5,
    packet: { type: "pingreq" },
    error: RangeError,
    message: /^protocolVersion must be 3, 4 or 5, got 6$/,
  },
];

const decodeRefusals: DecodeRefusal[] = [
  {
    name: "PUBREL flags other than 0b0010 [MQTT-3.6.1-1]",
    version: 4,
    hex: "60 02 0001",
    error: MalformedPacketError,
  },
  { name: "PUBACK flags other than 0", version: 4, hex: "41 02 0001", error: MalformedPacketError },
  { name: "a PUBACK with packet id 0", version: 5, hex: "40 02 0000", error: ProtocolError },
  {
    name: "a PUBACK with a reason code before MQTT 5",
    version: 4,
    hex: "40 03 0001 00",
    error: MalformedPacketError,
  },
  {
    name: "a PUBREL reason code not valid in PUBREL",
    version: 5,
    hex: "62 03 0001 10",
    error: ProtocolError,
  },
  { name: "a PINGREQ with a body", version: 4, hex: "c0 01 00", error: MalformedPacketError },
  {
    name: "a DISCONNECT with a body before MQTT 5",
    version: 4,
    hex: "e0 01 00",
    error: MalformedPacketError,
  },
  {
    name: "a DISCONNECT reason code not valid in DISCONNECT",
    version: 5,
    hex: "e0 01 01",
    error: ProtocolError,
  },
  {
    name: "AUTH before MQTT 5 (packet type 15 is reserved)",
    version: 4,
    hex: "f0 00",
    error: MalformedPacketError,
  },
  { name: "packet type 0", version: 5, hex: "00 00", error: MalformedPacketError },
  {
    name: "an AUTH continuing without an authentication method",
    version: 5,
    hex: "f0 02 18 00",
    error: ProtocolError,
  },
];

describe("acknowledgement, DISCONNECT and AUTH objects the encoder refuses", () =>
  checkEncodeRefusals(encodeRefusals));
describe("acknowledgement, PING, DISCONNECT and AUTH frames the decoder refuses", () =>
  checkDecodeRefusals(decodeRefusals));
