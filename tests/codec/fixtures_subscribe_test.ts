/**
 * SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK fixtures: packet object ⇄ exact bytes, for
 * MQTT 3.1, 3.1.1 and 5.0.
 */
import { describe } from "node:test";
import { checkFixtures } from "../_helpers/codec_fixtures.ts";
import type { Fixture } from "../_helpers/codec_fixtures.ts";
import type { ProtocolVersion } from "../../src/codec/types.ts";

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
