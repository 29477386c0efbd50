/**
 * Outgoing work: PUBLISH, SUBSCRIBE and UNSUBSCRIBE from `send` to acknowledgement.
 *
 * - In flight: QoS 1/2 PUBLISH by packet identifier, in the order they were sent (a `Map` keeps
 *   insertion order, which is the resend order on session resume), and SUBSCRIBE / UNSUBSCRIBE
 *   by packet identifier. All share one {@link PacketIds} space.
 * - The window: at most `window` QoS 1/2 PUBLISH in flight (the session sets it to
 *   min(maxInflight, server Receive Maximum), [MQTT-3.3.4-7]); a QoS 2 message counts until its
 *   PUBCOMP.
 * - The held resends: after a session resume, in-flight PUBLISH beyond the new window keep their
 *   packet identifiers but wait (stage `resend`, in their original order) until acknowledgements
 *   free the window; no new QoS 1/2 PUBLISH starts before they have all gone out again.
 * - The queue: work accepted but not sent yet (beyond the window, or while disconnected),
 *   bounded by `maxQueued` entries and `maxQueuedBytes` payload bytes.
 * - The waiters: work that found the queue full under `queueFull: "wait"`; not counted in the
 *   queue, admitted in FIFO order as room appears.
 *
 * Every step is O(1) (amortised): lookups by identifier, FIFO heads, counters. Work that is
 * cancelled while queued or waiting is marked `done` and skipped when it reaches the head.
 *
 * @module
 */

import type { Properties, Subscription } from "../codec/types.ts";
import { Fifo } from "./_fifo.ts";
import { PacketIds } from "./packet_ids.ts";
import type { StoredSubscription } from "./subscriptions.ts";
import type { OutgoingMessage, Token } from "./types.ts";

/**
 * Where a piece of work is: `new` (not placed yet), `waiting`, `queued`, `inflight` (sent,
 * awaiting PUBACK/PUBREC/SUBACK/UNSUBACK), `resend` (in flight from an earlier connection, held
 * back on resume until the window has room), `released` (QoS 2: PUBREL sent, awaiting PUBCOMP),
 * `done` (finished, dropped or cancelled before sending).
 */
export type Stage = "new" | "waiting" | "queued" | "inflight" | "resend" | "released" | "done";

interface WorkBase {
  /** The caller's token while unsettled; undefined once settled (the flow may go on silently). */
  token: Token | undefined;
  /** 0 until sent (or for QoS 0). */
  packetId: number;
  stage: Stage;
  /** Bytes counted against `maxQueuedBytes`: the payload of a PUBLISH, 0 otherwise. */
  cost: number;
}

/** An outgoing application message. */
export interface PublishWork extends WorkBase {
  kind: "publish";
  message: OutgoingMessage;
  /** With a user-set topic alias: the topic it stands for (the message's topic may be ""). */
  aliasTopic?: string;
  /** QoS 2 past PUBREC: its place in the order the PUBRECs arrived (PUBRELs resend in it). */
  releasedOrder?: number;
}

/** An outgoing SUBSCRIBE. */
export interface SubscribeWork extends WorkBase {
  kind: "subscribe";
  subscriptions: Subscription[];
  properties: Properties | undefined;
  /** Its entries in the subscription store (for resubscribe bookkeeping). */
  entries: StoredSubscription[];
}

/** An outgoing UNSUBSCRIBE. */
export interface UnsubscribeWork extends WorkBase {
  kind: "unsubscribe";
  topicFilters: string[];
  properties: Properties | undefined;
  /** The store entry of each filter when `unsubscribe()` was called, forgotten on success. */
  entries: (StoredSubscription | undefined)[];
}

/** SUBSCRIBE or UNSUBSCRIBE. */
export type ControlWork = SubscribeWork | UnsubscribeWork;

/** Any outgoing work. */
export type Work = PublishWork | ControlWork;

const COMPACT_DEAD = 1024;

/** In-flight maps, window, bounded queue and waiters. */
export class Outbound {
  /** Packet identifiers of everything in flight. */
  readonly ids: PacketIds = new PacketIds();
  /** Maximum QoS 1/2 PUBLISH in flight. */
  window: number;
  readonly #maxQueued: number;
  readonly #maxQueuedBytes: number;
  #publishes = new Map<number, PublishWork>();
  #controls = new Map<number, ControlWork>();
  #queue = new Fifo<Work>();
  #queued = 0;
  #queuedBytes = 0;
  #queueDead = 0;
  #waiters = new Fifo<Work>();
  #waiting = 0;
  #waitDead = 0;
  #resend = new Fifo<PublishWork>();
  #resendCount = 0;
  #releases = 0;

  constructor(window: number, maxQueued: number, maxQueuedBytes: number) {
    this.window = window;
    this.#maxQueued = maxQueued;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** QoS 1/2 PUBLISH in flight. */
  get inflight(): number {
    return this.#publishes.size;
  }

  /** Entries in the queue. */
  get queued(): number {
    return this.#queued;
  }

  /** Payload bytes in the queue. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Work waiting for room in the queue. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether new work may skip the queue (nothing queued or waiting ahead of it). */
  get clear(): boolean {
    return this.#queued === 0 && this.#waiting === 0;
  }

  /** The PUBLISH in flight with `packetId`. */
  publish(packetId: number): PublishWork | undefined {
    return this.#publishes.get(packetId);
  }

  /** The SUBSCRIBE / UNSUBSCRIBE in flight with `packetId`. */
  control(packetId: number): ControlWork | undefined {
    return this.#controls.get(packetId);
  }

  /** Whether `work` may be sent now (window and packet identifiers permitting). */
  canStart(work: Work): boolean {
    if (work.kind === "publish") {
      if (work.message.qos === 0) return true;
      return this.#resendCount === 0 && this.#publishes.size < this.window && this.ids.available;
    }
    return this.ids.available;
  }

  /**
   * Marks `work` as sent: assigns its packet identifier and records it in flight. Only after
   * {@link canStart} said yes (the identifier allocation throws when none is free).
   */
  start(work: Work): void {
    if (work.kind === "publish" && work.message.qos === 0) {
      work.stage = "done";
      return;
    }
    work.packetId = this.ids.allocate();
    work.stage = "inflight";
    if (work.kind === "publish") this.#publishes.set(work.packetId, work);
    else this.#controls.set(work.packetId, work);
  }

  /** Removes finished in-flight `work` and frees its identifier. */
  finish(work: Work): void {
    if (work.stage === "resend") this.#resendCount--;
    if (work.kind === "publish") this.#publishes.delete(work.packetId);
    else this.#controls.delete(work.packetId);
    this.ids.release(work.packetId);
    work.stage = "done";
  }

  /** QoS 2 `work` got its PUBREC: it is now awaiting PUBCOMP (and still in the window). */
  release(work: PublishWork): void {
    if (work.stage === "resend") this.#resendCount--;
    if (work.stage !== "released") work.releasedOrder = this.#releases++;
    work.stage = "released";
  }

  /** Forgets the held resends (their work stays in flight), before a resume decides again. */
  clearResend(): void {
    for (const work of this.#resend.takeAll()) if (work.stage === "resend") work.stage = "inflight";
    this.#resendCount = 0;
  }

  /** Holds in-flight `work` back on resume: it goes out again once the window has room. */
  hold(work: PublishWork): void {
    work.stage = "resend";
    this.#resend.push(work);
    this.#resendCount++;
  }

  /**
   * The first held resend, taken (stage `inflight` again), when the window has room for it;
   * undefined when none is held or the window is full.
   */
  nextResend(): PublishWork | undefined {
    let head = this.#resend.peek();
    while (head !== undefined && head.stage !== "resend") {
      this.#resend.shift();
      head = this.#resend.peek();
    }
    if (head === undefined || this.#publishes.size - this.#resendCount >= this.window) {
      return undefined;
    }
    this.#resend.shift();
    this.#resendCount--;
    head.stage = "inflight";
    return head;
  }

  /** Whether the queue can take `work` within `maxQueued` and `maxQueuedBytes`. */
  hasRoom(work: Work): boolean {
    return this.#queued < this.#maxQueued &&
      this.#queuedBytes + work.cost <= this.#maxQueuedBytes;
  }

  /** Which limit a full queue hit, for error messages. */
  fullLimit(work: Work): string {
    if (this.#queued >= this.#maxQueued) {
      return `maxQueued (${this.#maxQueued} messages)`;
    }
    return `maxQueuedBytes (${this.#maxQueuedBytes} bytes; ${this.#queuedBytes} queued, ${work.cost} more)`;
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
    this.#waiters.push(work);
    this.#waiting++;
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
      work.stage = "done";
      if (++this.#waitDead > COMPACT_DEAD && this.#waitDead > this.#waiting) {
        this.#waiters.removeWhere((w) => w.stage === "done");
        this.#waitDead = 0;
      }
    }
  }

  /**
   * Moves work forward while limits allow: from the queue to `send` (when `connected`), and
   * from the waiters into the queue (or straight to `send` when the queue is empty). `send`
   * must call {@link start} (or finish the work some other way).
   */
  pump(connected: boolean, send: (work: Work) => void): void {
    if (this.#queued === 0 && this.#waiting === 0) return;
    for (;;) {
      if (connected) {
        for (let work = this.#headOfQueue(); work !== undefined; work = this.#headOfQueue()) {
          if (!this.canStart(work)) break;
          this.#queue.shift();
          this.#queued--;
          this.#queuedBytes -= work.cost;
          send(work);
        }
      }
      let moved = false;
      for (let work = this.#headOfWaiters(); work !== undefined; work = this.#headOfWaiters()) {
        if (connected && this.#queued === 0 && this.canStart(work)) {
          this.#waiters.shift();
          this.#waiting--;
          send(work);
        } else if (this.hasRoom(work)) {
          this.#waiters.shift();
          this.#waiting--;
          this.enqueue(work);
        } else {
          break;
        }
        moved = true;
      }
      if (!moved) return;
    }
  }

  /** The QoS 1/2 PUBLISH in flight, in the order they were first sent. */
  inflightPublishes(): IterableIterator<PublishWork> {
    return this.#publishes.values();
  }

  /** Removes every in-flight PUBLISH (order kept) and frees their identifiers. */
  takeInflightPublishes(): PublishWork[] {
    this.clearResend();
    const all = [...this.#publishes.values()];
    for (const work of all) this.ids.release(work.packetId);
    this.#publishes.clear();
    return all;
  }

  /** Removes every in-flight SUBSCRIBE / UNSUBSCRIBE (order kept) and frees their identifiers. */
  takeInflightControls(): ControlWork[] {
    const all = [...this.#controls.values()];
    for (const work of all) this.ids.release(work.packetId);
    this.#controls.clear();
    return all;
  }

  /** Puts `works` at the front of the queue, in order, counted like any queued work. */
  requeueFront(works: Work[]): void {
    for (const work of works) {
      work.stage = "queued";
      work.packetId = 0;
      this.#queued++;
      this.#queuedBytes += work.cost;
    }
    this.#queue.unshiftAll(works);
  }

  /** Removes and returns every queued and waiting work (queue first), leaving both empty. */
  takePending(): Work[] {
    const live = (w: Work) => w.stage === "queued" || w.stage === "waiting";
    const all = [...this.#queue.takeAll().filter(live), ...this.#waiters.takeAll().filter(live)];
    this.#queued = this.#queuedBytes = this.#queueDead = 0;
    this.#waiting = this.#waitDead = 0;
    return all;
  }

  #headOfQueue(): Work | undefined {
    let head = this.#queue.peek();
    while (head !== undefined && head.stage === "done") {
      this.#queue.shift();
      this.#queueDead--;
      head = this.#queue.peek();
    }
    return head;
  }

  #headOfWaiters(): Work | undefined {
    let head = this.#waiters.peek();
    while (head !== undefined && head.stage === "done") {
      this.#waiters.shift();
      this.#waitDead--;
      head = this.#waiters.peek();
    }
    return head;
  }
}
