/**
 * The driver: runs one session against one transport and one clock timer. It feeds the session
 * its inputs (user commands, bytes, transport events, the timer) and performs the actions the
 * session emits, in order. It holds no protocol logic.
 *
 * Writes are coalesced: bytes emitted in the same tick become one transport write, scheduled
 * in a microtask, and bytes emitted while a write is in progress go out together when it
 * completes, at most {@link MAX_WRITE} of them per write. Writes the session marks `urgent`
 * (acknowledgements, PINGREQ) wait in their own buffer and go first, so they overtake a burst of
 * PUBLISH bytes not handed over yet; each kind keeps its own order. A `resolve`/`reject` is
 * delivered only after every byte emitted before it, of either kind, was written (the
 * transport's `write()` resolved: the runtime took them), so a QoS 0 publish settles "on write",
 * and `await publish()` before exiting loses nothing to a user-space buffer.
 *
 * @module
 */

import type { Transport, TransportOpener, TransportTarget } from "../transport/types.ts";
import type {
  AckResult,
  DisconnectRequest,
  OutgoingMessage,
  PublishResult,
  SessionAction,
  SessionApi,
  SessionState,
  Token,
} from "../session/types.ts";
import type { ConnackPacket, Properties, Subscription } from "../codec/types.ts";
import type { Clock } from "./clock.ts";
import { TokenTable } from "./_token_table.ts";
import { WriteBuffer } from "./_write_buffer.ts";
import { ConnectionClosedError } from "../errors.ts";

/** The session actions the driver hands to the client. */
export type DriverEvent = Extract<
  SessionAction,
  { type: "connected" | "connectFailed" | "disconnected" | "message" | "log" }
>;

type Settle = Extract<SessionAction, { type: "resolve" | "reject" }>;

/**
 * How long a connection the session closed may take to hand over its last bytes (e.g. the
 * DISCONNECT) before it is closed regardless: a peer that stopped reading would otherwise hold
 * the socket, and `disconnect()`, forever.
 */
export const CLOSE_GRACE_MS = 5000;

/**
 * The most non-urgent bytes handed to the transport in one write: a large burst goes out in
 * pieces, and acknowledgements emitted meanwhile go out between them.
 */
export const MAX_WRITE = 128 * 1024;

/**
 * What a QoS 0 publish resolves with. QoS 0 messages written together share one promise and
 * this one frozen result: a publisher's loop then keeps no object per message alive until the
 * write (measured on Deno 2.9: 100,000 pending promises made the loop spend about half its time
 * in the garbage collector).
 */
const QOS0_RESULT: PublishResult = Object.freeze({ reasonCode: 0 });

/** Why a QoS 0 publish whose bytes never reached the transport fails. */
function notWritten(): ConnectionClosedError {
  return new ConnectionClosedError(
    "The connection ended before the QoS 0 message was written; it was not sent",
  );
}

/** What the driver reports to its owner. */
export interface DriverEvents {
  /** A session event, in the order the session emitted it. */
  event(event: DriverEvent): void;
  /** The session reached state `"closed"`: it will not reconnect unless told to connect again. */
  closed(): void;
}

/** A caller waiting on a token. */
class Pending<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** One transport, from the `open` request to its end. */
class Connection {
  transport: Transport | undefined = undefined;
  /** Aborts the opener while the transport is being opened. */
  opening: AbortController | undefined = new AbortController();
  /** Bytes emitted and not yet handed to the transport. */
  readonly out = new WriteBuffer();
  /** Urgent bytes emitted and not yet handed to the transport; written before `out`. */
  readonly urgent = new WriteBuffer();
  /** Bytes ever emitted for this connection, and how many of them the transport has written. */
  pushed = 0;
  written = 0;
  /** The same for the urgent bytes. */
  urgentPushed = 0;
  urgentWritten = 0;
  writing = false;
  flushQueued = false;
  /** Set when the connection ended with bytes unwritten: how many of them had been written. */
  endedAt: number | undefined = undefined;
  /**
   * Settlements waiting for bytes of this connection to be written, in emission order (parallel
   * arrays read from `deferHead`). Each connection has its own: one whose last write hangs does
   * not hold up the settlements of the next.
   */
  deferActions: (Settle | Pending<PublishResult>)[] = [];
  deferMarks: number[] = [];
  deferUrgentMarks: number[] = [];
  deferHead = 0;
  /** The session asked to close it: write what is pending, then close. */
  closing = false;
  /** When a closing connection is closed even if its bytes were not handed over. */
  closeBy = 0;
  /** Ended: nothing more is written to it or forwarded from it. */
  dead = false;
  /** Events that arrived before the opener resolved. */
  early: Uint8Array[] | undefined = undefined;
  earlyClose: { error: Error | undefined } | undefined = undefined;
}

/** Runs a {@link SessionApi} against transports made by `opener` and a {@link Clock}. */
export class Driver {
  readonly #session: SessionApi;
  readonly #opener: TransportOpener;
  readonly #target: TransportTarget;
  readonly #clock: Clock;
  readonly #events: DriverEvents;
  readonly #pending = new TokenTable<Pending<unknown>>();
  #nextToken = 1;
  #conn: Connection | undefined;
  /** Connections closing after their last write; `idle()` waits for them. */
  #retiring = 0;
  /** Those of them still waiting for a write or for the opener; closed at their `closeBy`. */
  readonly #lingering = new Set<Connection>();
  #idleWaiters: (() => void)[] = [];
  /** The QoS 0 batch being filled (see `#qos0Batch`), and its connection. */
  #batch: Pending<PublishResult> | undefined;
  #batchConn: Connection | undefined;
  #running = false;
  #armed: number | undefined;
  #closedReported = false;

  constructor(
    session: SessionApi,
    opener: TransportOpener,
    target: TransportTarget,
    clock: Clock,
    events: DriverEvents,
  ) {
    this.#session = session;
    this.#opener = opener;
    this.#target = target;
    this.#clock = clock;
    this.#events = events;
  }

  /** The session's coarse state. */
  get state(): SessionState {
    return this.#session.state;
  }

  /** Starts connecting; resolves with the CONNACK of the first successful attempt. */
  connect(signal?: AbortSignal): Promise<ConnackPacket> {
    this.#closedReported = false;
    return this.#call((token, now) => this.#session.connect(token, now), signal);
  }

  /** Publishes; settles per QoS (on write, PUBACK or PUBCOMP). */
  publish(message: OutgoingMessage, signal?: AbortSignal): Promise<PublishResult> {
    if (message.qos === 0 && signal === undefined) {
      const conn = this.#conn;
      if (
        conn !== undefined && conn.transport !== undefined && !conn.closing &&
        this.#session.sendQoS0(message, this.#clock.now())
      ) {
        this.#run();
        return this.#qos0Batch(conn);
      }
    }
    const token = this.#nextToken++;
    const pending = this.#track<PublishResult>(token, signal);
    try {
      this.#session.publish(token, message, this.#clock.now());
    } catch (error) {
      this.#untrack(token, pending);
      throw error;
    }
    this.#run();
    return pending.promise;
  }

  /** Subscribes; resolves with the SUBACK's reason codes. */
  subscribe(
    subscriptions: Subscription[],
    properties: Properties | undefined,
    signal?: AbortSignal,
  ): Promise<AckResult> {
    return this.#call(
      (t, now) => this.#session.subscribe(t, subscriptions, properties, now),
      signal,
    );
  }

  /** Unsubscribes; resolves with the UNSUBACK's reason codes. */
  unsubscribe(
    filters: string[],
    properties: Properties | undefined,
    signal?: AbortSignal,
  ): Promise<AckResult> {
    return this.#call((t, now) => this.#session.unsubscribe(t, filters, properties, now), signal);
  }

  /** Disconnects; resolves when DISCONNECT was written (see {@link idle} for the close). */
  disconnect(request: DisconnectRequest): Promise<void> {
    return this.#call((token, now) => this.#session.disconnect(token, request, now), undefined);
  }

  /** Resolves when no transport is open or closing. */
  idle(): Promise<void> {
    if (this.#conn === undefined && this.#retiring === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #call<T>(
    start: (token: Token, now: number) => void,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const token = this.#nextToken++;
    const pending = this.#track<T>(token, signal);
    try {
      start(token, this.#clock.now());
    } catch (error) {
      this.#untrack(token, pending);
      throw error;
    }
    this.#run();
    return pending.promise;
  }

  #track<T>(token: Token, signal: AbortSignal | undefined): Pending<T> {
    const pending = new Pending<T>();
    this.#pending.set(token, pending as Pending<unknown>);
    if (signal !== undefined) {
      pending.signal = signal;
      pending.onAbort = () => {
        this.#session.cancel(token, signal.reason, this.#clock.now());
        this.#run();
      };
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    return pending;
  }

  #untrack<T>(token: Token, pending: Pending<T>): void {
    this.#pending.delete(token);
    if (pending.onAbort !== undefined) {
      pending.signal!.removeEventListener("abort", pending.onAbort);
    }
  }

  /** Drains and performs the session's actions until it has none; then re-arms the timer. */
  #run(): void {
    if (this.#running) return; // the outer loop drains what a callback caused
    this.#running = true;
    try {
      for (;;) {
        const actions = this.#session.drain();
        if (actions.length === 0) break;
        for (let i = 0; i < actions.length; i++) this.#perform(actions[i]!);
      }
    } finally {
      this.#running = false;
    }
    this.#arm();
    if (this.#session.state === "closed" && !this.#closedReported) {
      this.#closedReported = true;
      this.#events.closed();
    }
  }

  #perform(action: SessionAction): void {
    switch (action.type) {
      case "write": {
        const conn = this.#conn;
        if (conn === undefined || conn.dead) return;
        if (action.urgent === true) {
          conn.urgent.push(action.bytes);
          conn.urgentPushed += action.bytes.length;
        } else {
          conn.out.push(action.bytes);
          conn.pushed += action.bytes.length;
        }
        this.#scheduleFlush(conn);
        return;
      }
      case "reject":
        // A failure depends on no bytes of ours: deliver it now, so an abort or a timeout
        // settles even while a write hangs on a peer that stopped reading.
        return this.#settle(action);
      case "resolve": {
        const conn = this.#conn;
        if (action.onWrite === true && (conn === undefined || conn.dead)) {
          return this.#settle({ type: "reject", token: action.token, error: notWritten() });
        }
        if (
          conn !== undefined &&
          (conn.written < conn.pushed || conn.urgentWritten < conn.urgentPushed)
        ) {
          this.#defer(action, conn);
        } else this.#settle(action);
        return;
      }
      case "open":
        return this.#open();
      case "close": {
        const conn = this.#conn;
        this.#conn = undefined;
        if (conn !== undefined) this.#retire(conn);
        return;
      }
      case "connected":
      case "connectFailed":
      case "disconnected":
      case "message":
      case "log":
        this.#events.event(action);
        return;
    }
  }

  /**
   * The promise of the QoS 0 messages emitted on `conn` since its last flush: they all settle
   * when the last of their bytes was written, so they share one promise (see {@link QOS0_RESULT}).
   */
  #qos0Batch(conn: Connection): Promise<PublishResult> {
    let batch = this.#batch;
    if (batch === undefined || this.#batchConn !== conn) {
      this.#closeBatch();
      batch = this.#batch = new Pending<PublishResult>();
      this.#batchConn = conn;
    }
    return batch.promise;
  }

  /** Ends the open QoS 0 batch: it settles once every byte emitted so far was written. */
  #closeBatch(): void {
    const batch = this.#batch;
    const conn = this.#batchConn;
    if (batch === undefined || conn === undefined) return;
    this.#batch = undefined;
    this.#batchConn = undefined;
    conn.deferActions.push(batch);
    conn.deferMarks.push(conn.pushed);
    conn.deferUrgentMarks.push(conn.urgentPushed);
  }

  /** Rejects a QoS 0 batch or token. */
  #fail(action: Settle | Pending<PublishResult>, error: Error): void {
    if (action instanceof Pending) action.reject(error);
    else this.#settle({ type: "reject", token: action.token, error });
  }

  #settle(action: Settle | Pending<PublishResult>): void {
    if (action instanceof Pending) return action.resolve(QOS0_RESULT);
    const pending = this.#pending.get(action.token);
    if (pending === undefined) return;
    this.#untrack(action.token, pending);
    if (action.type === "resolve") pending.resolve(action.value);
    else pending.reject(action.error);
  }

  /** Holds `action` until every byte `conn` emitted so far was written. */
  #defer(action: Settle, conn: Connection): void {
    if (this.#batchConn === conn) this.#closeBatch(); // settle in the order of emission
    conn.deferActions.push(action);
    conn.deferMarks.push(conn.pushed);
    conn.deferUrgentMarks.push(conn.urgentPushed);
  }

  /** Delivers the deferred settlements of `conn` whose bytes were written, in order. */
  #release(conn: Connection): void {
    let head = conn.deferHead;
    const actions = conn.deferActions;
    const marks = conn.deferMarks;
    while (head < actions.length) {
      const mark = marks[head]!;
      if (conn.written < mark || conn.urgentWritten < conn.deferUrgentMarks[head]!) break;
      const action = actions[head]!;
      const unwritten = conn.endedAt !== undefined && conn.endedAt < mark;
      head++;
      if (
        unwritten && (action instanceof Pending || (action.type === "resolve" && action.onWrite))
      ) {
        this.#fail(action, notWritten());
      } else this.#settle(action);
    }
    if (head === actions.length) {
      conn.deferActions = [];
      conn.deferMarks = [];
      conn.deferUrgentMarks = [];
      head = 0;
    }
    conn.deferHead = head;
  }

  #scheduleFlush(conn: Connection): void {
    if (conn.flushQueued || conn.writing) return;
    conn.flushQueued = true;
    queueMicrotask(() => this.#flush(conn));
  }

  /** Hands the urgent bytes, then up to {@link MAX_WRITE} others, to the transport in one write. */
  #flush(conn: Connection): void {
    conn.flushQueued = false;
    if (this.#batchConn === conn) this.#closeBatch();
    const transport = conn.transport;
    if (conn.writing || conn.dead || transport === undefined) return;
    if (conn.out.size === 0 && conn.urgent.size === 0) {
      if (conn.closing) this.#finish(conn);
      return;
    }
    const urgentMark = conn.urgentPushed;
    const head = conn.urgent.take();
    const body = conn.out.take(MAX_WRITE);
    const mark = conn.pushed - conn.out.size;
    let bytes = body;
    if (head.length > 0) {
      if (body.length === 0) bytes = head;
      else {
        bytes = new Uint8Array(head.length + body.length);
        bytes.set(head);
        bytes.set(body, head.length);
      }
    }
    conn.writing = true;
    let writing: Promise<void>;
    try {
      writing = transport.write(bytes);
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing.then(() => {
      conn.writing = false;
      if (conn.dead) return; // finished meanwhile: its settlements are delivered already
      conn.written = mark; // the runtime took them: settle what waited on these bytes
      conn.urgentWritten = urgentMark;
      this.#release(conn);
      this.#flush(conn);
    }, (error: unknown) => {
      conn.writing = false;
      this.#lost(conn, error instanceof Error ? error : new Error(String(error)));
    });
  }

  #open(): void {
    if (this.#conn !== undefined) this.#retire(this.#conn);
    const conn = new Connection();
    this.#conn = conn;
    const handlers = {
      onData: (chunk: Uint8Array) => {
        if (conn.dead || conn.closing) return;
        if (conn.transport === undefined) (conn.early ??= []).push(chunk);
        else {
          this.#session.receive(chunk, this.#clock.now());
          this.#run();
        }
      },
      onClose: (error?: Error) => {
        if (conn.dead) return;
        if (conn.transport === undefined) conn.earlyClose ??= { error };
        else this.#lost(conn, error);
      },
    };
    let opening: Promise<Transport>;
    try {
      opening = this.#opener(this.#target, handlers, conn.opening!.signal);
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.then((transport) => this.#opened(conn, transport), (error: unknown) => {
      conn.opening = undefined;
      if (conn.dead) return;
      this.#lost(conn, error instanceof Error ? error : new Error(String(error)));
    });
  }

  #opened(conn: Connection, transport: Transport): void {
    conn.opening = undefined;
    if (conn.dead || conn.closing) {
      transport.close();
      this.#finish(conn);
      return;
    }
    conn.transport = transport;
    this.#session.transportOpened(this.#clock.now());
    this.#run();
    const early = conn.early;
    conn.early = undefined;
    for (const chunk of early ?? []) {
      if (conn.dead || conn.closing) return;
      this.#session.receive(chunk, this.#clock.now());
      this.#run();
    }
    if (conn.earlyClose !== undefined) this.#lost(conn, conn.earlyClose.error);
  }

  /** The session is done with `conn`: write what it emitted before, then close. */
  #retire(conn: Connection): void {
    if (conn.closing || conn.dead) return;
    conn.closing = true;
    this.#retiring++;
    if (conn.opening !== undefined) {
      conn.opening.abort(new Error("Connection attempt abandoned"));
    } else if (!conn.writing && !conn.flushQueued) this.#flush(conn);
    // #opened, the opener's rejection or the end of the write finishes it, or the grace timer.
    if (!conn.dead) {
      conn.closeBy = this.#clock.now() + CLOSE_GRACE_MS;
      this.#lingering.add(conn);
    }
  }

  /** Closes a retiring connection whose last bytes were handed over. */
  #finish(conn: Connection): void {
    if (conn.dead) return;
    conn.dead = true;
    if (this.#batchConn === conn) this.#closeBatch();
    if (conn.written < conn.pushed) conn.endedAt = conn.written;
    if (this.#lingering.delete(conn)) this.#arm(); // let go of its grace timer
    conn.written = Infinity;
    conn.urgentWritten = Infinity;
    conn.transport?.close();
    this.#release(conn);
    if (conn.closing) this.#retired();
  }

  /** The transport of `conn` ended or failed. */
  #lost(conn: Connection, error: Error | undefined): void {
    if (conn.dead) return;
    const current = conn === this.#conn;
    conn.transport?.close();
    conn.out.clear();
    conn.urgent.clear();
    this.#finish(conn);
    if (current) {
      this.#conn = undefined;
      this.#session.transportClosed(this.#clock.now(), error);
      this.#run();
    }
    this.#checkIdle();
  }

  #retired(): void {
    this.#retiring--;
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#conn !== undefined || this.#retiring > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Keeps the one timer at or before the session's next deadline. */
  #arm(): void {
    let deadline = this.#session.nextDeadline();
    for (const conn of this.#lingering) {
      if (deadline === undefined || conn.closeBy < deadline) deadline = conn.closeBy;
    }
    if (deadline === undefined) {
      if (this.#armed !== undefined) {
        this.#armed = undefined;
        this.#clock.clearTimer();
      }
      return;
    }
    // A timer that fires early only re-arms, so a later deadline keeps the armed one.
    if (this.#armed !== undefined && this.#armed <= deadline) return;
    this.#armed = deadline;
    this.#clock.setTimer(deadline, this.#onTimer);
  }

  #onTimer = (): void => {
    this.#armed = undefined;
    const now = this.#clock.now();
    for (const conn of this.#lingering) {
      if (conn.closeBy <= now) this.#finish(conn); // closes the transport, settles what waited
    }
    const deadline = this.#session.nextDeadline();
    if (deadline !== undefined && deadline <= now) this.#session.handleTimer(now);
    this.#run();
  };
}
