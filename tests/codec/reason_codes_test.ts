import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CONNACK_RETURN_CODE_NAMES,
  ConnackReturnCode,
  connackString,
  ErrorCode,
  errorString,
  isFailure,
  isValidReasonCode,
  PAHO_REASON_CODE_NAMES,
  REASON_CODE_TABLE,
  ReasonCode,
  reasonCodeName,
  V3_CONNACK_TO_REASON_CODE,
} from "../../src/codec/mod.ts";
import type { PacketType } from "../../src/codec/mod.ts";
import { hex } from "../../src/format.ts";

describe("ReasonCode", () => {
  it("ReasonCode holds the MQTT 5 values", () => {
    assert.equal(ReasonCode.Success, 0x00);
    assert.equal(ReasonCode.GrantedQoS1, 0x01);
    assert.equal(ReasonCode.DisconnectWithWillMessage, 0x04);
    assert.equal(ReasonCode.NoMatchingSubscribers, 0x10);
    assert.equal(ReasonCode.NotAuthorized, 0x87);
    assert.equal(ReasonCode.PacketTooLarge, 0x95);
    assert.equal(ReasonCode.QuotaExceeded, 0x97);
    assert.equal(ReasonCode.WildcardSubscriptionsNotSupported, 0xa2);
  });

  it("ReasonCode has an entry for every code of REASON_CODE_TABLE and nothing else", () => {
    const tableCodes = new Set(REASON_CODE_TABLE.map((row) => row.code));
    assert.deepEqual(new Set(Object.values(ReasonCode)), tableCodes);
    assert.equal(tableCodes.size, 43);
  });
});

describe("reasonCodeName", () => {
  it("reasonCodeName names 0x00 by packet context", () => {
    assert.equal(reasonCodeName(0x00), "Success");
    assert.equal(reasonCodeName(0x00, "puback"), "Success");
    assert.equal(reasonCodeName(0x00, "disconnect"), "Normal disconnection");
    assert.equal(reasonCodeName(0x00, "suback"), "Granted QoS 0");
    assert.equal(reasonCodeName(0x04, "disconnect"), "Disconnect with Will Message");
  });

  it("reasonCodeName gives the spec names of failures", () => {
    assert.equal(reasonCodeName(0x87), "Not authorized");
    assert.equal(reasonCodeName(0x95, "connack"), "Packet too large");
    assert.equal(reasonCodeName(0x9e), "Shared Subscriptions not supported");
  });

  it("reasonCodeName describes unknown codes", () => {
    assert.equal(reasonCodeName(0x05), "Unknown reason code 0x05");
  });

  it('reasonCodeName with style "spec" is the two-argument form', () => {
    for (const { code, packets } of REASON_CODE_TABLE) {
      for (const packet of packets) {
        assert.equal(
          reasonCodeName(code, packet, { style: "spec" }),
          reasonCodeName(code, packet),
        );
      }
      assert.equal(reasonCodeName(code, undefined, {}), reasonCodeName(code));
    }
  });

  it("reasonCodeName rejects an unknown style", () => {
    assert.throws(
      () => reasonCodeName(0x80, undefined, { style: "python" as "paho" }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message === 'options.style must be "spec" or "paho", got "python"',
    );
  });
});

describe('reasonCodeName with style "paho"', () => {
  /** paho-mqtt 2.x's `ReasonCode.names` wording where it differs from the spec's, with the packet each appears in. */
  const PAHO: [code: number, packet: PacketType, paho: string, spec: string][] = [
    [0x04, "disconnect", "Disconnect with will message", "Disconnect with Will Message"],
    [0x11, "unsuback", "No subscription found", "No subscription existed"],
    [0x81, "connack", "Malformed packet", "Malformed Packet"],
    [0x82, "disconnect", "Protocol error", "Protocol Error"],
    [0x84, "connack", "Unsupported protocol version", "Unsupported Protocol Version"],
    [0x85, "connack", "Client identifier not valid", "Client Identifier not valid"],
    [0x86, "connack", "Bad user name or password", "Bad User Name or Password"],
    [0x8d, "disconnect", "Keep alive timeout", "Keep Alive timeout"],
    [0x8f, "suback", "Topic filter invalid", "Topic Filter invalid"],
    [0x90, "puback", "Topic name invalid", "Topic Name invalid"],
    [0x91, "pubrec", "Packet identifier in use", "Packet Identifier in use"],
    [0x92, "pubcomp", "Packet identifier not found", "Packet Identifier not found"],
    [0x93, "disconnect", "Receive maximum exceeded", "Receive Maximum exceeded"],
    [0x94, "disconnect", "Topic alias invalid", "Topic Alias invalid"],
    [0x9e, "suback", "Shared subscription not supported", "Shared Subscriptions not supported"],
    [
      0xa1,
      "suback",
      "Subscription identifiers not supported",
      "Subscription Identifiers not supported",
    ],
    [
      0xa2,
      "disconnect",
      "Wildcard subscription not supported",
      "Wildcard Subscriptions not supported",
    ],
  ];

  for (const [code, packet, paho, spec] of PAHO) {
    it(`reasonCodeName gives paho's "${paho}" for ${hex(code)}, the spec's "${spec}"`, () => {
      assert.equal(reasonCodeName(code, packet, { style: "paho" }), paho);
      assert.equal(reasonCodeName(code, undefined, { style: "paho" }), paho);
      assert.equal(reasonCodeName(code, packet), spec);
      assert.equal(reasonCodeName(code), spec);
    });
  }

  it("PAHO_REASON_CODE_NAMES holds exactly those 17 codes", () => {
    assert.deepEqual(
      Object.keys(PAHO_REASON_CODE_NAMES).map(Number),
      PAHO.map(([code]) => code),
    );
    assert.equal(PAHO.length, 17);
  });

  it("reasonCodeName gives the spec's name for every other code, in every context", () => {
    for (const { code, name, packets } of REASON_CODE_TABLE) {
      if (code in PAHO_REASON_CODE_NAMES) continue;
      for (const packet of packets) {
        assert.equal(reasonCodeName(code, packet, { style: "paho" }), name);
      }
    }
    assert.equal(reasonCodeName(0x00, "disconnect", { style: "paho" }), "Normal disconnection");
    assert.equal(reasonCodeName(0x00, "suback", { style: "paho" }), "Granted QoS 0");
    assert.equal(reasonCodeName(0x87, "connack", { style: "paho" }), "Not authorized");
    assert.equal(reasonCodeName(0x05, undefined, { style: "paho" }), "Unknown reason code 0x05");
  });
});

describe("isFailure and isValidReasonCode", () => {
  it("isFailure is true from 0x80 up", () => {
    assert.equal(isFailure(0x00), false);
    assert.equal(isFailure(0x19), false);
    assert.equal(isFailure(0x80), true);
    assert.equal(isFailure(0xa2), true);
  });

  it("isValidReasonCode follows the per-packet lists of MQTT 5", () => {
    assert.equal(isValidReasonCode(0x10, "puback"), true);
    assert.equal(isValidReasonCode(0x10, "pubrel"), false);
    assert.equal(isValidReasonCode(0x92, "pubcomp"), true);
    assert.equal(isValidReasonCode(0x8b, "connack"), false);
    assert.equal(isValidReasonCode(0x8b, "disconnect"), true);
    assert.equal(isValidReasonCode(0x02, "suback"), true);
    assert.equal(isValidReasonCode(0x11, "unsuback"), true);
    assert.equal(isValidReasonCode(0x18, "auth"), true);
    assert.equal(isValidReasonCode(0x80, "auth"), false);
  });
});

describe("MQTT 3.1.1 CONNACK return codes", () => {
  it("ConnackReturnCode and CONNACK_RETURN_CODE_NAMES cover 0..5", () => {
    assert.equal(ConnackReturnCode.NotAuthorized, 5);
    assert.equal(CONNACK_RETURN_CODE_NAMES.length, 6);
    assert.equal(CONNACK_RETURN_CODE_NAMES[4], "Connection refused, bad user name or password");
  });

  it("V3_CONNACK_TO_REASON_CODE maps return codes to MQTT 5 reason codes", () => {
    assert.deepEqual(V3_CONNACK_TO_REASON_CODE, {
      0: 0x00,
      1: 0x84,
      2: 0x85,
      3: 0x88,
      4: 0x86,
      5: 0x87,
    });
  });
});

describe("connackString and errorString", () => {
  it("connackString gives paho's texts before MQTT 5", () => {
    assert.equal(connackString(0, 4), "Connection Accepted.");
    assert.equal(connackString(1, 4), "Connection Refused: unacceptable protocol version.");
    assert.equal(connackString(3, 3), "Connection Refused: broker unavailable.");
    assert.equal(connackString(5, 4), "Connection Refused: not authorised.");
    assert.equal(connackString(9, 4), "Connection Refused: unknown reason.");
  });

  it("connackString gives paho's reason code name on MQTT 5", () => {
    assert.equal(connackString(0x00, 5), "Success");
    assert.equal(connackString(0x86, 5), "Bad user name or password");
    assert.equal(connackString(0x84, 5), "Unsupported protocol version");
    assert.equal(connackString(0x87, 5), "Not authorized");
  });

  it("connackString without a protocol reads 0..5 as return codes, 0x80 up as reason codes", () => {
    assert.equal(connackString(0), "Connection Accepted.");
    assert.equal(connackString(2), "Connection Refused: identifier rejected.");
    assert.equal(connackString(4), "Connection Refused: bad user name or password.");
    assert.equal(connackString(5), "Connection Refused: not authorised.");
    assert.equal(connackString(6), "Connection Refused: unknown reason.");
    assert.equal(connackString(0x7f), "Connection Refused: unknown reason.");
    assert.equal(connackString(0x80), "Unspecified error");
    assert.equal(connackString(0x85), "Client identifier not valid");
    assert.equal(connackString(0x88), "Server unavailable");
    assert.equal(connackString(0xff), "Unknown reason code 0xFF");
  });

  it("connackString without a protocol names what a refusal reports on every version", () => {
    for (const [returnCode, reasonCode] of Object.entries(V3_CONNACK_TO_REASON_CODE)) {
      if (reasonCode === 0) continue;
      assert.equal(connackString(reasonCode), connackString(reasonCode, 5), `for ${returnCode}`);
    }
  });

  it("errorString gives paho's texts for its error numbers", () => {
    assert.equal(errorString(ErrorCode.Success), "No error.");
    assert.equal(errorString(ErrorCode.NoConnection), "The client is not currently connected.");
    assert.equal(errorString(ErrorCode.ConnectionLost), "The connection was lost.");
    assert.equal(
      errorString(ErrorCode.Keepalive),
      "Client or broker did not communicate in the keepalive interval.",
    );
    assert.equal(errorString(99), "Unknown error.");
  });
});
