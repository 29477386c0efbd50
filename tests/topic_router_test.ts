import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TopicRouter } from "../src/topic_router.ts";
import { isValidTopicFilter, parseSharedFilter, topicMatches } from "../src/topic.ts";

describe("TopicRouter", () => {
  it("TopicRouter.match returns the values of every matching filter in insertion order", () => {
    const router = new TopicRouter<string>();
    router.add("sport/#", "1");
    router.add("sport/tennis/+", "2");
    router.add("#", "3");
    router.add("sport/tennis/player1", "4");
    router.add("+/+/player1", "5");
    router.add("sport/+/player2", "6");
    router.add("news/#", "7");
    assert.deepEqual(router.match("sport/tennis/player1"), ["1", "2", "3", "4", "5"]);
    assert.deepEqual(router.match("sport"), ["1", "3"]);
    assert.deepEqual(router.match("weather"), ["3"]);
  });

  it("TopicRouter.match returns an empty array when nothing matches", () => {
    const router = new TopicRouter<number>();
    assert.deepEqual(router.match("a"), []);
    router.add("a/b", 1);
    assert.deepEqual(router.match("a"), []);
    assert.deepEqual(router.match("a/b/c"), []);
    assert.equal(router.hasMatch("a/b/c"), false);
    assert.equal(router.hasMatch("a/b"), true);
  });

  it("TopicRouter.match keeps several values of one filter in insertion order", () => {
    const router = new TopicRouter<string>();
    router.add("a/+", "x");
    router.add("a/b", "y");
    router.add("a/+", "z");
    assert.deepEqual(router.match("a/b"), ["x", "y", "z"]);
  });

  it("TopicRouter.match returns a fresh array each time", () => {
    const router = new TopicRouter<string>();
    router.add("a", "x");
    const first = router.match("a");
    first.push("mutated");
    assert.deepEqual(router.match("a"), ["x"]);
  });

  it("TopicRouter.match does not let a wildcard first level match a $ topic [MQTT-4.7.2-1]", () => {
    const router = new TopicRouter<string>();
    router.add("#", "hash");
    router.add("+/uptime", "plus");
    router.add("$SYS/#", "sys");
    router.add("$SYS/+", "sys-plus");
    assert.deepEqual(router.match("$SYS/uptime"), ["sys", "sys-plus"]);
    assert.deepEqual(router.match("x/uptime"), ["hash", "plus"]);
  });

  it("TopicRouter.match lets + match an empty level and # match the parent level", () => {
    const router = new TopicRouter<string>();
    router.add("a/+/c", "plus");
    router.add("a/#", "hash");
    assert.deepEqual(router.match("a//c"), ["plus", "hash"]);
    assert.deepEqual(router.match("a"), ["hash"]);
    assert.deepEqual(router.match("a/"), ["hash"]);
  });

  it("TopicRouter matches a shared subscription filter on its inner filter", () => {
    const router = new TopicRouter<string>();
    router.add("$share/g1/sensors/+", "shared");
    router.add("sensors/+", "plain");
    router.add("$share/g2/#", "shared-all");
    assert.deepEqual(router.match("sensors/t1"), ["shared", "plain", "shared-all"]);
    assert.deepEqual(router.match("$share/g1/sensors/t1"), []);
    assert.deepEqual(router.match("$SYS/x"), []);
  });

  it("TopicRouter.add ignores a (filter, value) pair it already holds", () => {
    const router = new TopicRouter<string>();
    assert.equal(router.add("a/#", "x"), true);
    assert.equal(router.add("a/#", "x"), false);
    assert.equal(router.add("a/#", "y"), true);
    assert.equal(router.size, 2);
    assert.deepEqual(router.match("a/b"), ["x", "y"]);
  });

  it("TopicRouter.add rejects an invalid filter before changing anything", () => {
    const router = new TopicRouter<string>();
    assert.throws(() => router.add("a/#/b", "x"), RangeError);
    assert.throws(() => router.add("a+", "x"), RangeError);
    assert.throws(() => router.add("", "x"), RangeError);
    assert.throws(() => router.add("$share/g", "x"), RangeError);
    assert.throws(() => router.add(5 as unknown as string, "x"), TypeError);
    assert.equal(router.size, 0);
    assert.deepEqual([...router.filters()], []);
  });

  it("TopicRouter.remove with a value removes only that value", () => {
    const router = new TopicRouter<string>();
    router.add("a/+", "x");
    router.add("a/+", "y");
    assert.equal(router.remove("a/+", "x"), 1);
    assert.equal(router.remove("a/+", "x"), 0);
    assert.deepEqual(router.match("a/b"), ["y"]);
    assert.equal(router.has("a/+"), true);
    assert.equal(router.has("a/+", "x"), false);
    assert.equal(router.has("a/+", "y"), true);
    assert.equal(router.size, 1);
  });

  it("TopicRouter.remove without a value removes every value of the filter", () => {
    const router = new TopicRouter<string>();
    router.add("a/+", "x");
    router.add("a/+", "y");
    router.add("a/b", "z");
    assert.equal(router.remove("a/+"), 2);
    assert.equal(router.has("a/+"), false);
    assert.deepEqual(router.match("a/b"), ["z"]);
    assert.equal(router.size, 1);
    assert.equal(router.remove("never/added"), 0);
  });

  it("TopicRouter.remove can remove an undefined value", () => {
    const router = new TopicRouter<string | undefined>();
    router.add("a", undefined);
    router.add("a", "x");
    assert.equal(router.remove("a", undefined), 1);
    assert.deepEqual(router.match("a"), ["x"]);
  });

  it("TopicRouter.remove keeps a shared filter and a plain filter on the same levels apart", () => {
    const router = new TopicRouter<string>();
    router.add("a/b", "plain");
    router.add("$share/g/a/b", "shared");
    assert.equal(router.remove("a/b"), 1);
    assert.deepEqual(router.match("a/b"), ["shared"]);
    assert.equal(router.has("$share/g/a/b"), true);
    assert.deepEqual(router.get("$share/g/a/b"), ["shared"]);
    assert.deepEqual(router.get("a/b"), []);
  });

  it("TopicRouter.remove prunes the trie so re-adding works", () => {
    const router = new TopicRouter<string>();
    router.add("a/b/c/#", "x");
    router.add("a/+", "y");
    router.remove("a/b/c/#");
    router.remove("a/+");
    assert.equal(router.size, 0);
    assert.deepEqual(router.match("a/b/c/d"), []);
    router.add("a/b/c/#", "z");
    assert.deepEqual(router.match("a/b/c/d"), ["z"]);
  });

  it("TopicRouter.filters lists each filter once in first-added order", () => {
    const router = new TopicRouter<string>();
    router.add("b", "1");
    router.add("a", "2");
    router.add("b", "3");
    assert.deepEqual([...router.filters()], ["b", "a"]);
    assert.deepEqual(router.get("b"), ["1", "3"]);
  });

  it("TopicRouter.clear removes everything", () => {
    const router = new TopicRouter<string>();
    router.add("#", "x");
    router.clear();
    assert.equal(router.size, 0);
    assert.deepEqual(router.match("a"), []);
    assert.equal(router.has("#"), false);
  });

  it("TopicRouter.match agrees with topicMatches on random filters and topics", () => {
    const random = seeded(42);
    const levels = ["a", "b", "", "$x", "+", "#"];
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
    const word = (n: number) => Array.from({ length: n }, () => pick(levels)).join("/");
    const router = new TopicRouter<string>();
    const filters: string[] = [];
    while (filters.length < 300) {
      let filter = word(1 + Math.floor(random() * 4));
      if (random() < 0.2) filter = `$share/g${filters.length}/${filter}`;
      if (!isValidTopicFilter(filter) || router.has(filter)) continue;
      router.add(filter, filter);
      filters.push(filter);
    }
    for (let n = 0; n < 2_000; n++) {
      const topic = word(1 + Math.floor(random() * 4));
      const expected = filters.filter((f) =>
        topicMatches(parseSharedFilter(f)?.filter ?? f, topic)
      );
      assert.deepEqual(router.match(topic), expected, topic);
      assert.equal(router.hasMatch(topic), expected.length > 0, topic);
    }
  });
});

/** A small deterministic PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
