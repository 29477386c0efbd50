/**
 * The send queue: work accepted but not sent yet (beyond the in-flight window, or while
 * disconnected), bounded by `maxQueued` entries and `maxQueuedBytes` payload bytes, and behind
 * it the waiters: work that found the queue full under `queueFull: "wait"`, not counted in the
 * queue and admitted in FIFO order as room appears. The waiters are bounded by the same two
 * limits, counted on their own (so at most twice the queue's limits are held beyond the window):
 * work beyond them is refused (`QueueFullError`), never held without bound.
 *
 * Work cancelled while queued or waiting is marked `done` and skipped when it reaches the head
 * (lazy removal, compacted when many pile up), so every step is O(1) amortised.
 *
 * @module
 */

import { Fifo } from "./_fifo.ts";
import type { Work } from "./work.ts";

const COMPACT_DEAD = 1024;

/** The bounded queue and its waiters. */
export class SendQueue {
  readonly #maxQueued: number;
  readonly #maxQueuedBytes: number;
  #queue = new Fifo<Work>();
  #queued = 0;
  #queuedBytes = 0;
  #queueDead = 0;
  /** Made for the first waiter (most sessions never have one). */
  #waiters: Fifo<Work> | undefined;
  #waiting = 0;
  #waitingBytes = 0;
  #waitDead = 0;

  constructor(maxQueued: number, maxQueuedBytes: number) {
    this.#maxQueued = maxQueued;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** Entries in the queue. */
  get queued(): number {
    return this.#queued;
  }

  /** Work waiting for room in the queue. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether new work may skip the queue (nothing queued or waiting ahead of it). */
  get clear(): boolean {
    return this.#queued === 0 && this.#waiting === 0;
  }

  /** Whether the queue can take `work` within `maxQueued` and `maxQueuedBytes`. */
  hasRoom(work: Work): boolean {
    return this.#queued < this.#maxQueued &&
      this.#queuedBytes + work.cost <= this.#maxQueuedBytes;
  }

  /** Whether the waiters can take `work` within `maxQueued` and `maxQueuedBytes` of their own. */
  canWait(work: Work): boolean {
    return this.#waiting < this.#maxQueued &&
      this.#waitingBytes + work.cost <= this.#maxQueuedBytes;
  }

  /** Whether new work would be queued now, not made to wait (nor refused): queue room, no waiters. */
  get open(): boolean {
    return this.#waiting === 0 && this.#queued < this.#maxQueued &&
      this.#queuedBytes < this.#maxQueuedBytes;
  }

  /** Which limit a full queue hit (with `waiters`: the waiters' too), for error messages. */
  fullLimit(work: Work, waiters = false): string {
    const max = this.#maxQueued;
    const maxBytes = this.#maxQueuedBytes;
    if (!waiters) {
      if (this.#queued >= max) return `maxQueued (${max} messages)`;
      return `maxQueuedBytes (${maxBytes} bytes; ${this.#queuedBytes} queued, ${work.cost} more)`;
    }
    const hint = '; with queueFull "wait" as many again may wait for room';
    if (this.#waiting >= max) return `maxQueued (${max} messages queued and ${max} waiting${hint})`;
    return `maxQueuedBytes (${maxBytes} bytes queued and ${maxBytes} waiting; ${this.#waitingBytes} waiting, ${work.cost} more${hint})`;
  }

  /** Appends `work` to the queue. */
  enqueue(work: Work): void {
    work.stage = "queued";
    this.#queue.push(work);
    this.#queued++;
    this.#queuedBytes += work.cost;
  }

  /** Appends `work` to the waiters. */
  wait(work: Work): void {
    work.stage = "waiting";
    (this.#waiters ??= new Fifo()).push(work);
    this.#waiting++;
    this.#waitingBytes += work.cost;
  }

  /** Puts `works` at the front of the queue, in order, counted like any queued work. */
  enqueueFront(works: Work[]): void {
    for (const work of works) {
      work.stage = "queued";
      work.packetId = 0;
      this.#queued++;
      this.#queuedBytes += work.cost;
    }
    this.#queue.unshiftAll(works);
  }

  /** Drops queued or waiting `work` (cancel, timeout); other stages are left alone. */
  drop(work: Work): void {
    if (work.stage === "queued") {
      this.#queued--;
      this.#queuedBytes -= work.cost;
      work.stage = "done";
      if (++this.#queueDead > COMPACT_DEAD && this.#queueDead > this.#queued) {
        this.#queue.removeWhere((w) => w.stage === "done");
        this.#queueDead = 0;
      }
    } else if (work.stage === "waiting") {
      this.#waiting--;
      this.#waitingBytes -= work.cost;
      work.stage = "done";
      if (++this.#waitDead > COMPACT_DEAD && this.#waitDead > this.#waiting) {
        this.#waiters?.removeWhere((w) => w.stage === "done");
        this.#waitDead = 0;
      }
    }
  }

  /** The first live queued work, without taking it. */
  headQueued(): Work | undefined {
    let head = this.#queue.peek();
    while (head !== undefined && head.stage === "done") {
      this.#queue.shift();
      this.#queueDead--;
      head = this.#queue.peek();
    }
    return head;
  }

  /** Takes the work {@link headQueued} returned. */
  shiftQueued(): Work {
    const work = this.#queue.shift() as Work;
    this.#queued--;
    this.#queuedBytes -= work.cost;
    return work;
  }

  /** The first live waiting work, without taking it. */
  headWaiting(): Work | undefined {
    const waiters = this.#waiters;
    if (waiters === undefined) return undefined;
    let head = waiters.peek();
    while (head !== undefined && head.stage === "done") {
      waiters.shift();
      this.#waitDead--;
      head = waiters.peek();
    }
    return head;
  }

  /** Takes the work {@link headWaiting} returned. */
  shiftWaiting(): Work {
    const work = this.#waiters!.shift() as Work;
    this.#waiting--;
    this.#waitingBytes -= work.cost;
    return work;
  }

  /** Removes and returns every queued and waiting work (queue first), leaving both empty. */
  takeAll(): Work[] {
    const live = (w: Work) => w.stage === "queued" || w.stage === "waiting";
    const all = this.#queue.takeAll().filter(live);
    if (this.#waiters !== undefined) all.push(...this.#waiters.takeAll().filter(live));
    this.#queued = this.#queuedBytes = this.#queueDead = 0;
    this.#waiting = this.#waitingBytes = this.#waitDead = 0;
    return all;
  }
}
