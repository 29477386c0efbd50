/**
 * The driver: runs one session against transports and one clock timer. It feeds the session its
 * inputs (user commands, bytes, transport events, the timer) and performs the actions the
 * session emits, in order. It holds no protocol logic.
 *
 * Each transport it opens is a connection (`_connection.ts`) with its own write pipeline
 * (`_write_pipeline.ts`: coalesced writes, urgent bytes first, settlements after the bytes before
 * them were written). A connection is *closing* once the session is done with it (its pending
 * bytes are still written, until a grace deadline: `_closing_connections.ts`), and *closed* once
 * nothing more is written to it or forwarded from it. A session store is reached through
 * `_store_link.ts`, the callers of `ready()` wait in `_readiness.ts`.
 *
 * @module
 */

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
import type { ConnackPacket, Properties, Subscription, Will } from "../codec/types.ts";
import type { Clock } from "./clock.ts";
import { type CallCanceller, PendingCalls, type Settlement } from "./_pending_calls.ts";
import { closedError, Readiness, READY } from "./_readiness.ts";
import { unwritten } from "./_write_settlement.ts";
import { Connection, type ConnectionEvents } from "./_connection.ts";
import { ClosingConnections, NOT_CLOSING } from "./_closing_connections.ts";
import type { DriverOptions } from "./driver_types.ts";
import { StoreLink } from "./_store_link.ts";

/** Runs a {@link SessionApi} against transports and a {@link Clock}. */
export class Driver implements ConnectionEvents, CallCanceller {
  readonly #session: SessionApi;
  readonly #options: DriverOptions;
  readonly #clock: Clock;
  readonly #calls: PendingCalls;
  /** The connection the session is using, if any. */
  #conn: Connection | undefined;
  /**
   * Connections the session is done with that still hand over their last bytes, and the callers
   * of `idle()` (NOT_CLOSING, shared and never added to, until the first of either).
   */
  #closing: ClosingConnections = NOT_CLOSING;
  /** The callers of `ready()` waiting for room (made for the first). */
  #readiness: Readiness | undefined;
  #running = false;
  #armed: number | undefined;
  #closedReported = false;
  /** The session store, when there is one (see `_store_link.ts`). */
  readonly #store: StoreLink | undefined;
  #writesHeld = false;

  constructor(session: SessionApi, options: DriverOptions) {
    this.#session = session;
    this.#options = options;
    this.#clock = options.clock;
    this.#calls = new PendingCalls(this);
    if (options.store !== undefined) {
      this.#store = new StoreLink(options.store, session.clientId, {
        restored: (saved) => {
          this.#session.restore(saved);
          this.#run();
        },
        holdWrites: (held) => this.#holdWrites(held),
        log: (level, message) => options.events.event({ type: "log", level, message }),
      });
    }
  }

  /**
   * Resolves once every change so far is in the session store (at once without one); rejects
   * with the store's error when it could not load or save.
   */
  persisted(): Promise<void> {
    return this.#store?.persisted() ?? Promise.resolve();
  }

  #holdWrites(held: boolean): void {
    this.#writesHeld = held;
    this.#conn?.writes.hold(held);
    this.#closing.hold(held);
  }

  /** The session's coarse state. */
  get state(): SessionState {
    return this.#session.state;
  }

  /** The client identifier in use: the configured one, or the one the server assigned. */
  get clientId(): string {
    return this.#session.clientId;
  }

  /** Starts connecting; resolves with the CONNACK of the first successful attempt. */
  connect(signal?: AbortSignal): Promise<ConnackPacket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#closedReported = false;
    const now = this.#clock.now();
    return this.#call(signal, (token) => this.#session.connect(token, now));
  }

  /** Drops the connection without DISCONNECT and connects again now (see `SessionApi.reconnect`). */
  reconnect(signal?: AbortSignal): Promise<ConnackPacket> {
    this.#closedReported = false;
    const now = this.#clock.now();
    return this.#call(signal, (token) => this.#session.reconnect(token, now));
  }

  /** The credentials of the next CONNECT (see `SessionApi.setCredentials`). */
  setCredentials(username: string | undefined, password: Uint8Array | undefined): void {
    this.#session.setCredentials(username, password);
  }

  /** The will of the next CONNECT (see `SessionApi.setWill`). */
  setWill(will: Will | undefined): void {
    this.#session.setWill(will);
  }

  /** Publishes; settles per QoS (on write, PUBACK or PUBCOMP). */
  publish(message: OutgoingMessage, signal?: AbortSignal): Promise<PublishResult> {
    if (message.qos === 0 && signal === undefined && this.#store?.ready !== false) {
      const conn = this.#conn;
      if (
        conn !== undefined && conn.ready && conn.state === "open" &&
        this.#session.sendQoS0(message, this.#clock.now())
      ) {
        this.#run();
        return conn.writes.qos0();
      }
    }
    const now = this.#clock.now();
    return this.#call(signal, (token) => this.#session.publish(token, message, now));
  }

  /** Subscribes; resolves with the SUBACK's reason codes. */
  subscribe(list: Subscription[], props?: Properties, signal?: AbortSignal): Promise<AckResult> {
    const now = this.#clock.now();
    return this.#call(signal, (token) => this.#session.subscribe(token, list, props, now));
  }

  /** Unsubscribes; resolves with the UNSUBACK's reason codes. */
  unsubscribe(list: string[], props?: Properties, signal?: AbortSignal): Promise<AckResult> {
    const now = this.#clock.now();
    return this.#call(signal, (token) => this.#session.unsubscribe(token, list, props, now));
  }

  /** Disconnects; resolves when DISCONNECT was written (see {@link idle} for the close). */
  disconnect(request: DisconnectRequest): Promise<void> {
    const now = this.#clock.now();
    return this.#call(undefined, (token) => this.#session.disconnect(token, request, now));
  }

  /** Acknowledges the delivered message of `receipt` (see `SessionApi.ack`). */
  ack(receipt: number, reasonCode: number): boolean {
    const done = this.#session.ack(receipt, reasonCode, this.#clock.now());
    this.#run();
    return done;
  }

  /**
   * Resolves when a publish now would not wait for room in the queue, fewer than the
   * `highWaterMark` outgoing messages are unacknowledged, and the current connection's write
   * pipeline is under its own high-water mark; rejects once the session is closed, or with
   * `signal`'s reason.
   */
  ready(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#session.state === "closed") return Promise.reject(closedError());
    if (this.#hasRoom()) return READY;
    return (this.#readiness ??= new Readiness()).wait(signal);
  }

  /** Resolves when no connection is open or closing. */
  idle(): Promise<void> {
    if (this.#conn === undefined && this.#closing.size === 0) return Promise.resolve();
    return this.#ownClosing().waitIdle();
  }

  /**
   * Starts a call the session settles later (`send` hands it over), then runs the session. A
   * call whose signal was aborted already rejects with its reason and sends nothing.
   */
  #call<T>(signal: AbortSignal | undefined, send: (token: Token) => void): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const store = this.#store;
    // With a session store, calls wait (in order) until the saved session is restored.
    if (store !== undefined && !store.ready) {
      return store.loaded.then(() => this.#call<T>(signal, send));
    }
    const promise = this.#calls.start<T>(signal, send);
    this.#run();
    return promise;
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
      this.#store?.close();
      this.#options.events.closed();
    }
    this.#checkReady();
  }

  #hasRoom(): boolean {
    const session = this.#session;
    return session.hasRoom && session.outgoing < (this.#options.highWaterMark ?? 1000) &&
      this.#conn?.writes.full !== true;
  }

  /** Settles the waiting `ready()` calls when there is room, or the session is closed. */
  #checkReady(): void {
    const readiness = this.#readiness;
    if (readiness === undefined || !readiness.waiting) return;
    if (this.#session.state === "closed") readiness.fail(closedError());
    else if (this.#hasRoom()) readiness.release();
  }

  #perform(action: SessionAction): void {
    switch (action.type) {
      case "write":
        return this.#conn?.writes.push(action.bytes, action.urgent === true);
      case "reject":
        // A failure depends on no bytes of ours: deliver it now, so an abort or a timeout
        // settles even while a write hangs on a peer that stopped reading.
        return this.#calls.settle(action);
      case "resolve": {
        const conn = this.#conn;
        if (conn === undefined) return this.#calls.settle(unwritten(action));
        return conn.writes.settleAfterWrites(action);
      }
      case "store":
        return this.#store?.add(action.change);
      case "open":
        this.#options.events.preConnect?.(action.attempt);
        return this.#open();
      case "close": {
        const conn = this.#conn;
        this.#conn = undefined;
        if (conn !== undefined) this.#startClosing(conn);
        return;
      }
      case "connected":
      case "connectFailed":
      case "disconnected":
      case "message":
      case "log":
        return this.#options.events.event(action);
    }
  }

  #open(): void {
    if (this.#conn !== undefined) this.#startClosing(this.#conn);
    const conn = new Connection(this);
    this.#conn = conn;
    if (this.#writesHeld) conn.writes.hold(true);
    conn.open(this.#options);
  }

  // What its connections and pending calls report (ConnectionEvents, CallCanceller): methods, so
  // neither costs closures.

  /** A pending call's signal aborted: the session gives its token up. */
  cancelCall(token: Token, reason: unknown): void {
    this.#session.cancel(token, reason, this.#clock.now());
    this.#run();
  }

  /** A connection's transport opened. */
  connectionOpened(_conn: Connection): void {
    this.#session.transportOpened(this.#clock.now());
    this.#run();
  }

  /**
   * Bytes arrived on a connection (only the current one forwards them). True when the in-flight
   * window is still full once they were handled: the transport then reads on without pacing, as
   * the acknowledgements that let the next messages go are in what it reads next.
   */
  connectionData(_conn: Connection, chunk: Uint8Array): boolean {
    this.#session.receive(chunk, this.#clock.now());
    this.#run();
    return this.#session.windowFull;
  }

  /** A connection's transport ended, failed, or could not be opened. */
  connectionClosed(conn: Connection, error: Error | undefined): void {
    this.#transportClosed(conn, error);
  }

  /** A connection's pipeline has nothing left to write. */
  connectionDrained(conn: Connection): void {
    if (conn.state === "closing") this.#close(conn);
  }

  /** A write completed. */
  connectionWrote(): void {
    this.#checkReady();
  }

  /** Delivers a settlement that waited until the bytes before it were written. */
  settle(settlement: Settlement): void {
    this.#calls.settle(settlement);
  }

  /** The session is done with `conn`: write what it emitted before, then close it. */
  #startClosing(conn: Connection): void {
    if (conn.startClosing()) this.#ownClosing().startedClosing(conn, this.#clock.now());
  }

  /** The driver's own set of closing connections, made when first needed. */
  #ownClosing(): ClosingConnections {
    if (this.#closing === NOT_CLOSING) this.#closing = new ClosingConnections();
    return this.#closing;
  }

  /** Closes `conn`'s transport and delivers the settlements that waited on its bytes. */
  #close(conn: Connection): void {
    if (!conn.close()) return;
    if (this.#closing.delete(conn)) this.#arm(); // let go of its grace timer
    this.#checkIdle();
  }

  /** The transport of `conn` ended, failed, or could not be opened. */
  #transportClosed(conn: Connection, error: Error | undefined): void {
    if (conn.state === "closed") return;
    const current = conn === this.#conn;
    this.#close(conn);
    if (current) {
      this.#conn = undefined;
      this.#session.transportClosed(this.#clock.now(), error);
      this.#run();
    }
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#conn === undefined) this.#closing.wakeIdle();
  }

  /** Keeps the one timer at or before the session's next deadline and every grace deadline. */
  #arm(): void {
    let deadline = this.#session.nextDeadline();
    // (Runs after every call and read: no Set iterator while no connection is closing.)
    if (this.#closing.size > 0) deadline = this.#closing.earliest(deadline);
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
    for (const conn of this.#closing) {
      if (conn.closeBy <= now) this.#close(conn); // closes the transport, settles what waited
    }
    const deadline = this.#session.nextDeadline();
    if (deadline !== undefined && deadline <= now) this.#session.handleTimer(now);
    this.#run();
  };
}
