/**
 * The outbox: every outgoing operation from the call that makes it until it settles. It admits
 * work into the in-flight window, the send queue or the waiters, pumps the queue as the window
 * frees up, and gives up on work (cancel, `operationTimeout`). The packets themselves are made
 * by the PUBLISH and SUBSCRIBE flows (`publish_out.ts`, `subscribe_out.ts`); what a new CONNACK,
 * a lost connection or the session's end does to the work is in `resume.ts`, what a session
 * store gives back in `restore.ts`; its parts are built by `outbox_parts.ts`.
 *
 * @module
 */

import type { Properties, Subscription } from "../codec/types.ts";
import {
  ConnectionClosedError,
  type MqttError,
  type ProtocolError,
  QueueFullError,
  TimeoutError,
} from "../errors.ts";
import type { Effects } from "./effects.ts";
import type { InflightTable } from "./inflight.ts";
import type { Journal } from "./journal.ts";
import type { Link, ServerLimits } from "./limits.ts";
import type { Operations } from "./operations.ts";
import type { OutboxParts } from "./outbox_parts.ts";
import type { PublishOut } from "./publish_out.ts";
import { failOutgoing, resumeSession, startAfresh, suspendOutgoing } from "./resume.ts";
import type { SendQueue } from "./send_queue.ts";
import type { SubscribeOut } from "./subscribe_out.ts";
import type { OutgoingMessage, SessionOptions, Token } from "./types.ts";
import { describeWork, type OutgoingAck, type SubscribeWork, type Work } from "./work.ts";

/** The outgoing operations of one session. */
export class Outbox {
  readonly #options: SessionOptions;
  readonly #inflight: InflightTable;
  readonly #queue: SendQueue;
  readonly #ops: Operations;
  readonly #publishes: PublishOut;
  readonly #subscribes: SubscribeOut;
  readonly #journal: Journal;
  /** The same parts, for the cold paths in other modules (restore, resume, suspend). */
  readonly #parts: OutboxParts;
  /** Resubscribe work that could not start at once and waits at the queue's front. */
  #queuedResubscribes: SubscribeWork[] | undefined = undefined;

  /** An outbox of `parts` (see `outbox_parts.ts`). */
  constructor(parts: OutboxParts) {
    this.#parts = parts;
    this.#options = parts.options;
    this.#journal = parts.journal;
    this.#inflight = parts.inflight;
    this.#queue = parts.queue;
    this.#ops = parts.ops;
    this.#publishes = parts.publishes;
    this.#subscribes = parts.subscribes;
  }

  // ---------------------------------------------------------------- accepting calls

  /** An admitted `publish()`: sends, queues, waits or rejects it (see the comment inside). */
  publish(fx: Effects, token: Token, message: OutgoingMessage, link: Link): void {
    const work = this.#publishes.work(token, message);
    // Before the first connect(), a QoS 1/2 message (or a QoS 0 one with queueQoS0Offline) is
    // queued and sent after the CONNACK, as paho keeps it; a closed session takes nothing.
    const early = link.state === "idle" && (message.qos > 0 || this.#options.queueQoS0Offline);
    if (!early && this.#refuse(fx, token, link)) return;
    this.#journal.accepted(work);
    if (link.up) {
      if (message.qos === 0) return this.#start(fx, work, link);
      this.#ops.track(work, fx.now);
      if (this.#queue.clear && this.#inflight.canStart(work)) this.#start(fx, work, link);
      else this.#admit(fx, work);
      return;
    }
    if (message.qos === 0 && !this.#options.queueQoS0Offline) {
      const error = new ConnectionClosedError(
        "Not connected: a QoS 0 message is not queued while offline (queueQoS0Offline is false)",
      );
      fx.reject(token, error);
      return;
    }
    this.#ops.track(work, fx.now);
    this.#admit(fx, work);
  }

  /**
   * Whether a QoS 1/2 `publish()` now would be sent or queued: neither made to wait for room nor
   * refused as the queue is full (what the client's `ready()` waits for).
   */
  hasRoom(link: Link): boolean {
    const queue = this.#queue;
    return (queue.clear && link.up && this.#inflight.open) || queue.open;
  }

  /** Whether a QoS 1/2 PUBLISH could be sent now (window, identifiers and held resends allowing). */
  get windowOpen(): boolean {
    return this.#inflight.open;
  }

  /** Work not done yet: QoS 1/2 PUBLISH in flight, and everything queued or waiting. */
  get outgoing(): number {
    return this.#inflight.size + this.#queue.queued + this.#queue.waiting;
  }

  /** An admitted QoS 0 `publish()` without a token: written now, or false (see `SessionApi`). */
  sendQoS0(fx: Effects, message: OutgoingMessage, link: Link): boolean {
    return this.#publishes.sendUntracked(fx, message, link);
  }

  /** An admitted `subscribe()`: sends or queues it. */
  subscribe(
    fx: Effects,
    token: Token,
    subscriptions: Subscription[],
    properties: Properties | undefined,
    link: Link,
  ): void {
    if (this.#refuse(fx, token, link)) return;
    this.#control(fx, this.#subscribes.subscribeWork(token, subscriptions, properties), link);
  }

  /** An admitted `unsubscribe()`: sends or queues it. */
  unsubscribe(
    fx: Effects,
    token: Token,
    topicFilters: string[],
    properties: Properties | undefined,
    link: Link,
  ): void {
    if (this.#refuse(fx, token, link)) return;
    this.#control(fx, this.#subscribes.unsubscribeWork(token, topicFilters, properties), link);
  }

  /** Rejects `token` right away when the session is idle or closed. */
  #refuse(fx: Effects, token: Token, link: Link): boolean {
    if (link.state !== "idle" && link.state !== "closed") return false;
    const error = new ConnectionClosedError(
      link.state === "idle"
        ? "Not connected: call connect() first"
        : "Not connected: the session is closed",
    );
    fx.reject(token, error);
    return true;
  }

  #control(fx: Effects, work: Work, link: Link): void {
    this.#ops.track(work, fx.now);
    if (link.up && this.#inflight.canStart(work)) this.#start(fx, work, link);
    else this.#admit(fx, work);
  }

  /**
   * Queues `work`, makes it wait, or rejects it, per the queue limits and `queueFull`; the
   * waiters are bounded too (see `send_queue.ts`).
   */
  #admit(fx: Effects, work: Work): void {
    const queue = this.#queue;
    if (queue.waiting === 0 && queue.hasRoom(work)) return queue.enqueue(work);
    const wait = this.#options.queueFull === "wait";
    if (wait && queue.canWait(work)) return queue.wait(work);
    work.stage = "done";
    if (work.type === "subscribe") this.#subscribes.forget(work);
    else if (work.type === "publish") this.#journal.done(work);
    this.#ops.reject(fx, work, new QueueFullError(`Queue full: ${queue.fullLimit(work, wait)}`));
  }

  // ---------------------------------------------------------------- acknowledgements

  /** A PUBACK, PUBREC, PUBCOMP, SUBACK or UNSUBACK (the caller pumps after the read). */
  onAck(fx: Effects, packet: OutgoingAck): ProtocolError | undefined {
    if (packet.type === "suback" || packet.type === "unsuback") {
      return this.#subscribes.onAck(fx, packet);
    } else if (packet.type === "puback") this.#publishes.onPuback(fx, packet);
    else if (packet.type === "pubrec") this.#publishes.onPubrec(fx, packet);
    else this.#publishes.onPubcomp(fx, packet);
    return undefined;
  }

  /**
   * A CONNACK with `limits` was accepted: the window becomes min(maxInflight, the server's
   * Receive Maximum), which is returned, and outgoing topic aliases start afresh.
   */
  connected(limits: ServerLimits): number {
    const window = Math.min(this.#options.maxInflight, limits.receiveMaximum);
    this.#inflight.setWindow(window);
    this.#publishes.connected(limits);
    return window;
  }

  /**
   * After {@link connected}: resume the session or discard its state as `resume.ts` describes,
   * then send what the window lets through.
   */
  resume(fx: Effects, sessionPresent: boolean, link: Link): void {
    if (sessionPresent) resumeSession(fx, this.#parts, link.limits);
    else this.#queuedResubscribes = startAfresh(fx, this.#parts, link.limits);
    this.pump(fx, link);
  }

  // ---------------------------------------------------------------- sending

  /** Sends held resends, then queued and waiting work, while the window and the queue allow. */
  pump(fx: Effects, link: Link): void {
    const inflight = this.#inflight;
    const queue = this.#queue;
    if (link.up) {
      for (let work = inflight.nextResend(); work; work = inflight.nextResend()) {
        this.#publishes.resend(fx, work, link.limits);
      }
    }
    if (queue.clear) return;
    for (;;) {
      if (link.up) {
        for (let work = queue.headQueued(); work !== undefined; work = queue.headQueued()) {
          if (!inflight.canStart(work)) break;
          this.#start(fx, queue.shiftQueued(), link);
        }
      }
      let moved = false;
      for (let work = queue.headWaiting(); work !== undefined; work = queue.headWaiting()) {
        if (link.up && queue.queued === 0 && inflight.canStart(work)) {
          this.#start(fx, queue.shiftWaiting(), link);
        } else if (queue.hasRoom(work)) {
          queue.enqueue(queue.shiftWaiting());
        } else {
          break;
        }
        moved = true;
      }
      if (!moved) return;
    }
  }

  #start(fx: Effects, work: Work, link: Link): void {
    if (work.type === "publish") this.#publishes.start(fx, work, link.limits);
    else this.#subscribes.start(fx, work, link.limits);
  }

  // ---------------------------------------------------------------- giving up

  /** `cancel()`: false when `token` is not a pending operation. */
  cancel(fx: Effects, token: Token, reason: unknown, link: Link): boolean {
    const work = this.#ops.get(token);
    if (work === undefined) return false;
    this.#abandon(fx, work, reason, link);
    return true;
  }

  /** Rejects the operations whose `operationTimeout` passed at `fx.now`. */
  expire(fx: Effects, link: Link): void {
    const ms = this.#options.operationTimeout;
    for (const work of this.#ops.expired(fx.now)) {
      const error = new TimeoutError(`${describeWork(work)} timed out after ${ms} ms`);
      this.#abandon(fx, work, error, link);
    }
  }

  /** When the next operation times out. */
  nextDeadline(): number | undefined {
    return this.#ops.nextDeadline();
  }

  /** Rejects `work`; drops it if not sent yet, else lets its flow finish silently. */
  #abandon(fx: Effects, work: Work, error: unknown, link: Link): void {
    const unsent = work.stage === "queued" || work.stage === "waiting";
    if (unsent) {
      this.#queue.drop(work);
      if (work.type === "subscribe") this.#subscribes.forget(work);
      else if (work.type === "publish") this.#journal.done(work);
    }
    this.#ops.reject(fx, work, error);
    if (unsent) this.pump(fx, link);
  }

  /** The session is closed or stopped: every pending operation is rejected (see `resume.ts`). */
  failAll(fx: Effects, error: MqttError): void {
    this.#queuedResubscribes = undefined;
    failOutgoing(fx, this.#parts, error);
  }

  /** The connection was lost and will be re-established (see `resume.ts`). */
  suspend(): void {
    suspendOutgoing(this.#parts, this.#queuedResubscribes);
    this.#queuedResubscribes = undefined;
  }
}
