/**
 * The bytes a connection has to write, gathered as they are emitted.
 *
 * Small packets are copied into blocks of {@link BLOCK_SIZE} bytes, so a burst of them (a
 * publisher's tight loop) keeps no per-packet object alive until the flush and costs one copy:
 * no buffer that doubles and copies everything again (see bench/README.md). A large packet
 * is kept as it is (no copy), and so is a lone packet until a second one arrives.
 *
 * Packets that follow one another in memory (views of one buffer, each starting where the one
 * before ended: consecutive packets from the encoder's slab) join a **run** instead: one view
 * that grows, with no copy at all. A run of {@link RUN_ALONE} bytes or more is handed out alone,
 * never copied to join another segment.
 *
 * `take(max)` hands out whole packets only and never bytes that are written again, so a
 * transport may keep what it was given.
 *
 * @module
 */

/** Capacity of one block (and the most bytes `take(max)` needs to look at). */
export const BLOCK_SIZE = 128 * 1024;

/** A packet at least this long is kept by reference instead of copied. */
const LARGE = BLOCK_SIZE / 4;

/** A run at least this long goes out on its own rather than copied to join its neighbours. */
const RUN_ALONE = 16 * 1024;

/**
 * A connection's first block starts this small and doubles (copying at most BLOCK_SIZE bytes) as
 * it fills; a block started while bytes still wait (a burst) starts at the size the one before it
 * reached, so a burst of 1 KiB packets is not copied again at every doubling.
 */
const FIRST_CAPACITY = 4096;

/** A run of waiting bytes: `bytes[start, end)`; `ends` are the packet ends after `start`. */
interface Segment {
  bytes: Uint8Array;
  start: number;
  end: number;
  ends: number[];
  /** Where `ends` starts (the packets before were handed out). */
  endsHead: number;
  /** Whether the bytes are a block of ours that later packets may be appended to. */
  block: boolean;
  /**
   * Whether the segment is a run: `bytes` views its buffer from the first packet to the buffer's
   * end, and packets that follow in that buffer extend `end`.
   */
  run: boolean;
}

/** Pending output bytes of one connection. */
export class WriteBuffer {
  #segments: Segment[] = [];
  #head = 0;
  #size = 0;
  /** The capacity the last block reached while bytes waited (FIRST_CAPACITY once all are out). */
  #capacity = FIRST_CAPACITY;

  /** Bytes waiting. */
  get size(): number {
    return this.#size;
  }

  /** Appends `bytes` (which the caller must not change afterwards). */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    this.#size += n;
    const segments = this.#segments;
    let tail = segments.length > this.#head ? segments[segments.length - 1]! : undefined;
    if (tail !== undefined && !tail.block && follows(tail, bytes)) {
      if (!tail.run) {
        tail.bytes = new Uint8Array(bytes.buffer, tail.bytes.byteOffset);
        tail.run = true;
      }
      tail.end += n;
      tail.ends.push(tail.end);
      return;
    }
    // Alone for now (after a run: the next packet may follow this one, as the run's did).
    if (tail === undefined || n >= LARGE || tail.run) {
      segments.push({ bytes, start: 0, end: n, ends: [n], endsHead: 0, block: false, run: false });
      return;
    }
    if (!tail.block) {
      if (tail.end - tail.start >= LARGE) tail = undefined; // a large packet stays alone
      else segments.pop(); // a lone small packet moves into a block with this one
      const moved = tail;
      tail = this.#newBlock(n + (moved === undefined ? 0 : moved.end - moved.start));
      if (moved !== undefined) this.#append(tail, moved.bytes.subarray(moved.start, moved.end));
    } else if (tail.end + n > tail.bytes.length) {
      if (tail.start === 0 && tail.end + n <= BLOCK_SIZE) {
        const grown = new Uint8Array(Math.min(BLOCK_SIZE, Math.max(2 * tail.end, tail.end + n)));
        grown.set(tail.bytes.subarray(0, tail.end));
        tail.bytes = grown;
      } else tail = this.#newBlock(n);
    }
    this.#append(tail, bytes);
  }

  /**
   * Removes and returns waiting bytes, in order (empty when none): all of them, or, with `max`,
   * whole packets from the front that fit in `max` (at least one packet, even a larger one).
   * Bytes from several segments are copied into one array; a single run is handed out as is.
   */
  take(max = Infinity): Uint8Array {
    const segments = this.#segments;
    const first = segments[this.#head];
    if (first === undefined) return new Uint8Array(0);
    // Whole segments that fit together in `max` go out as one copy (a long run alone: no copy).
    let count = 0;
    let total = 0;
    for (let i = this.#head; i < segments.length; i++) {
      const s = segments[i]!;
      if (total + s.end - s.start > max || (count > 0 && (alone(s) || alone(first)))) break;
      total += s.end - s.start;
      count++;
    }
    if (count > 1) {
      const joined = new Uint8Array(total);
      let at = 0;
      for (let i = this.#head; i < this.#head + count; i++) {
        const s = segments[i]!;
        joined.set(s.bytes.subarray(s.start, s.end), at);
        at += s.end - s.start;
      }
      this.#size -= total;
      this.#head += count;
      this.#afterHeadMoved();
      return joined;
    }
    let cut = first.end;
    if (cut - first.start > max) cut = lastEndWithin(first, first.start + max);
    const whole = first.start === 0 && cut === first.bytes.length;
    const bytes = whole ? first.bytes : first.bytes.subarray(first.start, cut);
    this.#size -= cut - first.start;
    first.start = cut;
    if (cut === first.end) {
      this.#head++;
      this.#afterHeadMoved();
    }
    return bytes;
  }

  /** The length of the first waiting packet (0 when none waits). */
  nextLength(): number {
    const first = this.#segments[this.#head];
    if (first === undefined) return 0;
    let i = first.endsHead;
    while (first.ends[i]! <= first.start) i++; // packets handed out earlier
    return first.ends[i]! - first.start;
  }

  /** Forgets the segments handed out. */
  #afterHeadMoved(): void {
    const head = this.#head;
    const segments = this.#segments;
    if (head === segments.length) this.clear();
    else if (head >= 64 && head * 2 >= segments.length) {
      this.#segments = segments.slice(head);
      this.#head = 0;
    }
  }

  /** Drops every waiting byte. */
  clear(): void {
    this.#segments = [];
    this.#head = 0;
    this.#size = 0;
    this.#capacity = FIRST_CAPACITY;
  }

  #newBlock(atLeast: number): Segment {
    const last = this.#segments[this.#segments.length - 1];
    if (last?.block === true) this.#capacity = Math.max(this.#capacity, last.bytes.length);
    const block: Segment = {
      bytes: new Uint8Array(Math.max(this.#capacity, atLeast)),
      start: 0,
      end: 0,
      ends: [],
      endsHead: 0,
      block: true,
      run: false,
    };
    this.#segments.push(block);
    return block;
  }

  #append(block: Segment, bytes: Uint8Array): void {
    block.bytes.set(bytes, block.end);
    block.end += bytes.length;
    block.ends.push(block.end);
  }
}

/** Whether `s` is a run long enough to go out on its own. */
function alone(s: Segment): boolean {
  return s.run && s.end - s.start >= RUN_ALONE;
}

/** Whether `bytes` starts, in the same buffer, right where the segment `s` ends. */
function follows(s: Segment, bytes: Uint8Array): boolean {
  return s.bytes.buffer === bytes.buffer && s.bytes.byteOffset + s.end === bytes.byteOffset;
}

/** The last packet end at or before `limit` in `s`, or its first packet's end if past it. */
function lastEndWithin(s: Segment, limit: number): number {
  const ends = s.ends;
  let low = s.endsHead;
  while (ends[low]! <= s.start) low++; // packets handed out earlier
  if (ends[low]! >= limit) {
    s.endsHead = low + 1;
    return ends[low]!;
  }
  let high = ends.length - 1;
  while (low < high) { // invariant: ends[low] < limit
    const mid = (low + high + 1) >> 1;
    if (ends[mid]! <= limit) low = mid;
    else high = mid - 1;
  }
  s.endsHead = low + 1;
  return ends[low]!;
}
