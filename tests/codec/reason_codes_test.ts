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
  REASON_CODE_TABLE,
  ReasonCode,
  reasonCodeName,
  V3_CONNACK_TO_REASON_CODE,
} from "../../src/codec/mod.ts";

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

  it("connackString gives the reason code name on MQTT 5", () => {
    assert.equal(connackString(0x00, 5), "Success");
    assert.equal(connackString(0x86, 5), "Bad User Name or Password");
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
