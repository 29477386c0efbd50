/**
 * `Session.sendQoS0` while not connected: it returns false (the caller then uses `publish`), but
 * a user-set topic alias is resolved and recorded first, as `publish` would.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Harness } from "./_harness.ts";

function lostWithAliases(): Harness {
  const h = new Harness({ reconnect: { minDelay: 1000, maxDelay: 8000 } });
  h.connected(false, { topicAliasMaximum: 5 });
  h.session.transportClosed(h.now); // reconnecting; the last CONNACK's limits still apply
  h.drain();
  return h;
}

describe("Session.sendQoS0 offline", () => {
  it("Session.sendQoS0 offline refuses an empty topic with an alias no publish gave", () => {
    const h = lostWithAliases();
    const message = {
      topic: "",
      payload: new Uint8Array([1]),
      qos: 0 as const,
      retain: false,
      properties: { topicAlias: 1 },
    };
    assert.throws(() => h.session.sendQoS0(message, h.now), /needs an earlier publish/);
  });

  it("Session.sendQoS0 offline records the topic given with a user-set alias", () => {
    const h = lostWithAliases();
    const given = {
      topic: "t",
      payload: new Uint8Array([1]),
      qos: 0 as const,
      retain: false,
      properties: { topicAlias: 1 },
    };
    assert.equal(h.session.sendQoS0(given, h.now), false);
    // A later publish may now use the alias with an empty topic.
    const token = h.publish("", 1, undefined, { properties: { topicAlias: 1 } });
    h.drain();
    h.unsettled(token);
  });
});
