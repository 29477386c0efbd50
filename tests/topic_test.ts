import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  isValidTopicFilter,
  isValidTopicName,
  MAX_TOPIC_BYTES,
  parseSharedFilter,
  topicMatches,
  validateTopicFilter,
  validateTopicName,
} from "../src/topic.ts";

/** paho-mqtt's tests/test_matcher.py, plus the examples of MQTT 3.1.1 section 4.7. */
const MATCHING: [filter: string, topic: string][] = [
  // paho test_matching
  ["foo/bar", "foo/bar"],
  ["foo/+", "foo/bar"],
  ["foo/+/baz", "foo/bar/baz"],
  ["foo/+/#", "foo/bar/baz"],
  ["A/B/+/#", "A/B/B/C"],
  ["#", "foo/bar/baz"],
  ["#", "/foo/bar"],
  ["/#", "/foo/bar"],
  ["$SYS/bar", "$SYS/bar"],
  // MQTT 3.1.1 section 4.7.1 and 4.7.2 examples
  ["sport/tennis/player1/#", "sport/tennis/player1"],
  ["sport/tennis/player1/#", "sport/tennis/player1/ranking"],
  ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"],
  ["sport/#", "sport"],
  ["sport/tennis/+", "sport/tennis/player1"],
  ["sport/tennis/+", "sport/tennis/player2"],
  ["sport/+", "sport/"],
  ["+/+", "/finance"],
  ["/+", "/finance"],
  ["+", "sport"],
  ["#", "sport"],
  ["$SYS/#", "$SYS/broker/uptime"],
  ["$SYS/#", "$SYS"],
  ["$SYS/monitor/+", "$SYS/monitor/Clients"],
  // empty levels and other edges
  ["+", ""],
  ["#", "/"],
  ["foo//bar", "foo//bar"],
  ["foo/+/bar", "foo//bar"],
  ["foo/#", "foo/"],
  ["foo/#", "foo//"],
  ["+/+/+", "//"],
  ["a/$b/+", "a/$b/c"],
  ["$SYS/+/x", "$SYS/$a/x"],
];

const NOT_MATCHING: [filter: string, topic: string][] = [
  // paho test_not_matching
  ["test/6/#", "test/3"],
  ["foo/bar", "foo"],
  ["foo/+", "foo/bar/baz"],
  ["foo/+/baz", "foo/bar/bar"],
  ["foo/+/#", "fo2/bar/baz"],
  ["/#", "foo/bar"],
  ["#", "$SYS/bar"],
  ["$BOB/bar", "$SYS/bar"],
  // MQTT 3.1.1 section 4.7 examples
  ["sport/tennis/+", "sport/tennis/player1/ranking"],
  ["sport/+", "sport"],
  ["+", "/finance"],
  ["+/monitor/Clients", "$SYS/monitor/Clients"],
  ["#", "$SYS"],
  ["+", "$SYS"],
  ["+/#", "$SYS/x"],
  // case, empty levels and other edges
  ["Foo/bar", "foo/bar"],
  ["foo/bar", "foo/bar/"],
  ["foo/bar/", "foo/bar"],
  ["foo/+/bar", "foo/bar"],
  ["foo/bar/#", "foo"],
  ["foo/#", "foobar"],
  ["foo", "foo/bar"],
  ["+/+", "foo"],
];

describe("topicMatches", () => {
  for (const [filter, topic] of MATCHING) {
    it(`topicMatches(${JSON.stringify(filter)}, ${JSON.stringify(topic)}) is true`, () => {
      assert.equal(topicMatches(filter, topic), true);
    });
  }
  for (const [filter, topic] of NOT_MATCHING) {
    it(`topicMatches(${JSON.stringify(filter)}, ${JSON.stringify(topic)}) is false`, () => {
      assert.equal(topicMatches(filter, topic), false);
    });
  }

  it("topicMatches does not let a wildcard first level match a $ topic [MQTT-4.7.2-1]", () => {
    assert.equal(topicMatches("#", "$share/g/x"), false);
    assert.equal(topicMatches("+/x", "$a/x"), false);
    assert.equal(topicMatches("$a/#", "$a/x"), true);
  });

  it("topicMatches compares a $share filter as written, like paho", () => {
    assert.equal(topicMatches("$share/g/a/b", "a/b"), false);
    assert.equal(topicMatches("$share/g/a/b", "$share/g/a/b"), true);
  });

  it("topicMatches matches a literal wildcard in the topic like paho", () => {
    // paho compares levels literally too, so a filter matches itself.
    assert.equal(topicMatches("a/+", "a/+"), true);
    assert.equal(topicMatches("a/#", "a/#"), true);
    assert.equal(topicMatches("a/#/b", "a/#/b"), true);
    assert.equal(topicMatches("a/#/b", "a/x/b"), false);
  });
});

describe("validateTopicName", () => {
  for (const name of ["a", "/", "a/b", "//", "$SYS/x", " ", "ü/€/𝄞", "a".repeat(MAX_TOPIC_BYTES)]) {
    it(`validateTopicName accepts ${JSON.stringify(name.slice(0, 20))}`, () => {
      validateTopicName(name);
      assert.equal(isValidTopicName(name), true);
    });
  }

  const bad: [string, RegExp][] = [
    ["", /^Topic name must not be empty \[MQTT-4\.7\.3-1\]$/],
    ["a\u0000b", /"a\\u0000b" contains U\+0000 \[MQTT-4\.7\.3-2\]/],
    ["a/+/b", /"a\/\+\/b" contains the wildcard "\+".*\[MQTT-4\.7\.1-1\]/],
    ["a/#", /"a\/#" contains the wildcard "#".*\[MQTT-4\.7\.1-1\]/],
    ["a#+", /contains the wildcard "#"/],
    ["x\ud800y", /lone surrogate at index 1.*\[MQTT-1\.5\.3-1\]/],
    ["\udc00", /lone surrogate at index 0/],
    ["a".repeat(MAX_TOPIC_BYTES + 1), /is 65536 bytes long in UTF-8.*\[MQTT-4\.7\.3-3\]/],
    ["€".repeat(21_846), /is 65538 bytes long/],
    ["𝄞".repeat(16_384), /is 65536 bytes long/],
  ];
  for (const [name, message] of bad) {
    it(`validateTopicName rejects ${JSON.stringify(name.slice(0, 12))} with a RangeError`, () => {
      assert.throws(() => validateTopicName(name), { name: "RangeError", message });
      assert.equal(isValidTopicName(name), false);
    });
  }

  it("validateTopicName counts UTF-8 bytes, not UTF-16 units, against the 65,535 limit", () => {
    validateTopicName("é".repeat(32_767) + "a"); // 65,535 bytes
    assert.throws(() => validateTopicName("é".repeat(32_768)), RangeError); // 65,536 bytes
  });

  it("validateTopicName shortens a long value in its message", () => {
    assert.throws(() => validateTopicName("+".repeat(70_000)), (error: Error) => {
      assert.ok(error.message.length < 300, error.message);
      assert.match(error.message, /… \(70000 characters\)/);
      return true;
    });
  });

  it("validateTopicName rejects a non-string with a TypeError naming the value", () => {
    assert.throws(() => validateTopicName(5), {
      name: "TypeError",
      message: "Topic name must be a string, got number 5",
    });
    assert.throws(() => validateTopicName(null), { message: /got null$/ });
    assert.throws(() => validateTopicName(undefined), { message: /got undefined$/ });
    assert.throws(() => validateTopicName(["a"]), { message: /got an array$/ });
    assert.equal(isValidTopicName(5), false);
  });

  it("validateTopicName uses the label it is given", () => {
    assert.throws(() => validateTopicName("a/+", "Will topic"), { message: /^Will topic "a\/\+"/ });
  });
});

describe("validateTopicFilter", () => {
  const good = [
    "a",
    "#",
    "+",
    "/",
    "+/+",
    "/#",
    "a/+/b",
    "a/b/#",
    "+/#",
    "a//b",
    "$SYS/#",
    "$share",
    "$share/g/#",
    "$share/g/+/a",
    "$share/group/a/b",
    "$share/g//",
    "$share/g/$SYS/#",
    "$shared/+/x",
    "$Share/+/x",
  ];
  for (const filter of good) {
    it(`validateTopicFilter accepts ${JSON.stringify(filter)}`, () => {
      validateTopicFilter(filter);
      assert.equal(isValidTopicFilter(filter), true);
    });
  }

  const bad: [string, RegExp][] = [
    ["", /^Topic filter must not be empty \[MQTT-4\.7\.3-1\]$/],
    ["a/\u0000", /contains U\+0000 \[MQTT-4\.7\.3-2\]/],
    ["a".repeat(MAX_TOPIC_BYTES + 1), /\[MQTT-4\.7\.3-3\]/],
    ["\ud83d", /lone surrogate/],
    ["a/#/b", /^Topic filter "a\/#\/b" has a "#" that is not the last level \[MQTT-4\.7\.1-2\]$/],
    ["#/", /"#" that is not the last level/],
    ["a#", /"#" that is not alone in its level \[MQTT-4\.7\.1-2\]/],
    ["a/#b", /"#" that is not alone in its level/],
    ["a/b#", /"#" that is not alone in its level/],
    ["a+", /^Topic filter "a\+" has a "\+" that is not alone in its level \[MQTT-4\.7\.1-3\]$/],
    ["+a", /"\+" that is not alone/],
    ["a/+b/c", /"\+" that is not alone/],
    ["++", /"\+" that is not alone/],
    ["+#", /"\+" that is not alone/],
    ["$share/", /"\$share\/" has an empty share name \[MQTT-4\.8\.2-1\]/],
    ["$share//a", /has an empty share name \[MQTT-4\.8\.2-1\]/],
    ["$share/g", /"\$share\/g" has no topic filter after the share name \[MQTT-4\.8\.2-2\]/],
    ["$share/g/", /has no topic filter after the share name/],
    ["$share/+/a", /has a wildcard in its share name "\+" \[MQTT-4\.8\.2-2\]/],
    ["$share/g#/a", /has a wildcard in its share name "g#"/],
    ["$share/#", /has a wildcard in its share name "#"/],
    ["$share/g/a+", /"\+" that is not alone/],
    ["$share/g/#/a", /"#" that is not the last level/],
  ];
  for (const [filter, message] of bad) {
    it(`validateTopicFilter rejects ${JSON.stringify(filter.slice(0, 12))} with a RangeError`, () => {
      assert.throws(() => validateTopicFilter(filter), { name: "RangeError", message });
      assert.equal(isValidTopicFilter(filter), false);
    });
  }

  it("validateTopicFilter rejects a non-string with a TypeError", () => {
    assert.throws(() => validateTopicFilter({}), {
      name: "TypeError",
      message: "Topic filter must be a string, got an object",
    });
    assert.throws(() => validateTopicFilter(Symbol("s")), { message: /got symbol Symbol\(s\)$/ });
    assert.equal(isValidTopicFilter(undefined), false);
  });
});

describe("parseSharedFilter", () => {
  it("parseSharedFilter splits $share/{group}/{filter}", () => {
    assert.deepEqual(parseSharedFilter("$share/g/a/+/#"), { group: "g", filter: "a/+/#" });
    assert.deepEqual(parseSharedFilter("$share/consumer1//finance"), {
      group: "consumer1",
      filter: "/finance",
    });
  });

  it("parseSharedFilter returns undefined for a filter that is not shared", () => {
    for (const filter of ["a/b", "$share", "$shared/g/a", "$SHARE/g/a", "x/$share/g/a", "#"]) {
      assert.equal(parseSharedFilter(filter), undefined, filter);
    }
  });

  it("parseSharedFilter returns undefined when no / follows the share name", () => {
    assert.equal(parseSharedFilter("$share/g"), undefined);
    assert.equal(parseSharedFilter("$share/"), undefined);
  });

  it("parseSharedFilter does not validate the parts", () => {
    assert.deepEqual(parseSharedFilter("$share//"), { group: "", filter: "" });
    assert.deepEqual(parseSharedFilter("$share/+/a#"), { group: "+", filter: "a#" });
  });
});
