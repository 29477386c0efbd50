import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { IncomingTopicAliases, OutgoingTopicAliases } from "../../src/session/topic_alias.ts";
import { ProtocolError } from "../../src/errors.ts";

describe("topic aliases", () => {
  it("OutgoingTopicAliases assigns 1, 2 … up to the maximum, then reports known mappings", () => {
    const out = new OutgoingTopicAliases();
    out.reset(2);
    assert.deepEqual(out.lookup("a"), { alias: 1, known: false });
    assert.deepEqual(out.lookup("b"), { alias: 2, known: false });
    assert.equal(out.lookup("c"), undefined, "no room left: topic sent in full");
    assert.deepEqual(out.lookup("a"), { alias: 1, known: true });
  });

  it("OutgoingTopicAliases.reset forgets mappings (they last one connection)", () => {
    const out = new OutgoingTopicAliases();
    out.reset(1);
    out.lookup("a");
    out.reset(1);
    assert.deepEqual(out.lookup("a"), { alias: 1, known: false });
  });

  it("OutgoingTopicAliases.unassign takes back the alias just assigned", () => {
    const out = new OutgoingTopicAliases();
    out.reset(5);
    out.lookup("a");
    out.lookup("b");
    out.unassign("b");
    assert.deepEqual(out.lookup("c"), { alias: 2, known: false });
  });

  it("OutgoingTopicAliases with maximum 0 is disabled", () => {
    const out = new OutgoingTopicAliases();
    out.reset(0);
    assert.equal(out.enabled, false);
    assert.equal(out.lookup("a"), undefined);
  });

  it("IncomingTopicAliases maps an alias sent with a topic and resolves it later", () => {
    const inc = new IncomingTopicAliases();
    inc.reset(10);
    assert.equal(inc.resolve("x/y", 3), "x/y");
    assert.equal(inc.resolve("", 3), "x/y");
    assert.equal(inc.resolve("z", 3), "z", "a new topic replaces the mapping");
    assert.equal(inc.resolve("", 3), "z");
  });

  it("IncomingTopicAliases rejects alias 0, aliases above the maximum and unknown aliases with 0x94", () => {
    const inc = new IncomingTopicAliases();
    inc.reset(10);
    for (const [topic, alias] of [["a", 0], ["a", 11], ["", 4]] as const) {
      const result = inc.resolve(topic, alias);
      assert.ok(result instanceof ProtocolError, `alias ${alias}`);
      assert.equal(result.reasonCode, 0x94);
    }
  });
});
