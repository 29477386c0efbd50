/**
 * Topic names, topic filters and how they match.
 *
 * Spec ids cited in error messages are MQTT 3.1.1's (the topic rules are the same in 5.0), except
 * the shared subscription rules, which exist only in MQTT 5.0 (section 4.8.2).
 *
 * @example
 * ```ts
 * import { topicMatches, validateTopicFilter } from "@korero/mqtt";
 * validateTopicFilter("sensors/+/temperature");
 * topicMatches("sensors/+/temperature", "sensors/kitchen/temperature"); // true
 * topicMatches("#", "$SYS/broker/uptime"); // false [MQTT-4.7.2-1]
 * ```
 * @module
 */

/** Largest UTF-8 encoded length of a topic name or filter, in bytes [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65_535;

const SHARE_PREFIX = "$share/";
const QUOTE_LIMIT = 64;

/** The parts of a shared subscription filter `$share/{group}/{filter}`. */
export interface SharedFilter {
  /** The share name (the group of sessions that share the subscription). */
  group: string;
  /** The topic filter inside, which is what topics are matched against. */
  filter: string;
}

/**
 * Throws unless `name` is a valid topic name (what a PUBLISH is sent to).
 *
 * @param name the value to check
 * @param label how the message refers to the value
 * @throws {TypeError} if `name` is not a string
 * @throws {RangeError} if it is empty, longer than 65,535 UTF-8 bytes, contains U+0000 or a lone
 * surrogate, or contains a wildcard (`+`, `#`)
 */
export function validateTopicName(name: unknown, label = "Topic name"): asserts name is string {
  if (typeof name !== "string") throw new TypeError(notAString(label, name));
  const problem = topicNameProblem(name, label);
  if (problem !== undefined) throw new RangeError(problem);
}

/**
 * Throws unless `filter` is a valid topic filter (what a SUBSCRIBE asks for), including the
 * `$share/{group}/{filter}` form of MQTT 5.0 shared subscriptions.
 *
 * @param filter the value to check
 * @param label how the message refers to the value
 * @throws {TypeError} if `filter` is not a string
 * @throws {RangeError} if it is empty, longer than 65,535 UTF-8 bytes, contains U+0000 or a lone
 * surrogate, has a `#` that is not alone in the last level, a `+` that is not alone in its level,
 * or is a `$share/` filter with an empty or wildcard share name or no filter after it
 */
export function validateTopicFilter(
  filter: unknown,
  label = "Topic filter",
): asserts filter is string {
  if (typeof filter !== "string") throw new TypeError(notAString(label, filter));
  const problem = topicFilterProblem(filter, label);
  if (problem !== undefined) throw new RangeError(problem);
}

/** Whether `name` is a valid topic name; see {@link validateTopicName}. */
export function isValidTopicName(name: unknown): name is string {
  return typeof name === "string" && topicNameProblem(name, "") === undefined;
}

/** Whether `filter` is a valid topic filter; see {@link validateTopicFilter}. */
export function isValidTopicFilter(filter: unknown): filter is string {
  return typeof filter === "string" && topicFilterProblem(filter, "") === undefined;
}

/**
 * Splits a shared subscription filter `$share/{group}/{filter}` into its parts, or returns
 * `undefined` if `filter` does not start with `$share/` or has no `/` after the share name.
 * It does not validate the parts; use {@link validateTopicFilter} for that.
 */
export function parseSharedFilter(filter: string): SharedFilter | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return undefined;
  const slash = filter.indexOf("/", SHARE_PREFIX.length);
  if (slash === -1) return undefined;
  return { group: filter.slice(SHARE_PREFIX.length, slash), filter: filter.slice(slash + 1) };
}

/**
 * Checks the topics a client publishes to, fast: a printable-ASCII topic without wildcards
 * passes without the full check, and the last topic that passed (a publisher's loop repeats
 * its topic) is not scanned again. Each client keeps its own.
 */
export class PublishTopicCheck {
  #last = "";

  /**
   * Throws like {@link validateTopicName} unless `topic` can be published to; an empty topic
   * passes when `hasAlias` (MQTT 5: a topic alias stands for the topic).
   */
  check(topic: unknown, hasAlias: boolean): void {
    if (topic === this.#last && topic !== "") return;
    if (typeof topic === "string") {
      const n = topic.length;
      if (n > 0 && n <= MAX_TOPIC_BYTES) {
        let i = 0;
        for (; i < n; i++) {
          const c = topic.charCodeAt(i);
          if (c === 0x23 || c === 0x2b || c === 0 || c > 0x7e) break;
        }
        if (i === n) {
          this.#last = topic;
          return;
        }
      } else if (n === 0 && hasAlias) return;
    }
    validateTopicName(topic, "publish topic");
  }
}

/**
 * Whether a message published to `topic` matches the subscription `filter`, with exactly the
 * results of paho-mqtt's `topic_matches_sub`: `+` matches one level (also an empty one), `#`
 * matches the rest including the parent level (`sport/#` matches `sport`), and a filter that
 * starts with a wildcard does not match a topic that starts with `$` [MQTT-4.7.2-1].
 *
 * Neither argument is validated, and a `$share/` filter is compared as written (the
 * {@link TopicRouter} matches shared filters on their inner filter).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  const last = filterLevels.length - 1;
  // A wildcard in the first level does not match a "$" topic [MQTT-4.7.2-1].
  const wildFirst = topic.charCodeAt(0) !== 0x24;
  for (let i = 0;; i++) {
    const level = filterLevels[i];
    const wild = wildFirst || i > 0;
    if (i === last && level === "#" && wild) return true;
    if (i === topicLevels.length) return i === filterLevels.length;
    if (level === undefined) return false;
    if (level !== topicLevels[i] && !(level === "+" && wild)) return false;
  }
}

function topicNameProblem(name: string, label: string): string | undefined {
  const problem = stringProblem(name, label);
  if (problem !== undefined) return problem;
  const plus = name.indexOf("+");
  const hash = name.indexOf("#");
  if (plus !== -1 || hash !== -1) {
    const char = plus === -1 || (hash !== -1 && hash < plus) ? "#" : "+";
    return `${label} ${quote(name)} contains the wildcard "${char}"; ` +
      "wildcards are only allowed in topic filters [MQTT-4.7.1-1]";
  }
  return undefined;
}

function topicFilterProblem(filter: string, label: string): string | undefined {
  const problem = stringProblem(filter, label);
  if (problem !== undefined) return problem;
  if (!filter.startsWith(SHARE_PREFIX)) return wildcardProblem(filter, 0, label);
  const slash = filter.indexOf("/", SHARE_PREFIX.length);
  const group = filter.slice(SHARE_PREFIX.length, slash === -1 ? undefined : slash);
  if (group.length === 0) {
    return `${label} ${quote(filter)} has an empty share name [MQTT-4.8.2-1]`;
  }
  if (group.includes("+") || group.includes("#")) {
    return `${label} ${quote(filter)} has a wildcard in its share name ${quote(group)} ` +
      "[MQTT-4.8.2-2]";
  }
  if (slash === -1 || slash === filter.length - 1) {
    return `${label} ${quote(filter)} has no topic filter after the share name [MQTT-4.8.2-2]`;
  }
  return wildcardProblem(filter, slash + 1, label);
}

/** Checks the wildcards of `filter` from index `start` on. */
function wildcardProblem(filter: string, start: number, label: string): string | undefined {
  for (let i = start; i < filter.length; i++) {
    const c = filter.charCodeAt(i);
    if (c !== 0x23 && c !== 0x2b) continue;
    const alone = (i === start || filter.charCodeAt(i - 1) === 0x2f) &&
      (i === filter.length - 1 || filter.charCodeAt(i + 1) === 0x2f);
    if (c === 0x2b && !alone) {
      return `${label} ${quote(filter)} has a "+" that is not alone in its level [MQTT-4.7.1-3]`;
    }
    if (c === 0x23 && !alone) {
      return `${label} ${quote(filter)} has a "#" that is not alone in its level [MQTT-4.7.1-2]`;
    }
    if (c === 0x23 && i !== filter.length - 1) {
      return `${label} ${quote(filter)} has a "#" that is not the last level [MQTT-4.7.1-2]`;
    }
  }
  return undefined;
}

/** The rules shared by names and filters: length, U+0000, well-formed UTF-16. */
function stringProblem(value: string, label: string): string | undefined {
  if (value.length === 0) return `${label} must not be empty [MQTT-4.7.3-1]`;
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return `${label} ${quote(value)} contains U+0000 [MQTT-4.7.3-2]`;
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 3;
    } else if (c <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else {
      return `${label} ${quote(value)} contains a lone surrogate at index ${i}, ` +
        "which is not valid UTF-8 [MQTT-1.5.3-1]";
    }
  }
  if (bytes > MAX_TOPIC_BYTES) {
    return `${label} ${quote(value)} is ${bytes} bytes long in UTF-8, ` +
      `more than ${MAX_TOPIC_BYTES} [MQTT-4.7.3-3]`;
  }
  return undefined;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Quotes a value for a message, shortening long ones. */
function quote(value: string): string {
  if (value.length <= QUOTE_LIMIT) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTE_LIMIT))}… (${value.length} characters)`;
}

function notAString(label: string, value: unknown): string {
  let shown: string;
  if (value === null || value === undefined) shown = String(value);
  else if (typeof value === "object") shown = Array.isArray(value) ? "an array" : "an object";
  else if (typeof value === "function") shown = "a function";
  else shown = `${typeof value} ${String(value)}`;
  return `${label} must be a string, got ${shown}`;
}
