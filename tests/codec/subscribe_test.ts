/**
 * SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK fixtures: packet object ⇄ exact bytes, for
 * MQTT 3.1, 3.1.1 and 5.0; the objects the encoder refuses and the frames the decoder refuses.
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

/** Rows that are the same bytes on 3.1 and 3.1.1. */
function subscribe311(version: ProtocolVersion): Fixture[] {
  return [
    {
      name: "a SUBSCRIBE to one filter (fixed header flags 0010)",
      version,
      packet: { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a/+", qos: 1 }] },
      hex: "82 08 | 0001 | 0003 612f2b 01",
    },
    {
      name: "a SUBSCRIBE to three filters with QoS 0, 2 and 1",
      version,
      packet: {
        type: "subscribe",
        packetId: 0x0a0b,
        subscriptions: [
          { topicFilter: "#", qos: 0 },
          { topicFilter: "x/y", qos: 2 },
          { topicFilter: "$SYS/#", qos: 1 },
        ],
      },
      hex: "82 15 | 0a0b | 0001 23 00 | 0003 782f79 02 | 0006 2453 5953 2f23 01",
    },
    {
      name: "a SUBACK granting QoS 1",
      version,
      packet: { type: "suback", packetId: 1, reasonCodes: [1] },
      hex: "90 03 0001 01",
    },
    {
      name: "a SUBACK granting 0, 1, 2 and refusing one (0x80)",
      version,
      packet: { type: "suback", packetId: 2, reasonCodes: [0, 1, 2, 0x80] },
      hex: "90 06 0002 00 01 02 80",
    },
    {
      name: "an UNSUBSCRIBE from one filter (fixed header flags 0010)",
      version,
      packet: { type: "unsubscribe", packetId: 1, topicFilters: ["a/b"] },
      hex: "a2 07 | 0001 | 0003 612f62",
    },
    {
      name: "an UNSUBSCRIBE from two filters",
      version,
      packet: { type: "unsubscribe", packetId: 5, topicFilters: ["x", "y/#"] },
      hex: "a2 0a | 0005 | 0001 78 | 0003 792f23",
    },
    {
      name: "an UNSUBACK, which has no reason codes before MQTT 5",
      version,
      packet: { type: "unsuback", packetId: 1, reasonCodes: [] },
      hex: "b0 02 0001",
    },
  ];
}

const subscribe5: Fixture[] = [
  {
    name: "a SUBSCRIBE with no properties and default subscription options",
    version: 5,
    packet: {
      type: "subscribe",
      packetId: 1,
      subscriptions: [
        { topicFilter: "t", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    },
    hex: "82 07 | 0001 | 00 | 0001 74 00",
  },
  {
    name:
      "a SUBSCRIBE with every subscription option, a subscription identifier and a user property",
    version: 5,
    packet: {
      type: "subscribe",
      packetId: 3,
      subscriptions: [
        { topicFilter: "a/b", qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
      ],
      properties: { subscriptionIdentifier: 42, userProperties: [["u", "v"]] },
    },
    hex: "82 12 | 0003 | 09 0b 2a 26 0001 75 0001 76 | 0003 612f62 2e",
  },
  {
    name: "a SUBSCRIBE to a shared subscription and a filter with retain handling 1",
    version: 5,
    packet: {
      type: "subscribe",
      packetId: 4,
      subscriptions: [
        {
          topicFilter: "$share/g/t",
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
        { topicFilter: "r", qos: 0, noLocal: false, retainAsPublished: true, retainHandling: 1 },
      ],
    },
    hex: "82 14 | 0004 | 00 | 000a 2473686172652f672f74 01 | 0001 72 18",
  },
  {
    name: "a SUBACK with no properties",
    version: 5,
    packet: { type: "suback", packetId: 1, reasonCodes: [2] },
    hex: "90 04 0001 00 02",
  },
  {
    name: "a SUBACK with a reason string and failure reason codes",
    version: 5,
    packet: {
      type: "suback",
      packetId: 1,
      reasonCodes: [0x00, 0x87, 0xa2],
      properties: { reasonString: "x" },
    },
    hex: "90 0a 0001 04 1f 0001 78 | 00 87 a2",
  },
  {
    name: "an UNSUBSCRIBE with no properties",
    version: 5,
    packet: { type: "unsubscribe", packetId: 1, topicFilters: ["t"] },
    hex: "a2 06 | 0001 | 00 | 0001 74",
  },
  {
    name: "an UNSUBSCRIBE with a user property",
    version: 5,
    packet: {
      type: "unsubscribe",
      packetId: 9,
      topicFilters: ["t"],
      properties: { userProperties: [["k", "v"]] },
    },
    hex: "a2 0d | 0009 | 07 26 0001 6b 0001 76 | 0001 74",
  },
  {
    name: "an UNSUBACK with one reason code",
    version: 5,
    packet: { type: "unsuback", packetId: 1, reasonCodes: [0] },
    hex: "b0 04 0001 00 00",
  },
  {
    name: "an UNSUBACK with a reason string and three reason codes",
    version: 5,
    packet: {
      type: "unsuback",
      packetId: 2,
      reasonCodes: [0x11, 0x00, 0x87],
      properties: { reasonString: "r" },
    },
    hex: "b0 0a 0002 04 1f 0001 72 | 11 00 87",
  },
];

describe("SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK fixtures, MQTT 3.1", () =>
  checkFixtures(subscribe311(3)));
describe("SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK fixtures, MQTT 3.1.1", () =>
  checkFixtures(subscribe311(4)));
describe("SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK fixtures, MQTT 5", () => checkFixtures(subscribe5));

const more: Fixture[] = [
  {
    name: "a SUBSCRIBE",
    version: 4,
    packet: { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a/+", qos: 1 }] },
    hex: "82 08 0001 0003 612f2b 01",
  },
  {
    name: "an MQTT 5 SUBSCRIBE with every option",
    version: 5,
    packet: {
      type: "subscribe",
      packetId: 2,
      subscriptions: [
        { topicFilter: "a", qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: "b", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
      properties: { subscriptionIdentifier: 7 },
    },
    hex: "82 0d 0002 02 0b07 0001 61 2e 0001 62 10",
  },
  {
    name: "a SUBACK",
    version: 3,
    packet: { type: "suback", packetId: 1, reasonCodes: [0, 1, 2, 0x80] },
    hex: "90 06 0001 00 01 02 80",
  },
  {
    name: "an MQTT 5 SUBACK",
    version: 5,
    packet: {
      type: "suback",
      packetId: 1,
      reasonCodes: [0x01, 0xa2],
      properties: { reasonString: "no" },
    },
    hex: "90 0a 0001 05 1f 0002 6e6f 01 a2",
  },
  {
    name: "an UNSUBSCRIBE",
    version: 4,
    packet: { type: "unsubscribe", packetId: 3, topicFilters: ["a", "b/#"] },
    hex: "a2 0a 0003 0001 61 0003 622f23",
  },
  {
    name: "an UNSUBACK",
    version: 4,
    packet: { type: "unsuback", packetId: 3, reasonCodes: [] },
    hex: "b0 02 0003",
  },
  {
    name: "an MQTT 5 UNSUBACK",
    version: 5,
    packet: { type: "unsuback", packetId: 3, reasonCodes: [0x00, 0x11] },
    hex: "b0 05 0003 00 00 11",
  },
];

const subscribe = (subscriptions: unknown) => ({ type: "subscribe", packetId: 1, subscriptions });

const encodeRefusals: EncodeRefusal[] = [
  {
    name: "a SUBSCRIBE with no subscriptions",
    version: 4,
    packet: subscribe([]),
    error: RangeError,
    message: /^subscriptions of a SUBSCRIBE must not be empty \[MQTT-3\.8\.3-2\], got \[\]$/,
  },
  {
    name: "an empty topic filter",
    version: 4,
    packet: subscribe([{ topicFilter: "", qos: 0 }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.topicFilter must not be empty/,
  },
  {
    name: "a topic filter that is not a string (the second entry)",
    version: 4,
    packet: subscribe([{ topicFilter: "a", qos: 0 }, { topicFilter: 7, qos: 0 }]),
    error: TypeError,
    message: /^subscriptions\[1\]\.topicFilter must be a string, got 7$/,
  },
  {
    name: "a non-ASCII topic filter with U+0000",
    version: 4,
    packet: subscribe([{ topicFilter: "caf\u00e9\u0000", qos: 0 }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.topicFilter must not contain U\+0000/,
  },
  {
    name: "a QoS of 3",
    version: 5,
    packet: subscribe([{ topicFilter: "a", qos: 3 }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.qos must be 0, 1 or 2, got 3$/,
  },
  {
    name: "an empty topic filter in an UNSUBSCRIBE (the second)",
    version: 4,
    packet: { type: "unsubscribe", packetId: 1, topicFilters: ["a", ""] },
    error: RangeError,
    message: /^topicFilters\[1\] must not be empty \[MQTT-4\.7\.3-1\], got ""$/,
  },
  {
    name: "noLocal before MQTT 5",
    version: 4,
    packet: subscribe([{ topicFilter: "a", qos: 0, noLocal: true }]),
    error: RangeError,
    message:
      /^subscriptions\[0\]\.noLocal must be false before MQTT 5, got true \(protocol version 4\)$/,
  },
  {
    name: "retainAsPublished before MQTT 5",
    version: 3,
    packet: subscribe([{ topicFilter: "a", qos: 0, retainAsPublished: true }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.retainAsPublished must be false before MQTT 5/,
  },
  {
    name: "retainHandling before MQTT 5",
    version: 4,
    packet: subscribe([{ topicFilter: "a", qos: 0, retainHandling: 1 }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.retainHandling must be 0 before MQTT 5, got 1/,
  },
  {
    name: "retainHandling 3",
    version: 5,
    packet: subscribe([{ topicFilter: "a", qos: 0, retainHandling: 3 }]),
    error: RangeError,
    message: /^subscriptions\[0\]\.retainHandling must be 0, 1 or 2, got 3$/,
  },
  {
    name: "noLocal that is not a boolean",
    version: 5,
    packet: subscribe([{ topicFilter: "a", qos: 0, noLocal: 1 }]),
    error: TypeError,
    message: /^subscriptions\[0\]\.noLocal must be a boolean, got 1$/,
  },
  {
    name: "noLocal on a shared subscription [MQTT-3.8.3-4]",
    version: 5,
    packet: subscribe([{ topicFilter: "$share/g/a", qos: 0, noLocal: true }]),
    error: RangeError,
    message: /\[MQTT-3\.8\.3-4\]/,
  },
  {
    name: "an UNSUBSCRIBE with no topic filters",
    version: 4,
    packet: { type: "unsubscribe", packetId: 1, topicFilters: [] },
    error: RangeError,
    message: /^topicFilters of an UNSUBSCRIBE must not be empty \[MQTT-3\.10\.3-2\], got \[\]$/,
  },
  {
    name: "UNSUBACK reason codes before MQTT 5",
    version: 4,
    packet: { type: "unsuback", packetId: 1, reasonCodes: [0] },
    error: RangeError,
    message: /empty before MQTT 5/,
  },
  {
    name: "a SUBACK failure code other than 0x80 before MQTT 5",
    version: 4,
    packet: { type: "suback", packetId: 1, reasonCodes: [0x87] },
    error: RangeError,
    message: /^reasonCodes\[0\] must be 0, 1, 2 or 128 \(0x80\) before MQTT 5, got 135$/,
  },
  {
    name: "a SUBACK with packet id 0",
    version: 4,
    packet: { type: "suback", packetId: 0, reasonCodes: [0] },
    error: RangeError,
    message: /packetId/,
  },
];

const decodeRefusals: DecodeRefusal[] = [
  {
    name: "SUBSCRIBE flags other than 0b0010 [MQTT-3.8.1-1]",
    version: 4,
    hex: "80 06 0001 0001 61 00",
    error: MalformedPacketError,
  },
  {
    name: "UNSUBSCRIBE flags other than 0b0010 [MQTT-3.10.1-1]",
    version: 4,
    hex: "a0 05 0001 0001 61",
    error: MalformedPacketError,
  },
  {
    name: "a SUBSCRIBE without topic filters [MQTT-3.8.3-2]",
    version: 4,
    hex: "82 02 0001",
    error: ProtocolError,
  },
  {
    name: "an UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]",
    version: 5,
    hex: "a2 03 0001 00",
    error: ProtocolError,
  },
  {
    name: "reserved subscription option bits [MQTT-3.8.3-5]",
    version: 5,
    hex: "82 07 0001 00 0001 61 40",
    error: MalformedPacketError,
  },
  { name: "retain handling 3", version: 5, hex: "82 07 0001 00 0001 61 30", error: ProtocolError },
  {
    name: "requested QoS 3 on MQTT 5",
    version: 5,
    hex: "82 07 0001 00 0001 61 03",
    error: ProtocolError,
  },
  {
    name: "requested QoS 3 on MQTT 3.1.1",
    version: 4,
    hex: "82 06 0001 0001 61 03",
    error: MalformedPacketError,
  },
  {
    name: "upper option bits on MQTT 3.1.1",
    version: 4,
    hex: "82 06 0001 0001 61 04",
    error: MalformedPacketError,
  },
  {
    name: "no local on a shared subscription [MQTT-3.8.3-4]",
    version: 5,
    hex: "82 10 0001 00 000a 2473686172652f672f61 04",
    error: ProtocolError,
  },
  { name: "a SUBACK without reason codes", version: 4, hex: "90 02 0001", error: ProtocolError },
  {
    name: "a reserved SUBACK return code [MQTT-3.9.3-2]",
    version: 4,
    hex: "90 03 0001 03",
    error: ProtocolError,
  },
  {
    name: "an MQTT 5 SUBACK reason code not valid in SUBACK",
    version: 5,
    hex: "90 04 0001 00 10",
    error: ProtocolError,
  },
  {
    name: "an UNSUBACK with a payload before MQTT 5",
    version: 4,
    hex: "b0 03 0001 00",
    error: MalformedPacketError,
  },
  {
    name: "an MQTT 5 UNSUBACK without reason codes",
    version: 5,
    hex: "b0 03 0001 00",
    error: ProtocolError,
  },
];

describe("SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK fixtures", () => checkFixtures(more));
describe("SUBSCRIBE decoding of zero MQTT 5 subscription options", () =>
  checkDecodeOnly([
    {
      name: "a SUBSCRIBE whose options byte is 0, with the options filled in",
      version: 5,
      packet: {
        type: "subscribe",
        packetId: 1,
        subscriptions: [
          { topicFilter: "a", qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      hex: "82 07 0001 00 0001 61 00",
    },
  ]));
describe("SUBSCRIBE family objects the encoder refuses", () => checkEncodeRefusals(encodeRefusals));
describe("SUBSCRIBE family frames the decoder refuses", () => checkDecodeRefusals(decodeRefusals));
