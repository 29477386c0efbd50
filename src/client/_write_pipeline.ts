/**
 * One connection's write pipeline and settlement order.
 *
 * Writes are coalesced: bytes pushed in the same tick become one transport write, scheduled in
 * a microtask, and bytes pushed while a write is in progress go out together when it completes,
 * at most {@link MAX_WRITE} of them per write. Urgent bytes (acknowledgements, PINGREQ) wait in
 * their own buffer and go first, so they overtake a burst of PUBLISH bytes not handed over yet;
 * each kind keeps its own order.
 *
 * A settlement is delivered only after every byte pushed before it, of either kind, was written
 * (the transport's `write()` resolved: the runtime took them), so a QoS 0 publish settles "on
 * write", and `await publish()` before exiting loses nothing to a user-space buffer. Each
 * connection has its own pipeline: one whose last write hangs does not hold up the settlements
 * of the next.
 *
 * An idle pipeline holds little: its two buffers are made when bytes are pushed and dropped when
 * a flush finds nothing left to write, and the flushes of every pipeline are run by one shared
 * microtask (`_flush_queue.ts`: no closure per pipeline). What a QoS 0 publish's settlement is, and
 * what becomes of one whose bytes were never written, is in `_write_settlement.ts`.
 *
 * @module
 */

import type { PublishResult } from "../session/types.ts";
import type { Transport } from "../transport/types.ts";
import { TURN_BATCH } from "../transport/_next_turn.ts";
import { queueFlush } from "./_flush_queue.ts";
import type { Settlement } from "./_pending_calls.ts";
import { WriteBuffer } from "./_write_buffer.ts";
import { notWritten, QOS0_RESULT, Qos0Batch, unwritten } from "./_write_settlement.ts";

/**
 * The most non-urgent bytes handed to the transport in one write: a large burst goes out in
 * pieces, and acknowledgements emitted meanwhile go out between them.
 */
export const MAX_WRITE = 128 * 1024;

/**
 * Bytes pushed and not yet written (the write under way included) above which the pipeline is
 * {@link WritePipeline.full}: `ready()` waits until writes bring them back down, so a publishing
 * loop holds at most about this much, plus one burst, in user space.
 */
export const HIGH_WATER = 2 * MAX_WRITE;

/**
 * Bytes waiting behind a write under way at which the pipeline is also
 * {@link WritePipeline.full}: enough for the next write to carry many small packets, little
 * enough that a loop publishing one message per microtask keeps few waiting. It is the size a
 * transport counts as a batch (`TURN_BATCH`): on Bun and Node a smaller write settles after the
 * event loop's turn, so what such a loop publishes meanwhile joins the next write.
 */
export const NEXT_WRITE = TURN_BATCH;

/** No bytes (a write of urgent packets only). */
const NOTHING = new Uint8Array(0);

/** A settlement waiting until the bytes of each kind pushed before it were written. */
interface Waiting {
  readonly what: Settlement | Qos0Batch;
  /** Non-urgent bytes pushed before it. */
  readonly normal: number;
  /** Urgent bytes pushed before it. */
  readonly urgent: number;
}

/** What a pipeline reports to the driver. */
export interface PipelineHooks {
  /** Delivers a token's settlement. */
  settle(settlement: Settlement): void;
  /** A flush found nothing left to write. */
  drained(): void;
  /** The transport's `write()` failed. */
  failed(error: Error): void;
  /** A write completed: {@link WritePipeline.full} may have changed. */
  wrote(): void;
}

/** The bytes one connection has to write, and the settlements waiting on them. */
export class WritePipeline {
  readonly #hooks: PipelineHooks;
  /** Non-urgent bytes not handed over yet; made by a push, dropped once a flush finds none. */
  #normal: WriteBuffer | undefined = undefined;
  /** Urgent bytes not handed over yet; made by a push, dropped once a flush finds none. */
  #urgent: WriteBuffer | undefined = undefined;
  /** Bytes of each kind ever pushed, and how many of them the transport has written. */
  #normalPushed = 0;
  #normalWritten = 0;
  #urgentPushed = 0;
  #urgentWritten = 0;
  #transport: Transport | undefined = undefined;
  #writing = false;
  /** Nothing was waiting at the last flush (or none yet): the next write may be limited. */
  #quiet = true;
  #flushQueued = false;
  #closed = false;
  /** Set when the pipeline closed with non-urgent bytes unwritten: how many had been written. */
  #closedAt: number | undefined = undefined;
  /** Settlements in push order, from `#head` on. */
  #waiting: Waiting[] | undefined = undefined;
  #head = 0;
  #batch: Qos0Batch | undefined = undefined;
  /** Writes wait while set: the session store is saving the state they depend on. */
  #held = false;

  constructor(hooks: PipelineHooks) {
    this.#hooks = hooks;
  }

  /** Whether a write is in progress or scheduled. */
  get busy(): boolean {
    return this.#writing || this.#flushQueued;
  }

  /**
   * Whether more than {@link HIGH_WATER} bytes were pushed and are not written yet, or
   * {@link NEXT_WRITE} bytes or more wait behind a write under way.
   */
  get full(): boolean {
    if (this.#closed) return false;
    if (this.#writing && (this.#normal?.size ?? 0) >= NEXT_WRITE) return true;
    const backlog = this.#normalPushed - this.#normalWritten + this.#urgentPushed -
      this.#urgentWritten;
    return backlog > HIGH_WATER;
  }

  /** The transport is open: bytes pushed so far and from now on are written to it. */
  start(transport: Transport): void {
    this.#transport = transport;
  }

  /**
   * Holds every write (true) until released (false): the session store saves the changes the
   * bytes pushed meanwhile depend on first.
   */
  hold(held: boolean): void {
    this.#held = held;
    if (!held && !this.#writing && !this.#flushQueued) this.flush();
  }

  /** Queues `bytes` for the next write; `urgent` bytes go ahead of non-urgent ones. */
  push(bytes: Uint8Array, urgent: boolean): void {
    if (this.#closed) return;
    if (urgent) {
      (this.#urgent ??= new WriteBuffer()).push(bytes);
      this.#urgentPushed += bytes.length;
    } else {
      (this.#normal ??= new WriteBuffer()).push(bytes);
      this.#normalPushed += bytes.length;
    }
    if (this.#flushQueued || this.#writing) return;
    this.#flushQueued = true;
    queueFlush(this);
  }

  /** Delivers `settlement` once every byte pushed before it was written. */
  settleAfterWrites(settlement: Settlement): void {
    if (this.#closed) return this.#hooks.settle(unwritten(settlement));
    if (
      this.#normalWritten < this.#normalPushed || this.#urgentWritten < this.#urgentPushed
    ) {
      this.#closeBatch(); // settle in the order of emission
      this.#wait(settlement);
    } else this.#hooks.settle(settlement);
  }

  /**
   * The promise of the QoS 0 messages pushed since the last flush: they all settle when the last
   * of their bytes was written, so they share one promise.
   */
  qos0(): Promise<PublishResult> {
    return (this.#batch ??= new Qos0Batch()).promise;
  }

  /** Hands the urgent bytes, then up to {@link MAX_WRITE} others, to the transport in one write. */
  flush(): void {
    this.#flushQueued = false;
    this.#closeBatch();
    const transport = this.#transport;
    if (this.#writing || this.#closed || this.#held || transport === undefined) return;
    const normal = this.#normal;
    const urgent = this.#urgent;
    if (
      (normal === undefined || normal.size === 0) && (urgent === undefined || urgent.size === 0)
    ) {
      this.#normal = this.#urgent = undefined; // an idle pipeline keeps no buffers
      this.#quiet = true;
      return this.#hooks.drained();
    }
    const urgentMark = this.#urgentPushed;
    // Whole packets, urgent ones first: up to MAX_WRITE bytes, or after a quiet spell up to the
    // transport's limit if it has one (one larger packet alone).
    const max = this.#quiet ? transport.maxWrite ?? MAX_WRITE : MAX_WRITE;
    this.#quiet = false;
    const head = urgent === undefined || urgent.size === 0 ? NOTHING : urgent.take(max);
    const room = max - head.length;
    const body = normal !== undefined && normal.size > 0 &&
        (head.length === 0 || normal.nextLength() <= room)
      ? normal.take(head.length === 0 ? max : room)
      : NOTHING;
    const normalMark = this.#normalPushed - (normal === undefined ? 0 : normal.size);
    let bytes = body;
    if (head.length > 0) {
      if (body.length === 0) bytes = head;
      else {
        bytes = new Uint8Array(head.length + body.length);
        bytes.set(head);
        bytes.set(body, head.length);
      }
    }
    this.#writing = true;
    let writing: Promise<void>;
    try {
      writing = transport.write(bytes);
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing.then(() => {
      this.#writing = false;
      if (this.#closed) return; // its settlements were delivered when it closed
      this.#normalWritten = normalMark; // the runtime took them: settle what waited on them
      this.#urgentWritten = urgentMark;
      this.#release();
      this.flush();
      this.#hooks.wrote();
    }, (error: unknown) => {
      this.#writing = false;
      this.#hooks.failed(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /**
   * Nothing more is written: drops the bytes not handed over, and delivers every waiting
   * settlement (failing the QoS 0 successes whose bytes were never written).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeBatch();
    if (this.#normalWritten < this.#normalPushed) this.#closedAt = this.#normalWritten;
    this.#normalWritten = Infinity;
    this.#urgentWritten = Infinity;
    this.#normal = this.#urgent = undefined;
    this.#release();
  }

  /** Ends the open QoS 0 batch: it settles once every byte pushed so far was written. */
  #closeBatch(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    this.#wait(batch);
  }

  #wait(what: Settlement | Qos0Batch): void {
    (this.#waiting ??= []).push({ what, normal: this.#normalPushed, urgent: this.#urgentPushed });
  }

  /** Delivers the waiting settlements whose bytes were written, in order. */
  #release(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    let head = this.#head;
    while (head < waiting.length) {
      const entry = waiting[head]!;
      if (this.#normalWritten < entry.normal || this.#urgentWritten < entry.urgent) break;
      head++;
      const neverWritten = this.#closedAt !== undefined && this.#closedAt < entry.normal;
      const what = entry.what;
      if (what instanceof Qos0Batch) {
        if (neverWritten) what.reject(notWritten());
        else what.resolve(QOS0_RESULT);
      } else this.#hooks.settle(neverWritten ? unwritten(what) : what);
    }
    if (head === waiting.length) {
      this.#waiting = undefined;
      head = 0;
    }
    this.#head = head;
  }
}
