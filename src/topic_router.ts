/**
 * A trie of topic filters → values, to find every value whose filter matches a topic.
 *
 * @example
 * ```ts
 * import { TopicRouter } from "@korero/mqtt";
 * const router = new TopicRouter<string>();
 * router.add("sensors/+/temperature", "thermometer");
 * router.add("sensors/#", "logger");
 * router.match("sensors/kitchen/temperature"); // ["thermometer", "logger"]
 * ```
 * @module
 */

import { parseSharedFilter, validateTopicFilter } from "./topic.ts";

interface Entry<T> {
  readonly filter: string;
  readonly value: T;
  /** Insertion number, for a stable result order. */
  readonly seq: number;
}

/** One level of the trie. `+` and `#` children live in their own fields, literals in the map. */
class Node<T> {
  readonly parent: Node<T> | undefined;
  readonly key: string;
  children: Map<string, Node<T>> | undefined;
  plus: Node<T> | undefined;
  hash: Node<T> | undefined;
  /** Entries whose (inner) filter ends at this node; `undefined` when there are none. */
  entries: Entry<T>[] | undefined;

  constructor(parent: Node<T> | undefined, key: string) {
    this.parent = parent;
    this.key = key;
  }

  child(key: string): Node<T> | undefined {
    if (key === "+") return this.plus;
    if (key === "#") return this.hash;
    return this.children?.get(key);
  }

  isEmpty(): boolean {
    return this.entries === undefined && this.plus === undefined && this.hash === undefined &&
      (this.children === undefined || this.children.size === 0);
  }
}

/** What `filters()` iterates before any filter was added (never written to). */
const NO_NODES: ReadonlyMap<string, unknown> = new Map();

/**
 * Maps topic filters to values and finds the values whose filters match a topic, like paho-mqtt's
 * `MQTTMatcher` (the same match rules as {@link topicMatches}). A filter can hold several values;
 * a shared subscription filter `$share/{group}/{filter}` matches on its inner filter.
 *
 * Matching walks only the trie branches the topic can reach, so its cost grows with the number of
 * topic levels and wildcard branches, not with the number of filters.
 */
export class TopicRouter<T> {
  #root = new Node<T>(undefined, "");
  /** The node each filter ends at, in the order filters were first added (made on first use). */
  #nodes: Map<string, Node<T>> | undefined;
  #size = 0;
  #seq = 0;

  /** The number of (filter, value) pairs. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `value` under `filter`; returns `false` if that pair was already present.
   *
   * @throws {TypeError | RangeError} if `filter` is not a valid topic filter
   */
  add(filter: string, value: T): boolean {
    validateTopicFilter(filter);
    const nodes = this.#nodes ??= new Map<string, Node<T>>();
    let node = nodes.get(filter);
    if (node === undefined) {
      node = this.#root;
      for (const level of (parseSharedFilter(filter)?.filter ?? filter).split("/")) {
        node = this.#childOrNew(node, level);
      }
    } else if (node.entries?.some((e) => e.filter === filter && Object.is(e.value, value))) {
      return false;
    }
    const entry: Entry<T> = { filter, value, seq: this.#seq++ };
    if (node.entries === undefined) node.entries = [entry];
    else node.entries.push(entry);
    nodes.set(filter, node);
    this.#size++;
    return true;
  }

  /**
   * Removes `value` from `filter`, or every value of `filter` when no value is given; returns the
   * number of values removed.
   */
  remove(filter: string, ...value: [value?: T]): number {
    const node = this.#nodes?.get(filter);
    if (node?.entries === undefined) return 0;
    const all = value.length === 0;
    const kept = node.entries.filter((e) =>
      e.filter !== filter || (!all && !Object.is(e.value, value[0]))
    );
    const removed = node.entries.length - kept.length;
    if (removed === 0) return 0;
    this.#size -= removed;
    node.entries = kept.length === 0 ? undefined : kept;
    if (!kept.some((e) => e.filter === filter)) this.#nodes!.delete(filter);
    this.#prune(node);
    return removed;
  }

  /** Whether `filter` holds any value, or holds `value` when one is given. */
  has(filter: string, ...value: [value?: T]): boolean {
    const node = this.#nodes?.get(filter);
    if (node === undefined) return false;
    if (value.length === 0) return true;
    return node.entries?.some((e) => e.filter === filter && Object.is(e.value, value[0])) ?? false;
  }

  /** The values of exactly `filter` (no matching), in the order they were added. */
  get(filter: string): T[] {
    const entries = this.#nodes?.get(filter)?.entries ?? [];
    return entries.filter((e) => e.filter === filter).map((e) => e.value);
  }

  /** Every distinct filter, in the order each was first added. */
  filters(): IterableIterator<string> {
    return (this.#nodes ?? NO_NODES).keys();
  }

  /** Removes everything. */
  clear(): void {
    this.#root = new Node<T>(undefined, "");
    this.#nodes = undefined;
    this.#size = 0;
  }

  /**
   * The values of every filter that matches `topic`, in the order they were added (each pair at
   * most once). `topic` is not validated; pass a topic name as received.
   */
  match(topic: string): T[] {
    const found: Entry<T>[][] = [];
    this.#collect(topic.split("/"), topic.charCodeAt(0) !== 0x24, found);
    if (found.length === 0) return [];
    if (found.length === 1) return found[0]!.map((e) => e.value);
    const entries: Entry<T>[] = [];
    for (const list of found) for (const entry of list) entries.push(entry);
    if (entries.length > 32) entries.sort((a, b) => a.seq - b.seq);
    else insertionSort(entries);
    const values = new Array<T>(entries.length);
    for (let i = 0; i < entries.length; i++) values[i] = entries[i]!.value;
    return values;
  }

  /** Whether any filter matches `topic` (cheaper than `match(topic).length > 0`). */
  hasMatch(topic: string): boolean {
    const found: Entry<T>[][] = [];
    this.#collect(topic.split("/"), topic.charCodeAt(0) !== 0x24, found, true);
    return found.length > 0;
  }

  /**
   * Pushes the entry lists of every node whose filter matches `levels`. `wildFirst` is false for
   * a `$` topic, which wildcards in the first level do not match [MQTT-4.7.2-1]. A literal `+` or
   * `#` in the topic is matched by the wildcard branches only, so no node is reached twice.
   */
  #collect(levels: string[], wildFirst: boolean, found: Entry<T>[][], first = false): void {
    const stack: Node<T>[] = [this.#root];
    const depths: number[] = [0];
    while (stack.length > 0) {
      let node = stack.pop()!;
      let i = depths.pop()!;
      for (;;) {
        const wild = wildFirst || i > 0;
        if (wild && node.hash?.entries !== undefined) {
          found.push(node.hash.entries);
          if (first) return;
        }
        if (i === levels.length) {
          if (node.entries !== undefined) {
            found.push(node.entries);
            if (first) return;
          }
          break;
        }
        if (wild && node.plus !== undefined) {
          stack.push(node.plus);
          depths.push(i + 1);
        }
        const next = node.children?.get(levels[i]!);
        if (next === undefined) break;
        node = next;
        i++;
      }
    }
  }

  #childOrNew(node: Node<T>, level: string): Node<T> {
    let child = node.child(level);
    if (child !== undefined) return child;
    child = new Node<T>(node, level);
    if (level === "+") node.plus = child;
    else if (level === "#") node.hash = child;
    else (node.children ??= new Map()).set(level, child);
    return child;
  }

  /** Detaches empty nodes from `node` up towards the root. */
  #prune(node: Node<T>): void {
    let current: Node<T> = node;
    while (current.parent !== undefined && current.isEmpty()) {
      const { parent, key } = current;
      if (key === "+") parent.plus = undefined;
      else if (key === "#") parent.hash = undefined;
      else parent.children?.delete(key);
      current = parent;
    }
  }
}

/** Sorts a short list by insertion number (cheaper than `Array#sort` for a few items). */
function insertionSort<T>(entries: Entry<T>[]): void {
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i]!;
    let j = i - 1;
    while (j >= 0 && entries[j]!.seq > entry.seq) {
      entries[j + 1] = entries[j]!;
      j--;
    }
    entries[j + 1] = entry;
  }
}
