import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodePacket, type Packet } from "../../src/codec/mod.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex, hex } from "../_helpers/hex.ts";
import { itRefusesDecoding } from "../_helpers/codec_fixtures.ts";

describe("SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK encode ⇄ decode", () => {
  const cases: [string, Packet, 3 | 4 | 5, string][] = [
    [
      "a SUBSCRIBE",
      { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a/+", qos: 1 }] },
      4,
      "82 08 0001 0003 612f2b 01",
    ],
    [
      "an MQTT 5 SUBSCRIBE with every option",
      {
        type: "subscribe",
        packetId: 2,
        subscriptions: [
          { topicFilter: "a", qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
          { topicFilter: "b", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
        ],
        properties: { subscriptionIdentifier: 7 },
      },
      5,
      "82 0d 0002 02 0b07 0001 61 2e 0001 62 10",
    ],
    [
      "a SUBACK",
      { type: "suback", packetId: 1, reasonCodes: [0, 1, 2, 0x80] },
      3,
      "90 06 0001 00 01 02 80",
    ],
    [
      "an MQTT 5 SUBACK",
      {
        type: "suback",
        packetId: 1,
        reasonCodes: [0x01, 0xa2],
        properties: { reasonString: "no" },
      },
      5,
      "90 0a 0001 05 1f 0002 6e6f 01 a2",
    ],
    [
      "an UNSUBSCRIBE",
      { type: "unsubscribe", packetId: 3, topicFilters: ["a", "b/#"] },
      4,
      "a2 0a 0003 0001 61 0003 622f23",
    ],
    ["an UNSUBACK", { type: "unsuback", packetId: 3, reasonCodes: [] }, 4, "b0 02 0003"],
    [
      "an MQTT 5 UNSUBACK",
      { type: "unsuback", packetId: 3, reasonCodes: [0x00, 0x11] },
      5,
      "b0 05 0003 00 00 11",
    ],
  ];
  for (const [name, packet, version, bytes] of cases) {
    it(`encodePacket/decodePacket: ${name} (v${version}) is ${bytes}`, () => {
      assert.equal(hex(encodePacket(packet, version)), hex(fromHex(bytes)));
      assert.deepEqual(decodePacket(fromHex(bytes), version), packet);
    });
  }

  it("decodePacket fills in the MQTT 5 subscription options when they are zero", () => {
    const packet = decodePacket(fromHex("82 07 0001 00 0001 61 00"), 5);
    assert.deepEqual(packet.type === "subscribe" && packet.subscriptions, [
      { topicFilter: "a", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
    ]);
  });
});

describe("SUBSCRIBE family refusals", () => {
  const refuses = itRefusesDecoding;
  refuses(
    "SUBSCRIBE flags other than 0b0010 [MQTT-3.8.1-1]",
    "80 06 0001 0001 61 00",
    4,
    MalformedPacketError,
  );
  refuses(
    "UNSUBSCRIBE flags other than 0b0010 [MQTT-3.10.1-1]",
    "a0 05 0001 0001 61",
    4,
    MalformedPacketError,
  );
  refuses("a SUBSCRIBE without topic filters [MQTT-3.8.3-2]", "82 02 0001", 4, ProtocolError);
  refuses(
    "an UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]",
    "a2 03 0001 00",
    5,
    ProtocolError,
  );
  refuses(
    "reserved subscription option bits [MQTT-3.8.3-5]",
    "82 07 0001 00 0001 61 40",
    5,
    MalformedPacketError,
  );
  refuses("retain handling 3", "82 07 0001 00 0001 61 30", 5, ProtocolError);
  refuses("requested QoS 3 on MQTT 5", "82 07 0001 00 0001 61 03", 5, ProtocolError);
  refuses("requested QoS 3 on MQTT 3.1.1", "82 06 0001 0001 61 03", 4, MalformedPacketError);
  refuses("upper option bits on MQTT 3.1.1", "82 06 0001 0001 61 04", 4, MalformedPacketError);
  refuses(
    "no local on a shared subscription [MQTT-3.8.3-4]",
    "82 10 0001 00 000a 2473686172652f672f61 04",
    5,
    ProtocolError,
  );
  refuses("a SUBACK without reason codes", "90 02 0001", 4, ProtocolError);
  refuses("a reserved SUBACK return code [MQTT-3.9.3-2]", "90 03 0001 03", 4, ProtocolError);
  refuses("an MQTT 5 SUBACK reason code not valid in SUBACK", "90 04 0001 00 10", 5, ProtocolError);
  refuses("an UNSUBACK with a payload before MQTT 5", "b0 03 0001 00", 4, MalformedPacketError);
  refuses("an MQTT 5 UNSUBACK without reason codes", "b0 03 0001 00", 5, ProtocolError);

  it("encodePacket refuses empty lists, empty filters and v5 options before MQTT 5", () => {
    assert.throws(
      () => encodePacket({ type: "subscribe", packetId: 1, subscriptions: [] }, 4),
      /must not be empty/,
    );
    assert.throws(
      () =>
        encodePacket({
          type: "subscribe",
          packetId: 1,
          subscriptions: [{ topicFilter: "", qos: 0 }],
        }, 4),
      /subscriptions\[0\]\.topicFilter must not be empty/,
    );
    assert.throws(
      () =>
        encodePacket(
          {
            type: "subscribe",
            packetId: 1,
            subscriptions: [{ topicFilter: "a", qos: 0, noLocal: true }],
          },
          4,
        ),
      /require MQTT 5/,
    );
    assert.throws(
      () =>
        encodePacket(
          {
            type: "subscribe",
            packetId: 1,
            subscriptions: [{ topicFilter: "a", qos: 0, retainHandling: 3 as 2 }],
          },
          5,
        ),
      /retainHandling/,
    );
    assert.throws(
      () => encodePacket({ type: "unsubscribe", packetId: 1, topicFilters: [] }, 4),
      RangeError,
    );
    assert.throws(
      () => encodePacket({ type: "unsuback", packetId: 1, reasonCodes: [0] }, 4),
      /empty before MQTT 5/,
    );
    assert.throws(
      () => encodePacket({ type: "suback", packetId: 1, reasonCodes: [0x87] }, 4),
      /reasonCodes\[0\]/,
    );
    assert.throws(
      () => encodePacket({ type: "suback", packetId: 0, reasonCodes: [0] }, 4),
      /packetId/,
    );
  });
});
