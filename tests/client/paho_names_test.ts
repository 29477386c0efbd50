/** paho's names, as the root entry point exports them. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  connackString,
  MQTTv31,
  MQTTv311,
  MQTTv5,
  type Payload,
  type ProtocolVersion,
  reasonCodeName,
  type ReasonCodeNameOptions,
  RetainHandling,
  type SubscribeRequest,
} from "../../mod.ts";

describe("paho's names from mod.ts", () => {
  it("mod.ts exports MQTTv31, MQTTv311 and MQTTv5 as protocol versions", () => {
    const versions: ProtocolVersion[] = [MQTTv31, MQTTv311, MQTTv5];
    assert.deepEqual(versions, [3, 4, 5]);
  });

  it("mod.ts exports RetainHandling, whose values a SubscribeRequest takes", () => {
    const request: SubscribeRequest = {
      topicFilter: "a/#",
      retainHandling: RetainHandling.SendIfNewSubscription,
    };
    assert.equal(request.retainHandling, 1);
    assert.equal(RetainHandling.SendOnSubscribe, 0);
    assert.equal(RetainHandling.DoNotSend, 2);
  });

  it("mod.ts exports reasonCodeName with paho's style and connackString", () => {
    const paho: ReasonCodeNameOptions = { style: "paho" };
    assert.equal(reasonCodeName(0x8d, "disconnect", paho), "Keep alive timeout");
    assert.equal(connackString(0x86), "Bad user name or password");
    assert.equal(connackString(4), "Connection Refused: bad user name or password.");
  });

  it("mod.ts exports the Payload type", () => {
    const payloads: Payload[] = ["t", 1, new Uint8Array(1), new ArrayBuffer(1), null, undefined];
    assert.equal(payloads.length, 6);
  });
});
