import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodedLength, encodePacket, type Packet } from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex, hex } from "../_helpers/hex.ts";
import { itRefusesDecoding } from "../_helpers/codec_fixtures.ts";

describe("acks, pings, DISCONNECT and AUTH encode ⇄ decode", () => {
  const cases: [string, Packet, 3 | 4 | 5, string][] = [
    ["a PUBACK", { type: "puback", packetId: 5, reasonCode: 0 }, 4, "40 02 0005"],
    ["a PUBREL", { type: "pubrel", packetId: 5, reasonCode: 0 }, 3, "62 02 0005"],
    [
      "an MQTT 5 PUBACK with success and no properties",
      { type: "puback", packetId: 5, reasonCode: 0 },
      5,
      "40 02 0005",
    ],
    [
      "an MQTT 5 PUBREC with a reason code",
      { type: "pubrec", packetId: 5, reasonCode: 0x10 },
      5,
      "50 03 0005 10",
    ],
    [
      "an MQTT 5 PUBCOMP with a reason string",
      { type: "pubcomp", packetId: 5, reasonCode: 0x92, properties: { reasonString: "x" } },
      5,
      "70 08 0005 92 04 1f 0001 78",
    ],
    ["a PINGREQ", { type: "pingreq" }, 4, "c0 00"],
    ["a PINGRESP", { type: "pingresp" }, 5, "d0 00"],
    ["a DISCONNECT", { type: "disconnect", reasonCode: 0 }, 4, "e0 00"],
    ["an MQTT 5 normal DISCONNECT", { type: "disconnect", reasonCode: 0 }, 5, "e0 00"],
    ["an MQTT 5 DISCONNECT with will", { type: "disconnect", reasonCode: 0x04 }, 5, "e0 01 04"],
    [
      "an MQTT 5 DISCONNECT with a server reference",
      { type: "disconnect", reasonCode: 0x9c, properties: { serverReference: "b" } },
      5,
      "e0 06 9c 04 1c 0001 62",
    ],
    ["an AUTH success", { type: "auth", reasonCode: 0 }, 5, "f0 00"],
    [
      "an AUTH continuing",
      {
        type: "auth",
        reasonCode: 0x18,
        properties: { authenticationMethod: "m", authenticationData: new Uint8Array([1]) },
      },
      5,
      "f0 0a 18 08 15 0001 6d 16 0001 01",
    ],
  ];
  for (const [name, packet, version, bytes] of cases) {
    it(`encodePacket/decodePacket: ${name} (v${version}) is ${bytes}`, () => {
      assert.equal(hex(encodePacket(packet, version)), hex(fromHex(bytes)));
      assert.equal(encodedLength(packet, version), fromHex(bytes).length);
      assert.deepEqual(decodePacket(fromHex(bytes), version), packet);
    });
  }

  it("decodePacket reads an MQTT 5 DISCONNECT and PUBACK whose property length is left out", () => {
    assert.deepEqual(decodePacket(fromHex("e0 01 8e"), 5), {
      type: "disconnect",
      reasonCode: 0x8e,
    });
    assert.deepEqual(decodePacket(fromHex("40 03 0001 87"), 5), {
      type: "puback",
      packetId: 1,
      reasonCode: 0x87,
    });
  });
});

describe("control packet refusals", () => {
  const refuses = itRefusesDecoding;
  refuses("PUBREL flags other than 0b0010 [MQTT-3.6.1-1]", "60 02 0001", 4, MalformedPacketError);
  refuses("PUBACK flags other than 0", "41 02 0001", 4, MalformedPacketError);
  refuses("a PUBACK with packet id 0", "40 02 0000", 5, ProtocolError);
  refuses("a PUBACK with a reason code before MQTT 5", "40 03 0001 00", 4, MalformedPacketError);
  refuses("a PUBREL reason code not valid in PUBREL", "62 03 0001 10", 5, ProtocolError);
  refuses("a PINGREQ with a body", "c0 01 00", 4, MalformedPacketError);
  refuses("a DISCONNECT with a body before MQTT 5", "e0 01 00", 4, MalformedPacketError);
  refuses("a DISCONNECT reason code not valid in DISCONNECT", "e0 01 01", 5, ProtocolError);
  refuses("AUTH before MQTT 5 (packet type 15 is reserved)", "f0 00", 4, MalformedPacketError);
  refuses("packet type 0", "00 00", 5, MalformedPacketError);
  refuses("an AUTH continuing without an authentication method", "f0 02 18 00", 5, ProtocolError);

  it("encodePacket refuses reason codes before MQTT 5 and AUTH before MQTT 5", () => {
    assert.throws(
      () => encodePacket({ type: "puback", packetId: 1, reasonCode: 0x10 }, 4),
      /reasonCode/,
    );
    assert.throws(() => encodePacket({ type: "disconnect", reasonCode: 0x04 }, 4), /reasonCode/);
    assert.throws(() => encodePacket({ type: "auth", reasonCode: 0 }, 4), /AUTH requires MQTT 5/);
    assert.throws(
      () => encodePacket({ type: "pubrel", packetId: 1, reasonCode: 0x10 }, 5),
      /reasonCode/,
    );
    assert.throws(
      () => encodePacket({ type: "auth", reasonCode: 0x18 }, 5),
      /authenticationMethod/,
    );
  });

  it("encodePacket refuses an unknown packet type and an unknown protocol version", () => {
    assert.throws(() => encodePacket({ type: "nope" } as unknown as Packet, 4), TypeError);
    assert.throws(() => encodePacket({ type: "pingreq" }, 6 as 5), RangeError);
  });
});
