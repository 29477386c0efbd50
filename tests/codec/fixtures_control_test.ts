/**
 * PINGREQ, PINGRESP, DISCONNECT and AUTH fixtures: packet object ⇄ exact bytes, for
 * MQTT 3.1, 3.1.1 and 5.0.
 */
import { describe } from "node:test";
import { checkDecodeOnly, checkFixtures } from "../_helpers/codec_fixtures.ts";
import type { Fixture } from "../_helpers/codec_fixtures.ts";
import type { ProtocolVersion } from "../../src/codec/types.ts";

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
