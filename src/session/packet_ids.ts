/**
 * Packet identifiers for outgoing QoS 1/2 PUBLISH, SUBSCRIBE and UNSUBSCRIBE, which share one
 * space of 1..65535. An identifier in use is never handed out again until it is released
 * ([MQTT-2.2.1-3]).
 *
 * Allocation walks a cursor forward from the last identifier handed out, so identifiers are
 * reused as late as possible. With identifiers released roughly in the order they were taken
 * (the usual case) each allocation looks at one or two slots; it only scans far when nearly
 * all 65,535 identifiers are in use at once.
 *
 * @module
 */

import { MAX_PACKET_ID } from "../codec/constants.ts";

/** Words of the first bitset: identifiers 0..255. */
const FIRST_WORDS = 8;

/** Hands out and takes back packet identifiers. */
export class PacketIds {
  /**
   * One bit per identifier, made once two identifiers are in use at the same time, for the
   * first 256 and doubled as the cursor passes its end, up to all 65,536 (8 KiB). Until then
   * {@link #single} holds the one in use: a typed array costs ~0.25 KB even when small, which
   * counts with thousands of idle clients that only ever waited on one SUBACK at a time.
   */
  #used: Uint32Array | undefined;
  /** Without a bitset: the identifier in use, or 0. */
  #single = 0;
  #size = 0;
  #last = 0;

  /** How many identifiers are in use. */
  get size(): number {
    return this.#size;
  }

  /** Whether another identifier can be allocated. */
  get available(): boolean {
    return this.#size < MAX_PACKET_ID;
  }

  /** Whether `id` is in use. */
  has(id: number): boolean {
    const used = this.#used;
    if (used === undefined) return id === this.#single && id !== 0;
    const word = id >>> 5;
    return word < used.length && (used[word]! & (1 << (id & 31))) !== 0;
  }

  #set(id: number): void {
    let used = this.#used;
    if (used === undefined) {
      if (this.#single === 0) {
        this.#single = id;
        return;
      }
      // A second identifier: both go into a bitset.
      const single = this.#single;
      this.#single = 0;
      this.#used = new Uint32Array(FIRST_WORDS);
      this.#set(single);
      return this.#set(id);
    }
    const word = id >>> 5;
    if (word >= used.length) {
      let length = used.length * 2;
      while (word >= length) length *= 2;
      const grown = new Uint32Array(length);
      grown.set(used);
      used = this.#used = grown;
    }
    used[word]! |= 1 << (id & 31);
  }

  /**
   * A free identifier, now in use. Throws an Error when all 65,535 are in use: callers check
   * {@link available} (through `Outbound.canStart`) first.
   */
  allocate(): number {
    if (this.#size >= MAX_PACKET_ID) {
      throw new Error(
        `No free packet identifier: all ${MAX_PACKET_ID} are in use (check available first)`,
      );
    }
    let id = this.#last;
    do {
      id = id === MAX_PACKET_ID ? 1 : id + 1;
    } while (this.has(id));
    this.#set(id);
    this.#size++;
    this.#last = id;
    return id;
  }

  /**
   * Marks a specific identifier as in use (restored state); false if it already was. Allocation
   * then continues after the highest identifier taken.
   */
  take(id: number): boolean {
    if (id < 1 || id > MAX_PACKET_ID || this.has(id)) return false;
    this.#set(id);
    this.#size++;
    if (id > this.#last) this.#last = id;
    return true;
  }

  /** Frees `id`; freeing an identifier that is not in use does nothing. */
  release(id: number): void {
    if (!this.has(id)) return;
    const used = this.#used;
    if (used === undefined) this.#single = 0;
    else used[id >>> 5]! &= ~(1 << (id & 31));
    this.#size--;
  }

  /** Frees every identifier. */
  clear(): void {
    if (this.#size > 0) this.#used?.fill(0);
    this.#single = 0;
    this.#size = 0;
  }
}
