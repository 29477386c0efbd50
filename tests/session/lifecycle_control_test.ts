/**
 * The session's lifecycle controls: retrying the first connect, attempt numbers on `open`,
 * credentials and will changed between attempts, `reconnect()`, and refusing CONNACKs reported
 * with the packet.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConnectPacket } from "../../src/codec/types.ts";
import { ConnectionClosedError, ConnectionRefusedError } from "../../src/errors.ts";
import { Session } from "../../src/session/session.ts";
import { baseOptions, find, Harness, kinds, packets } from "./_harness.ts";

const policy = { minDelay: 1000, maxDelay: 16_000 };
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The CONNECT among the drained steps. */
function connectOf(h: Harness): ConnectPacket {
  const connect = h.written().find((p) => p.type === "connect");
  assert.ok(connect !== undefined, "no CONNECT written");
  return connect as ConnectPacket;
}

describe("Session retryFirstConnect", () => {
  it("Session with retryFirstConnect retries a failed first attempt with the backoff and keeps connect() waiting", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true });
    const token = h.connect();
    h.drain();
    h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["connectFailed"]);
    assert.equal(find(steps, "connectFailed").reconnectAt, 1500, "first delay with random 0.5");
    assert.equal(h.session.state, "connecting");
    h.unsettled(token);
    assert.equal(h.session.nextDeadline(), 1500);
    h.advance(1500);
    const open = find(h.drain(), "open");
    assert.deepEqual(open, { type: "open", attempt: 2 });
    h.session.transportOpened(h.now);
    h.connack();
    const connected = find(h.drain(), "connected");
    assert.equal(connected.reconnect, false, "the first accepted CONNACK is no reconnect");
    assert.equal(h.session.state, "connected");
    h.resolved(token);
  });

  it("Session with retryFirstConnect retries after a refused CONNACK, reporting the CONNACK", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true });
    const token = h.connect();
    h.connack(false, undefined, 0x87);
    const failed = find(h.drain(), "connectFailed");
    assert.ok(failed.error instanceof ConnectionRefusedError);
    assert.deepEqual(failed.connack, { type: "connack", sessionPresent: false, reasonCode: 0x87 });
    assert.equal(failed.reconnectAt, 1500);
    h.unsettled(token);
    h.advance(1500);
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.resolved(token);
  });

  it("Session with retryFirstConnect keeps retrying after a CONNACK timeout", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true, connectTimeout: 5000 });
    const token = h.connect();
    h.drain();
    h.advance(5000);
    assert.deepEqual(kinds(h.drain()), ["close", "connectFailed"]);
    h.advance(1500);
    assert.deepEqual(find(h.drain(), "open").attempt, 2);
    h.unsettled(token);
  });

  it("Session with retryFirstConnect rejects connect() when it is cancelled, and stops", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true });
    const token = h.connect();
    h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
    h.drain();
    const reason = new Error("aborted");
    h.cancel(token, reason);
    h.drain();
    assert.equal(h.rejected(token), reason);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined, "no attempt is scheduled any more");
  });

  it("Session with retryFirstConnect rejects connect() on disconnect()", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true });
    const token = h.connect();
    h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
    const bye = h.disconnect();
    h.drain();
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
    h.resolved(bye);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined);
  });

  it("Session without retryFirstConnect still fails a first connect at its first failure", () => {
    const h = new Harness({ reconnect: policy });
    const token = h.connect();
    h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
    const failed = find(h.drain(), "connectFailed");
    assert.equal(failed.reconnectAt, undefined);
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
    assert.equal(h.session.state, "closed");
  });

  it("Session constructor refuses retryFirstConnect without a reconnect policy (RangeError)", () => {
    assert.throws(
      () => new Session(baseOptions({ reconnect: false, retryFirstConnect: true }), () => 0.5),
      (error) => error instanceof RangeError && /retryFirstConnect/.test(error.message),
    );
  });
});

describe("Session attempts and CONNECT settings", () => {
  it("Session numbers its open actions: 1 after connect(), 2 and 3 while failing, 1 again after a loss", () => {
    const h = new Harness({ reconnect: policy, retryFirstConnect: true });
    h.connect();
    const attempts = [find(h.drain(), "open").attempt];
    for (let i = 0; i < 2; i++) {
      h.session.transportClosed(h.now, new Error("refused"));
      h.advance(h.session.nextDeadline()! - h.now);
      attempts.push(find(h.drain(), "open").attempt);
    }
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.session.transportClosed(h.now, new Error("lost"));
    h.advance(h.session.nextDeadline()! - h.now);
    attempts.push(find(h.drain(), "open").attempt);
    assert.deepEqual(attempts, [1, 2, 3, 1]);
  });

  it("Session.setCredentials applies from the next CONNECT, built when the transport opened", () => {
    const h = new Harness({ reconnect: policy, username: "alice", password: utf8("one") });
    h.connect();
    assert.equal(connectOf(h).username, "alice");
    h.connack();
    h.drain();
    h.session.setCredentials("bob", utf8("two")); // while connected: nothing is sent
    assert.deepEqual(h.written(), []);
    h.session.transportClosed(h.now, new Error("lost"));
    h.advance(1500);
    assert.deepEqual(kinds(h.drain()), ["disconnected", "open"]);
    h.session.setCredentials("carol", utf8("three")); // after open, before opened: still in time
    h.session.transportOpened(h.now);
    const connect = connectOf(h);
    assert.equal(connect.username, "carol");
    assert.deepEqual(connect.password, utf8("three"));
  });

  it("Session.setCredentials(undefined, undefined) leaves user name and password out", () => {
    const h = new Harness({ username: "alice", password: utf8("one") });
    h.session.setCredentials(undefined, undefined);
    h.connect();
    const connect = connectOf(h);
    assert.equal("username" in connect, false);
    assert.equal("password" in connect, false);
  });

  it("Session.setCredentials refuses a password without a user name on MQTT 3.1.1, changing nothing", () => {
    const h = new Harness({ protocolVersion: 4, username: "alice", password: utf8("one") });
    assert.throws(() => h.session.setCredentials(undefined, utf8("x")), RangeError);
    h.connect();
    const connect = connectOf(h);
    assert.equal(connect.username, "alice");
    assert.deepEqual(connect.password, utf8("one"));
  });

  it("Session.setWill replaces and removes the will of the next CONNECT", () => {
    const will = { topic: "w/1", payload: utf8("gone"), qos: 1 as const, retain: false };
    const h = new Harness({ reconnect: policy });
    h.session.setWill(will);
    h.connect();
    assert.deepEqual(connectOf(h).will, will);
    h.connack();
    h.drain();
    h.session.setWill(undefined);
    h.session.transportClosed(h.now);
    h.advance(1500);
    h.drain();
    h.session.transportOpened(h.now);
    assert.equal("will" in connectOf(h), false);
  });

  it("Session.setWill refuses will properties on MQTT 3.1.1 (RangeError)", () => {
    const h = new Harness({ protocolVersion: 4 });
    const will = {
      topic: "w",
      payload: utf8(""),
      qos: 0 as const,
      retain: false,
      properties: { willDelayInterval: 5 },
    };
    assert.throws(() => h.session.setWill(will), RangeError);
  });
});

describe("Session.reconnect", () => {
  it("Session.reconnect drops the connection without DISCONNECT, reconnects at once and keeps in-flight work", () => {
    const h = new Harness({ reconnect: policy, clean: false });
    h.connected();
    const publish = h.publish("t", 1);
    assert.deepEqual(h.written().map((p) => p.type), ["publish"]);
    const token = h.token("reconnect");
    h.session.reconnect(token, h.now);
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["close", "disconnected", "open"], "no DISCONNECT written");
    assert.deepEqual(find(steps, "disconnected"), {
      type: "disconnected",
      reasonCode: 0,
      reconnectAt: h.now,
    });
    assert.equal(find(steps, "open").attempt, 1);
    h.session.transportOpened(h.now);
    h.connack(true);
    const after = h.drain();
    assert.deepEqual(kinds(after), ["write:connect", "connected", "resolve", "write:publish"]);
    assert.equal(find(after, "connected").reconnect, true);
    const resent = packets(after)[1];
    assert.ok(resent?.type === "publish" && resent.dup, "the in-flight PUBLISH is resent with DUP");
    h.resolved(token);
    h.unsettled(publish);
  });

  it("Session.reconnect works without a reconnect policy, and a failed attempt then closes", () => {
    const h = new Harness({ reconnect: false });
    h.connected();
    const token = h.token("reconnect");
    h.session.reconnect(token, h.now);
    assert.deepEqual(kinds(h.drain()), ["close", "disconnected", "open"]);
    h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
    const failed = find(h.drain(), "connectFailed");
    assert.equal(failed.reconnectAt, undefined);
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
    assert.equal(h.session.state, "closed");
  });

  it("Session.reconnect during an attempt under way replaces it; every waiting token gets the CONNACK", () => {
    const h = new Harness({ reconnect: policy });
    const first = h.connect();
    h.drain(); // CONNECT sent, no CONNACK yet
    const again = h.token("reconnect");
    h.session.reconnect(again, h.now);
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["close", "open"], "no connectFailed for the replaced attempt");
    assert.equal(find(steps, "open").attempt, 2);
    assert.equal(h.session.state, "connecting");
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.resolved(first);
    h.resolved(again);
  });

  it("Session.reconnect while waiting out a backoff delay attempts now", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.session.transportClosed(h.now, new Error("lost"));
    h.drain();
    const token = h.token("reconnect");
    h.session.reconnect(token, h.now);
    assert.deepEqual(kinds(h.drain()), ["open"]);
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.resolved(token);
  });

  it("Session.reconnect before any connect() is connect()", () => {
    const h = new Harness();
    const token = h.token("reconnect");
    h.session.reconnect(token, h.now);
    assert.deepEqual(find(h.drain(), "open"), { type: "open", attempt: 1 });
    assert.equal(h.session.state, "connecting");
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.resolved(token);
  });

  it("Session.reconnect rejects while a disconnect() waits for an incoming QoS 2 exchange", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.serverSends({
      type: "publish",
      topic: "t",
      payload: utf8("x"),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 7,
    });
    const message = find(h.drain(), "message").message;
    h.session.ack(message.receipt, 0, h.now); // PUBREC; the PUBREL is awaited
    const bye = h.disconnect();
    h.drain();
    h.unsettled(bye);
    const token = h.token("reconnect");
    h.session.reconnect(token, h.now);
    h.drain();
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
    assert.equal(h.session.state, "connected");
  });

  it("Session reports a refused reconnect attempt with its CONNACK", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.session.transportClosed(h.now);
    h.advance(1500);
    h.drain();
    h.session.transportOpened(h.now);
    h.connack(false, undefined, 0x86);
    const failed = find(h.drain(), "connectFailed");
    assert.equal(failed.connack?.reasonCode, 0x86);
  });
});
