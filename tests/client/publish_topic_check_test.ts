import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PublishTopicCheck } from "../../src/topic.ts";

describe("PublishTopicCheck", () => {
  it("PublishTopicCheck passes plain topics, again and again", () => {
    const check = new PublishTopicCheck();
    for (let i = 0; i < 3; i++) check.check("sensors/kitchen/temperature", false);
    check.check("caf\u00e9/ümlaut", false); // non-ASCII: the full check
  });

  it("PublishTopicCheck rejects wildcards, NUL and empty topics like validateTopicName", () => {
    const check = new PublishTopicCheck();
    for (const topic of ["a/+", "a/#", "a\u0000b", ""]) {
      assert.throws(() => check.check(topic, false), RangeError, JSON.stringify(topic));
    }
    assert.throws(() => check.check(42, false), TypeError);
  });

  it("PublishTopicCheck passes an empty topic when a topic alias stands for it", () => {
    new PublishTopicCheck().check("", true);
  });

  it("PublishTopicCheck instances remember only their own last topic", () => {
    const first = new PublishTopicCheck();
    const second = new PublishTopicCheck();
    first.check("a/b", false);
    assert.throws(() => second.check("a/+", false), RangeError);
    assert.throws(() => first.check("a/#", false), RangeError);
  });
});
