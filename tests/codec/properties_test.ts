import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodePacket,
  encodePacket,
  type Packet,
  PROPERTY_TABLE,
  type PropertyContext,
  propertyDefinition,
} from "../../src/codec/mod.ts";
import type { Properties } from "../../src/codec/types.ts";
import { MalformedPacketError, ProtocolError } from "../../src/errors.ts";
import { fromHex } from "../_helpers/hex.ts";
import { checkEncodeRefusals, type EncodeRefusal } from "../_helpers/codec_fixtures.ts";

/** Every key of `Properties` in types.ts, in identifier order. */
const PROPERTY_NAMES: (keyof Properties)[] = [
  "payloadFormatIndicator",
  "messageExpiryInterval",
  "contentType",
  "responseTopic",
  "correlationData",
  "subscriptionIdentifier",
  "sessionExpiryInterval",
  "assignedClientIdentifier",
  "serverKeepAlive",
  "authenticationMethod",
  "authenticationData",
  "requestProblemInformation",
  "willDelayInterval",
  "requestResponseInformation",
  "responseInformation",
  "serverReference",
  "reasonString",
  "receiveMaximum",
  "topicAliasMaximum",
  "topicAlias",
  "maximumQoS",
  "retainAvailable",
  "userProperties",
  "maximumPacketSize",
  "wildcardSubscriptionAvailable",
  "subscriptionIdentifierAvailable",
  "sharedSubscriptionAvailable",
];

const SAMPLE: { [K in keyof Properties]-?: Properties[K] } = {
  payloadFormatIndicator: true,
  messageExpiryInterval: 4_294_967_295,
  contentType: "application/json",
  responseTopic: "reply/to/me",
  correlationData: new Uint8Array([1, 2, 3]),
  subscriptionIdentifier: 268_435_455,
  sessionExpiryInterval: 3600,
  assignedClientIdentifier: "auto-1",
  serverKeepAlive: 30,
  authenticationMethod: "SCRAM-SHA-1",
  authenticationData: new Uint8Array([9]),
  requestProblemInformation: false,
  willDelayInterval: 5,
  requestResponseInformation: true,
  responseInformation: "resp/",
  serverReference: "other:1883",
  reasonString: "because",
  receiveMaximum: 65_535,
  topicAliasMaximum: 10,
  topicAlias: 3,
  maximumQoS: 1,
  retainAvailable: false,
  userProperties: [["k", "v"], ["k", "again"], ["ü", ""]],
  maximumPacketSize: 1_048_576,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifierAvailable: false,
  sharedSubscriptionAvailable: true,
};

/** A v5 packet of `context` carrying `properties` (in the will for "will"). */
function packetWith(context: PropertyContext, properties: Properties): Packet {
  switch (context) {
    case "connect":
      return {
        type: "connect",
        protocolVersion: 5,
        clientId: "c",
        clean: true,
        keepalive: 0,
        properties,
      };
    case "will":
      return {
        type: "connect",
        protocolVersion: 5,
        clientId: "c",
        clean: true,
        keepalive: 0,
        will: { topic: "w", payload: new Uint8Array(0), qos: 0, retain: false, properties },
      };
    case "connack":
      return { type: "connack", sessionPresent: false, reasonCode: 0, properties };
    case "publish":
      return {
        type: "publish",
        topic: "t",
        payload: new Uint8Array([1]),
        qos: 1,
        packetId: 1,
        retain: false,
        dup: false,
        properties,
      };
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return { type: context, packetId: 1, reasonCode: 0, properties };
    case "subscribe":
      return {
        type: "subscribe",
        packetId: 1,
        subscriptions: [{ topicFilter: "a", qos: 0 }],
        properties,
      };
    case "suback":
      return { type: "suback", packetId: 1, reasonCodes: [0], properties };
    case "unsubscribe":
      return { type: "unsubscribe", packetId: 1, topicFilters: ["a"], properties };
    case "unsuback":
      return { type: "unsuback", packetId: 1, reasonCodes: [0], properties };
    case "disconnect":
      return { type: "disconnect", reasonCode: 0, properties };
    case "auth":
      return {
        type: "auth",
        reasonCode: 0x18,
        properties: { authenticationMethod: "m", ...properties },
      };
  }
}

function propertiesOf(packet: Packet, context: PropertyContext): Properties | undefined {
  if (context === "will") return packet.type === "connect" ? packet.will?.properties : undefined;
  return "properties" in packet ? packet.properties : undefined;
}

describe("PROPERTY_TABLE", () => {
  it("PROPERTY_TABLE lists every Properties key once, with a unique identifier", () => {
    assert.deepEqual(PROPERTY_TABLE.map((def) => def.name), PROPERTY_NAMES);
    assert.equal(new Set(PROPERTY_TABLE.map((def) => def.id)).size, PROPERTY_TABLE.length);
  });

  it("PROPERTY_TABLE marks user property as repeatable everywhere and subscription identifier in PUBLISH only", () => {
    for (const def of PROPERTY_TABLE) {
      if (def.name === "userProperties") {
        assert.deepEqual([...def.repeatableIn].sort(), [...def.packets].sort());
      } else if (def.name === "subscriptionIdentifier") {
        assert.deepEqual(def.repeatableIn, ["publish"]);
      } else assert.deepEqual(def.repeatableIn, []);
    }
  });

  it("propertyDefinition finds a row by identifier and by name", () => {
    assert.equal(propertyDefinition(0x23)?.name, "topicAlias");
    assert.equal(propertyDefinition("topicAlias")?.id, 0x23);
    assert.equal(propertyDefinition(0x7f), undefined);
    assert.equal(propertyDefinition("nope"), undefined);
  });
});

describe("properties encode and decode", () => {
  for (const def of PROPERTY_TABLE) {
    for (const context of def.packets) {
      it(`encodePacket/decodePacket carry ${def.name} (0x${def.id.toString(16)}) in ${context}`, () => {
        const props = { [def.name]: SAMPLE[def.name] } as Properties;
        // Authentication Data needs its method (MQTT 5 §3.1.2.11.10).
        if (def.name === "authenticationData") props.authenticationMethod = "m";
        const bytes = encodePacket(packetWith(context, props), 5);
        const decoded = propertiesOf(decodePacket(bytes, 5), context);
        assert.deepEqual(decoded?.[def.name], SAMPLE[def.name]);
      });
    }
  }

  it("decodePacket writes the property bytes of the table's wire types", () => {
    // PUBLISH t, id 1, properties: 01 01 | 02 0000003c | 23 0005 | 0b 80 01 | 26 "k" "v"
    const frame = fromHex(
      "32 1b 0001 74 0001 14 0101 02 0000003c 23 0005 0b 8001 26 0001 6b 0001 76 ff",
    );
    const packet = decodePacket(frame, 5);
    assert.deepEqual(packet.type === "publish" && packet.properties, {
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      topicAlias: 5,
      subscriptionIdentifier: 128,
      userProperties: [["k", "v"]],
    });
    assert.deepEqual(encodePacket(packet, 5), frame);
  });

  it("decodePacket returns repeated subscription identifiers of a PUBLISH as an array", () => {
    const frame = fromHex("30 0a 0001 74 06 0b 01 0b 02 0b 03");
    const packet = decodePacket(frame, 5);
    assert.deepEqual(packet.type === "publish" && packet.properties?.subscriptionIdentifier, [
      1,
      2,
      3,
    ]);
    assert.deepEqual(encodePacket(packet, 5), frame);
  });
});

describe("properties refused when decoding", () => {
  const refuse = (name: string, frame: string, type: typeof MalformedPacketError, code: number) =>
    it(`decodePacket refuses ${name}`, () => {
      assert.throws(
        () => decodePacket(fromHex(frame), 5),
        (error: unknown) => error instanceof type && error.reasonCode === code,
      );
    });
  refuse(
    "a property not allowed in the packet",
    "30 06 0001 74 02 11 00",
    MalformedPacketError,
    0x81,
  );
  refuse("an unknown property identifier", "30 06 0001 74 02 7f 00", MalformedPacketError, 0x81);
  refuse(
    "a property repeated that must appear once",
    "30 08 0001 74 04 0101 0101",
    ProtocolError,
    0x82,
  );
  refuse("a 0/1 flag with value 2", "30 06 0001 74 02 01 02", ProtocolError, 0x82);
  refuse("topic alias 0 [MQTT-3.3.2-8]", "30 07 0001 74 03 23 0000", ProtocolError, 0x82);
  refuse("subscription identifier 0", "30 06 0001 74 02 0b 00", ProtocolError, 0x82);
  refuse(
    "a subscription identifier repeated in SUBSCRIBE",
    "82 0b 0001 04 0b01 0b02 0001 61 00",
    ProtocolError,
    0x82,
  );
  refuse("maximum QoS 2 in CONNACK", "20 05 00 00 02 24 02", ProtocolError, 0x82);
  refuse("receive maximum 0 in CONNACK", "20 06 00 00 03 21 0000", ProtocolError, 0x82);
  refuse(
    "a property length past the end of the packet",
    "30 05 0001 74 05 01",
    MalformedPacketError,
    0x81,
  );
  refuse(
    "a property value cut by the property length",
    "30 06 0001 74 02 02 00",
    MalformedPacketError,
    0x81,
  );
  refuse("a response topic with a wildcard", "30 09 0001 74 05 08 0002 232f", ProtocolError, 0x82);
});

const publish = (properties: unknown): Packet => ({
  type: "publish",
  topic: "t",
  payload: new Uint8Array(0),
  qos: 0,
  retain: false,
  dup: false,
  properties: properties as Properties,
});

/** An encode refusal of a v5 PUBLISH carrying `properties`. */
function refusal(
  name: string,
  properties: unknown,
  error: typeof TypeError | typeof RangeError,
  message: RegExp,
): EncodeRefusal {
  return { name, version: 5, packet: publish(properties), error, message };
}

const encodeRefusals: EncodeRefusal[] = [
  refusal(
    "an unknown property name",
    { colour: "red" },
    TypeError,
    /^properties\.colour must be undefined \(not an MQTT 5 property\), got "red"$/,
  ),
  refusal(
    "a property not allowed in the packet",
    { sessionExpiryInterval: 1 },
    RangeError,
    /^properties\.sessionExpiryInterval must be undefined in a PUBLISH/,
  ),
  {
    name: "a will property not allowed in the will",
    version: 5,
    packet: packetWith("will", { topicAlias: 1 }),
    error: RangeError,
    message: /^will\.properties\.topicAlias must be undefined in a will/,
  },
  refusal("a boolean given as 1", { payloadFormatIndicator: 1 }, TypeError, /boolean/),
  refusal(
    "topic alias 0",
    { topicAlias: 0 },
    RangeError,
    /^properties\.topicAlias must be an integer in 1\.\.65535, got 0$/,
  ),
  refusal("topic alias 65536", { topicAlias: 65_536 }, RangeError, /topicAlias/),
  refusal(
    "a negative interval",
    { messageExpiryInterval: -1 },
    RangeError,
    /messageExpiryInterval/,
  ),
  refusal(
    "a fractional interval",
    { messageExpiryInterval: 1.5 },
    TypeError,
    /messageExpiryInterval/,
  ),
  refusal(
    "a subscription identifier over 268,435,455",
    { subscriptionIdentifier: 268_435_456 },
    RangeError,
    /subscriptionIdentifier/,
  ),
  refusal("correlation data given as a string", { correlationData: "x" }, TypeError, /Uint8Array/),
  refusal("a user property that is not a pair", { userProperties: [["a"]] }, TypeError, /pair/),
  refusal("a content type holding U+0000", { contentType: "a\u0000" }, RangeError, /U\+0000/),
  refusal(
    "a response topic with a wildcard",
    { responseTopic: "a/#" },
    RangeError,
    /^properties\.responseTopic must be a non-empty topic name without wildcards/,
  ),
  {
    name: "maximum QoS 2",
    version: 5,
    packet: packetWith("connack", { maximumQoS: 2 as 1 }),
    error: RangeError,
    message: /maximumQoS/,
  },
  {
    name: "several subscription identifiers in a SUBSCRIBE",
    version: 5,
    packet: packetWith("subscribe", { subscriptionIdentifier: [1, 2] }),
    error: TypeError,
    message: /subscriptionIdentifier must be a single number in a SUBSCRIBE/,
  },
  {
    name: "properties before MQTT 5",
    version: 4,
    packet: publish({ contentType: "x" }),
    error: RangeError,
    message: /^properties must be absent before MQTT 5, got an object \(protocol version 4\)$/,
  },
];

describe("properties the encoder refuses", () => checkEncodeRefusals(encodeRefusals));

describe("properties when encoding", () => {
  it("encodePacket accepts an empty properties object before MQTT 5", () => {
    assert.equal(encodePacket(publish({}), 4).length, 5);
  });

  it("encodePacket keeps the order and repeats of user properties", () => {
    const userProperties: [string, string][] = [["b", "1"], ["a", "2"], ["b", "3"]];
    const packet = decodePacket(encodePacket(publish({ userProperties }), 5), 5);
    assert.deepEqual(
      packet.type === "publish" && packet.properties?.userProperties,
      userProperties,
    );
  });
});
