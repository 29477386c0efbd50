/**
 * The driver against a scripted fake session (no protocol logic): what it does with each
 * action, how it coalesces writes, when it settles, and how it runs the timer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Driver } from "../../src/client/driver.ts";
import { CLOSE_GRACE_MS, type DriverEvent } from "../../src/client/driver_types.ts";
import { MAX_WRITE } from "../../src/client/_write_pipeline.ts";
import { manualClock } from "../../src/client/clock.ts";
import { ConnectionClosedError } from "../../src/errors.ts";
import type { Will } from "../../src/codec/types.ts";
import type {
  OutgoingMessage,
  SessionAction,
  SessionApi,
  SessionState,
  Token,
} from "../../src/session/types.ts";
import type {
  Transport,
  TransportHandlers,
  TransportOpener,
  TransportTarget,
} from "../../src/transport/types.ts";

const TARGET: TransportTarget = { kind: "tcp", host: "fake", port: 1883 };
const bytes = (...values: number[]) => new Uint8Array(values);

/** A session whose reactions the test scripts; it records every input. */
class FakeSession implements SessionApi {
  state: SessionState = "idle";
  clientId = "fake";
  hasRoom = true;
  outgoing = 0;
  windowFull = false;
  calls: string[] = [];
  out: SessionAction[] = [];
  deadline: number | undefined;
  onPublish: (token: Token, message: OutgoingMessage) => SessionAction[] = (token) => [
    { type: "write", bytes: bytes(0x30, token) },
    { type: "resolve", token, value: { mid: 0, reasonCode: 0 }, onWrite: true }, // as for QoS 0
  ];
  onReceive: (chunk: Uint8Array) => SessionAction[] = () => [];
  connect(token: Token, now: number): void {
    this.calls.push(`connect ${token} @${now}`);
    this.state = "connecting";
    this.out.push({ type: "open", attempt: 1 });
  }
  transportOpened(now: number): void {
    this.calls.push(`opened @${now}`);
    this.out.push({ type: "write", bytes: bytes(0x10) });
  }
  transportClosed(now: number, error?: Error): void {
    this.calls.push(`closed @${now}${error ? ` ${error.message}` : ""}`);
  }
  receive(chunk: Uint8Array, now: number): void {
    this.calls.push(`receive ${[...chunk]} @${now}`);
    this.out.push(...this.onReceive(chunk));
  }
  handleTimer(now: number): void {
    this.calls.push(`timer @${now}`);
    this.deadline = undefined;
  }
  nextDeadline(): number | undefined {
    return this.deadline;
  }
  publish(token: Token, message: OutgoingMessage, now: number): void {
    if (message.topic === "bad") throw new RangeError("QoS 2 is above the server's Maximum QoS");
    this.calls.push(`publish ${token} @${now}`);
    this.out.push(...this.onPublish(token, message));
  }
  /** Untracked QoS 0: declined (tracked path) unless a test scripts it. */
  onSendQoS0: ((message: OutgoingMessage) => Uint8Array | undefined) | undefined;
  sendQoS0(message: OutgoingMessage, now: number): boolean {
    const written = this.onSendQoS0?.(message);
    if (written === undefined) return false;
    this.calls.push(`sendQoS0 ${message.topic} @${now}`);
    this.out.push({ type: "write", bytes: written });
    return true;
  }
  subscribe(token: Token): void {
    this.calls.push(`subscribe ${token}`);
  }
  unsubscribe(token: Token): void {
    this.calls.push(`unsubscribe ${token}`);
  }
  disconnect(token: Token, _request: unknown, now: number): void {
    this.calls.push(`disconnect ${token} @${now}`);
    this.state = "closed";
    this.out.push(
      { type: "write", bytes: bytes(0xe0, 0) },
      { type: "close" },
      { type: "resolve", token, value: undefined },
    );
  }
  reconnect(token: Token, now: number): void {
    this.calls.push(`reconnect ${token} @${now}`);
    this.out.push({ type: "close" }, { type: "open", attempt: 1 });
  }
  setCredentials(username: string | undefined, password: Uint8Array | undefined): void {
    this.calls.push(`setCredentials ${username} ${password?.length}`);
  }
  setWill(will: Will | undefined): void {
    this.calls.push(`setWill ${will?.topic}`);
  }
  cancel(token: Token, reason: unknown, now: number): void {
    this.calls.push(`cancel ${token} @${now} ${String(reason)}`);
    this.out.push({ type: "reject", token, error: reason });
  }
  ack(receipt: number, reasonCode: number, now: number): boolean {
    this.calls.push(`ack ${receipt} ${reasonCode} @${now}`);
    return true;
  }
  restore(): void {
    throw new Error("not used");
  }

  drain(): SessionAction[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** A transport whose writes the test completes by hand. */
class ManualTransport implements Transport {
  writes: number[][] = [];
  log: string[];
  closed = false;
  #releases: (() => void)[] = [];
  handlers: TransportHandlers;
  autoRelease = true;
  constructor(handlers: TransportHandlers, log: string[]) {
    this.handlers = handlers;
    this.log = log;
  }
  write(chunk: Uint8Array): Promise<void> {
    this.writes.push([...chunk]);
    this.log.push(`write ${[...chunk]}`);
    if (this.autoRelease) return Promise.resolve();
    return new Promise((resolve) => this.#releases.push(resolve));
  }
  release(): void {
    this.#releases.shift()?.();
  }
  close(): void {
    this.log.push("close");
    this.closed = true;
  }
}

function setup(autoRelease = true) {
  const session = new FakeSession();
  const clock = manualClock(1000);
  const log: string[] = [];
  const transports: ManualTransport[] = [];
  let failNext: Error | undefined;
  const opener: TransportOpener = (_target, handlers) => {
    if (failNext !== undefined) {
      const error = failNext;
      failNext = undefined;
      return Promise.reject(error);
    }
    const transport = new ManualTransport(handlers, log);
    transport.autoRelease = autoRelease;
    transports.push(transport);
    return Promise.resolve(transport);
  };
  const events: DriverEvent[] = [];
  let closedCount = 0;
  const driver = new Driver(session, {
    opener,
    target: TARGET,
    readPacing: true,
    clock,
    events: { event: (event) => events.push(event), closed: () => closedCount++ },
  });
  return {
    session,
    clock,
    log,
    transports,
    driver,
    events,
    closedCount: () => closedCount,
    failNextOpen: (error: Error) => (failNext = error),
  };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const message = (topic = "t"): OutgoingMessage => ({
  topic,
  payload: bytes(),
  qos: 0,
  retain: false,
});

describe("Driver", () => {
  it("Driver opens a transport on `open` and reports transportOpened", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    assert.deepEqual(t.session.calls, ["connect 1 @1000", "opened @1000"]);
    assert.deepEqual(t.transports[0]!.writes, [[0x10]]);
  });

  it("Driver coalesces the writes of one tick into one transport write", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    const results = [];
    for (let i = 0; i < 100; i++) results.push(t.driver.publish(message()));
    await Promise.all(results);
    const writes = t.transports[0]!.writes;
    assert.equal(writes.length, 2);
    assert.equal(writes[1]!.length, 200);
  });

  it("Driver settles a token that follows writes only after those bytes were handed over", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    const order: string[] = t.log;
    const done = t.driver.publish(message()).then(() => order.push("resolved"));
    assert.deepEqual(order, ["write 16"]);
    await done;
    assert.deepEqual(order, ["write 16", "write 48,2", "resolved"]);
  });

  it("Driver accumulates bytes while a write is pending and flushes them together", async () => {
    const t = setup(false);
    void t.driver.connect();
    await tick();
    const transport = t.transports[0]!;
    assert.equal(transport.writes.length, 1); // CONNECT, not yet completed
    let settled = 0;
    for (let i = 0; i < 3; i++) void t.driver.publish(message()).then(() => settled++);
    await tick();
    assert.equal(transport.writes.length, 1);
    assert.equal(settled, 0);
    transport.release();
    await tick();
    assert.deepEqual(transport.writes[1], [0x30, 2, 0x30, 3, 0x30, 4]);
    assert.equal(settled, 0, "QoS 0 waits until the write of its own bytes completed");
    transport.release();
    await tick();
    assert.equal(settled, 3);
  });

  it("Driver delivers a reject at once, even while earlier bytes wait on a hung write", async () => {
    const t = setup(false); // the CONNECT write never completes: a peer that stopped reading
    void t.driver.connect();
    await tick();
    const controller = new AbortController();
    let outcome = "pending";
    t.driver.publish(message(), controller.signal).then(
      () => (outcome = "resolved"),
      () => (outcome = "rejected"),
    );
    await tick();
    assert.equal(outcome, "pending", "a QoS 0 success waits for its bytes to be written");
    controller.abort(new Error("gave up"));
    await tick();
    assert.equal(outcome, "rejected");
  });

  it("Driver writes pending bytes before closing on `close`", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    await t.driver.disconnect({});
    await t.driver.idle();
    assert.deepEqual(t.log, ["write 16", "write 224,0", "close"]);
    assert.equal(t.closedCount(), 1);
  });

  it("Driver closes a connection whose last write hangs after CLOSE_GRACE_MS, and idle() resolves", async () => {
    const t = setup(false); // writes complete only when released: a peer that stopped reading
    void t.driver.connect();
    await tick();
    await t.driver.disconnect({});
    let idle = false;
    void t.driver.idle().then(() => (idle = true));
    await tick();
    t.clock.advance(CLOSE_GRACE_MS - 1);
    await tick();
    assert.deepEqual([idle, t.transports[0]!.closed], [false, false]);
    t.clock.advance(1);
    await tick();
    assert.deepEqual([idle, t.transports[0]!.closed], [true, true]);
    assert.deepEqual(t.log, ["write 16", "close"], "the DISCONNECT never got past the hung write");
  });

  it("Driver gives up an opener that ignores its abort signal after CLOSE_GRACE_MS", async () => {
    const session = new FakeSession();
    const clock = manualClock(0);
    let late: ((transport: Transport) => void) | undefined;
    const opener: TransportOpener = () => new Promise((resolve) => (late = resolve));
    const driver = new Driver(session, {
      opener,
      target: TARGET,
      readPacing: true,
      clock,
      events: { event() {}, closed() {} },
    });
    void driver.connect();
    session.out.push({ type: "close" });
    // Any input makes the driver drain the `close`; this QoS 0 is never written: it fails.
    void driver.publish(message()).catch(() => {});
    let idle = false;
    void driver.idle().then(() => (idle = true));
    clock.advance(CLOSE_GRACE_MS);
    await tick();
    assert.equal(idle, true);
    const transport = new ManualTransport({ onData() {}, onClose() {} }, []);
    late!(transport); // the opener finally delivers: the driver closes it at once
    await tick();
    assert.equal(transport.closed, true);
  });

  it("Driver reports a transport that could not be opened as transportClosed(error)", async () => {
    const t = setup();
    t.failNextOpen(new Error("refused"));
    void t.driver.connect();
    await tick();
    assert.deepEqual(t.session.calls, ["connect 1 @1000", "closed @1000 refused"]);
  });

  it("Driver forwards data and the close of the current transport only", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    const first = t.transports[0]!;
    first.handlers.onData(bytes(0x20, 2, 0, 0));
    t.session.out.push({ type: "close" }, { type: "open", attempt: 2 });
    first.handlers.onData(bytes(1)); // not yet run: the driver drains on the next input
    t.clock.advance(5);
    first.handlers.onData(bytes(2));
    await tick();
    // The close/open pair is performed by the drain after receive(1), so bytes(2) is ignored.
    first.handlers.onClose(new Error("late"));
    await tick();
    assert.deepEqual(t.session.calls, [
      "connect 1 @1000",
      "opened @1000",
      "receive 32,2,0,0 @1000",
      "receive 1 @1000",
      "opened @1005",
    ]);
    assert.ok(first.closed);
    assert.equal(t.transports.length, 2);
  });

  it("Driver reports the close of the current transport with its error", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    t.transports[0]!.handlers.onClose(new Error("reset"));
    assert.deepEqual(t.session.calls.at(-1), "closed @1000 reset");
  });

  it("Driver arms the clock at the session's next deadline and calls handleTimer when due", async () => {
    const t = setup();
    t.session.deadline = 1500;
    void t.driver.connect();
    await tick();
    t.clock.advance(499);
    assert.ok(!t.session.calls.some((call) => call.startsWith("timer")));
    t.clock.advance(1);
    assert.deepEqual(t.session.calls.at(-1), "timer @1500");
  });

  it("Driver keeps an earlier timer armed and does not call handleTimer before the deadline", async () => {
    const t = setup();
    t.session.deadline = 1100;
    void t.driver.connect();
    await tick();
    t.session.deadline = 1300; // moved later, e.g. by a write; the driver keeps the 1100 timer
    void t.driver.publish(message());
    t.clock.advance(100);
    assert.ok(!t.session.calls.some((call) => call.startsWith("timer")));
    t.clock.advance(200);
    assert.deepEqual(t.session.calls.at(-1), "timer @1300");
  });

  it("Driver cancels the token when its signal aborts", async () => {
    const t = setup();
    t.session.onPublish = () => []; // never settles by itself
    void t.driver.connect();
    await tick();
    const controller = new AbortController();
    const publishing = t.driver.publish(message(), controller.signal);
    t.clock.advance(7);
    controller.abort("stop");
    await assert.rejects(publishing, (error) => error === "stop");
    assert.deepEqual(t.session.calls.at(-1), "cancel 2 @1007 stop");
  });

  it("Driver rethrows a synchronous session error and forgets the token", () => {
    const t = setup();
    const controller = new AbortController();
    assert.throws(() => t.driver.publish(message("bad"), controller.signal), RangeError);
    controller.abort();
    assert.ok(!t.session.calls.some((call) => call.startsWith("cancel")));
  });

  it("Driver performs actions caused from an event callback after the current ones, in order", async () => {
    const session = new FakeSession();
    const order: string[] = [];
    let handlers!: TransportHandlers;
    const opener: TransportOpener = (_target, h) => {
      handlers = h;
      return Promise.resolve(new ManualTransport(h, []));
    };
    const driver: Driver = new Driver(session, {
      opener,
      target: TARGET,
      readPacing: true,
      clock: manualClock(),
      events: {
        event: (event) => {
          order.push(event.type === "log" ? event.message : event.type);
          if (event.type === "message") void driver.publish(message());
        },
        closed: () => {},
      },
    });
    session.onReceive = () => [
      {
        type: "message",
        message: {
          topic: "a",
          payload: bytes(),
          qos: 0,
          retain: false,
          dup: false,
          mid: 0,
          timestamp: 0,
          receipt: 0,
        },
      },
      { type: "log", level: "debug", message: "after message" },
    ];
    session.onPublish = (token) => [{ type: "log", level: "debug", message: `publish ${token}` }];
    void driver.connect();
    await tick();
    handlers.onData(bytes(0x30));
    assert.deepEqual(order, ["message", "after message", "publish 2"]);
  });

  it("Driver reports closed() once when the session reaches the closed state", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    assert.equal(t.closedCount(), 0);
    await t.driver.disconnect({});
    void t.driver.publish(message()).catch(() => {}); // (the fake writes it after the close)
    assert.equal(t.closedCount(), 1);
  });
});

describe("Driver urgent writes", () => {
  const urgent = (...values: number[]): SessionAction => ({
    type: "write",
    bytes: bytes(...values),
    urgent: true,
  });

  /** A connected driver whose CONNECT write is still pending. */
  async function connectedWithPendingWrite() {
    const t = setup(false);
    void t.driver.connect();
    await tick();
    const transport = t.transports[0]!;
    assert.deepEqual(transport.writes, [[0x10]]);
    return { ...t, transport };
  }

  it("Driver writes urgent bytes ahead of non-urgent bytes not yet handed to the transport", async () => {
    const t = await connectedWithPendingWrite();
    for (let i = 0; i < 3; i++) void t.driver.publish(message());
    t.session.onReceive = () => [urgent(0x40, 2, 0, 7)];
    t.transport.handlers.onData(bytes(0x30, 0));
    t.transport.release();
    await tick();
    assert.deepEqual(t.transport.writes[1], [0x40, 2, 0, 7, 0x30, 2, 0x30, 3, 0x30, 4]);
  });

  it("Driver asks its transport to read on at once while the session's in-flight window is full", async () => {
    const t = await connectedWithPendingWrite();
    t.session.windowFull = true;
    assert.equal(t.transport.handlers.onData(bytes(0x40, 2, 0, 1)), true);
    t.session.windowFull = false;
    assert.equal(t.transport.handlers.onData(bytes(0x40, 2, 0, 2)), false);
  });

  it("Driver keeps urgent bytes in order among themselves, and the others among themselves", async () => {
    const t = await connectedWithPendingWrite();
    let ack = 0;
    t.session.onPublish = (token) => [
      { type: "write", bytes: bytes(0x30, token) },
      urgent(0x40, ++ack),
    ];
    void t.driver.publish(message());
    void t.driver.publish(message());
    void t.driver.publish(message());
    t.transport.release();
    await tick();
    assert.deepEqual(t.transport.writes[1], [0x40, 1, 0x40, 2, 0x40, 3, 0x30, 2, 0x30, 3, 0x30, 4]);
  });

  it("Driver writes at most MAX_WRITE non-urgent bytes at once, in whole packets, and lets urgent bytes in between", async () => {
    const t = await connectedWithPendingWrite();
    const third = Math.floor(MAX_WRITE / 3) + 1; // two fit in one write, three do not
    const packets = [1, 2, 3].map((n) => new Uint8Array(third).fill(n));
    let next = 0;
    t.session.onPublish = () => [{ type: "write", bytes: packets[next++]! }];
    for (let i = 0; i < 3; i++) void t.driver.publish(message());
    t.transport.release(); // CONNECT
    await tick();
    assert.deepEqual(t.transport.writes[1], [...packets[0]!, ...packets[1]!]);
    t.session.onReceive = () => [urgent(0x40, 2, 0, 9)];
    t.transport.handlers.onData(bytes(0x40));
    t.transport.release();
    await tick();
    assert.deepEqual(t.transport.writes[2], [0x40, 2, 0, 9, ...packets[2]!]);
  });

  it("Driver writes a packet larger than MAX_WRITE whole", async () => {
    const t = await connectedWithPendingWrite();
    const big = new Uint8Array(MAX_WRITE + 100).fill(7);
    t.session.onPublish = () => [{ type: "write", bytes: big }];
    void t.driver.publish(message());
    void t.driver.publish(message());
    t.transport.release();
    await tick();
    assert.equal(t.transport.writes[1]!.length, MAX_WRITE + 100);
    t.transport.release();
    await tick();
    assert.equal(t.transport.writes[2]!.length, MAX_WRITE + 100);
  });

  it("Driver settles a token only after every byte emitted before it, urgent or not, was written", async () => {
    const t = await connectedWithPendingWrite();
    const half = new Uint8Array(MAX_WRITE / 2 + 1);
    t.session.onPublish = (token) => [
      { type: "write", bytes: half },
      { type: "write", bytes: half },
      { type: "resolve", token, value: { mid: 0, reasonCode: 0 } },
    ];
    const settled: string[] = [];
    void t.driver.publish(message()).then(() => settled.push("big"));
    t.session.onPublish = () => [];
    void t.driver.publish(message()).then(() => settled.push("acked"));
    t.session.onReceive = () => [urgent(0x40, 2, 0, 3), {
      type: "resolve",
      token: 3,
      value: { mid: 0, reasonCode: 0 },
    }];
    t.transport.handlers.onData(bytes(0x40, 2, 0, 3));
    t.transport.release(); // CONNECT
    await tick();
    assert.equal(t.transport.writes[1]!.length, 4 + half.length);
    assert.deepEqual(settled, []);
    t.transport.release(); // the urgent bytes and the first half
    await tick();
    assert.deepEqual(settled, [], "each waits for the second half, emitted before it");
    assert.equal(t.transport.writes[2]!.length, half.length);
    t.transport.release();
    await tick();
    assert.deepEqual(settled, ["big", "acked"]);
  });

  it("Driver settles a token that follows an urgent write only after that write completed", async () => {
    const t = await connectedWithPendingWrite();
    t.transport.release();
    await tick();
    t.session.onPublish = () => [];
    let settled = false;
    void t.driver.publish(message()).then(() => (settled = true));
    t.session.onReceive = () => [urgent(0x62, 2, 0, 2), {
      type: "resolve",
      token: 2,
      value: { mid: 0, reasonCode: 0 },
    }];
    t.transport.handlers.onData(bytes(0x50, 2, 0, 2));
    await tick();
    assert.deepEqual(t.transport.writes[1], [0x62, 2, 0, 2]);
    assert.equal(settled, false);
    t.transport.release();
    await tick();
    assert.equal(settled, true);
  });
});

describe("Driver untracked QoS 0 (sendQoS0)", () => {
  /** A driver whose session sends every QoS 0 message untracked, as `0x30, topic length`. */
  async function connectedUntracked() {
    const t = setup(false);
    t.session.onSendQoS0 = (m) => m.topic === "tracked" ? undefined : bytes(0x30, m.topic.length);
    void t.driver.connect();
    await tick();
    const transport = t.transports[0]!;
    transport.release(); // CONNECT
    await tick();
    return { ...t, transport };
  }

  it("Driver gives the QoS 0 messages of one write one shared promise, settled after that write", async () => {
    const t = await connectedUntracked();
    const first = t.driver.publish(message("a"));
    const second = t.driver.publish(message("bb"));
    assert.equal(first, second, "one promise for the messages flushed together");
    let settled = 0;
    void first.then(() => settled++);
    await tick();
    assert.deepEqual(t.transport.writes[1], [0x30, 1, 0x30, 2]);
    assert.equal(settled, 0, "not before the transport took the bytes");
    const third = t.driver.publish(message("ccc")); // while that write is pending
    assert.notEqual(third, first, "a message after the flush starts the next batch");
    t.transport.release();
    await tick();
    assert.equal(settled, 1);
    const result = await first;
    assert.deepEqual(result, { mid: 0, reasonCode: 0 });
    assert.ok(Object.isFrozen(result), "the shared result cannot be changed by one caller");
    let thirdSettled = false;
    void third.then(() => (thirdSettled = true));
    await tick();
    assert.deepEqual(t.transport.writes[2], [0x30, 3]);
    assert.equal(thirdSettled, false);
    t.transport.release();
    await third;
    assert.deepEqual(t.session.calls.filter((c) => c.startsWith("sendQoS0")), [
      "sendQoS0 a @1000",
      "sendQoS0 bb @1000",
      "sendQoS0 ccc @1000",
    ]);
  });

  it("Driver settles untracked QoS 0 batches and tracked operations in the order they were emitted", async () => {
    const t = await connectedUntracked();
    const order: string[] = [];
    void t.driver.publish(message("a")).then(() => order.push("batch 1"));
    void t.driver.publish(message("tracked")).then(() => order.push("tracked"));
    void t.driver.publish(message("b")).then(() => order.push("batch 2"));
    await tick();
    t.transport.release();
    await tick();
    assert.deepEqual(order, ["batch 1", "tracked", "batch 2"]);
  });

  it("Driver takes the tracked path for a QoS 0 publish with a signal, or before a transport is open", async () => {
    const t = setup(false);
    t.session.onSendQoS0 = () => bytes(0x30, 0);
    void t.driver.publish(message("early")).catch(() => {}); // no transport yet
    void t.driver.connect();
    await tick();
    void t.driver.publish(message("a"), new AbortController().signal);
    assert.deepEqual(t.session.calls.filter((c) => /publish|sendQoS0/.test(c)), [
      "publish 1 @1000",
      "publish 3 @1000",
    ]);
  });

  it("Driver rejects QoS 0 messages whose connection ended before their write, and resolves what was written", async () => {
    const t = await connectedUntracked();
    const written = t.driver.publish(message("a")); // its write starts and hangs
    await tick();
    const stuck = t.driver.publish(message("b")); // waits behind the hung write
    const tracked = t.driver.publish(message("tracked")); // the session's token path
    t.session.onPublish = (token) => [{ type: "resolve", token, value: { mid: 0, reasonCode: 0 } }];
    const acked = t.driver.publish(message("tracked")); // e.g. a PUBACK: not about writing
    t.transport.handlers.onClose(new Error("reset"));
    for (const unsent of [stuck, tracked]) {
      await assert.rejects(
        unsent,
        (error: unknown) =>
          error instanceof ConnectionClosedError &&
          /before the QoS 0 message was written/.test(error.message),
      );
    }
    assert.deepEqual(await acked, { mid: 0, reasonCode: 0 });
    assert.deepEqual(t.transport.writes.slice(1), [[0x30, 1]], "b was never written");
    void written.catch(() => {}); // its write never completed either: rejected too
    await assert.rejects(written, ConnectionClosedError);
  });
});

describe("Driver settlement across connections", () => {
  it("Driver settles on a new connection without waiting for an old one whose last write hangs", async () => {
    const t = setup(false);
    void t.driver.connect();
    await tick();
    const first = t.transports[0]!;
    first.release(); // CONNECT
    let old = "pending";
    t.driver.publish(message()).then(() => (old = "resolved"), () => (old = "rejected"));
    await tick(); // its write is handed to the transport and hangs
    t.session.out.push({ type: "close" }, { type: "open", attempt: 2 });
    first.handlers.onData(bytes(1)); // any input performs the close/open pair
    await tick();
    const second = t.transports[1]!;
    second.release(); // CONNECT on the new connection
    await tick();
    t.session.onPublish = (token) => [{ type: "resolve", token, value: { mid: 0, reasonCode: 0 } }];
    let fresh = "pending";
    void t.driver.publish(message()).then(() => (fresh = "resolved"));
    await tick();
    assert.deepEqual([fresh, old], ["resolved", "pending"], "not held behind the old connection");
    t.clock.advance(CLOSE_GRACE_MS);
    await tick();
    assert.equal(old, "rejected", "the old QoS 0 was never written");
  });
});

describe("Driver lifecycle inputs", () => {
  it("Driver calls preConnect with the open action's attempt before it opens the transport", async () => {
    const session = new FakeSession();
    const order: string[] = [];
    const opener: TransportOpener = (_target, handlers) => {
      order.push("opener");
      return Promise.resolve(new ManualTransport(handlers, []));
    };
    const driver = new Driver(session, {
      opener,
      target: TARGET,
      readPacing: true,
      clock: manualClock(0),
      events: {
        event: () => {},
        closed: () => {},
        preConnect: (attempt) => order.push(`preConnect ${attempt}`),
      },
    });
    void driver.connect();
    await tick();
    void driver.reconnect();
    await tick();
    assert.deepEqual(order, ["preConnect 1", "opener", "preConnect 1", "opener"]);
  });

  it("Driver forwards reconnect, setCredentials and setWill to the session", async () => {
    const t = setup();
    void t.driver.connect();
    await tick();
    void t.driver.reconnect();
    t.driver.setCredentials("u", bytes(1, 2));
    t.driver.setWill({ topic: "w", payload: bytes(), qos: 0, retain: false });
    t.driver.setWill(undefined);
    await tick();
    assert.deepEqual(t.session.calls.slice(2), [
      "reconnect 2 @1000",
      "setCredentials u 2",
      "setWill w",
      "setWill undefined",
      "opened @1000",
    ]);
    assert.equal(t.transports.length, 2, "the reconnect opened a new transport");
    assert.equal(t.transports[0]!.closed, true);
  });
});
