import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConnectPacket } from "../../src/codec/types.ts";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ProtocolError,
  TimeoutError,
} from "../../src/errors.ts";
import { find, Harness, kinds, packets } from "./_harness.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

function connectPacket(h: Harness): ConnectPacket {
  h.connect();
  const [packet] = h.written();
  assert.equal(packet?.type, "connect");
  return packet as ConnectPacket;
}

describe("Session connect", () => {
  it("Session.connect emits open and writes CONNECT only once the transport is open", () => {
    const h = new Harness();
    const token = h.token("connect");
    h.session.connect(token, 0);
    assert.deepEqual(kinds(h.drain()), ["open"]);
    assert.equal(h.session.state, "connecting");
    h.session.transportOpened(1);
    assert.deepEqual(kinds(h.drain()), ["write:connect"]);
  });

  it("Session writes CONNECT with client id, keepalive, credentials, will and properties", () => {
    const h = new Harness({
      protocolVersion: 5,
      clientId: "dev-1",
      keepalive: 30,
      username: "u",
      password: utf8("p"),
      will: {
        topic: "dev/1/status",
        payload: utf8("gone"),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 5, contentType: "text/plain" },
      },
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 20 },
    });
    assert.deepEqual(connectPacket(h), {
      type: "connect",
      protocolVersion: 5,
      clientId: "dev-1",
      clean: true,
      keepalive: 30,
      username: "u",
      password: utf8("p"),
      will: {
        topic: "dev/1/status",
        payload: utf8("gone"),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 5, contentType: "text/plain" },
      },
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 20 },
    });
  });

  it("Session refuses MQTT 5 CONNECT properties on MQTT 3.1.1 and writes a CONNECT without them", () => {
    assert.throws(
      () => new Harness({ protocolVersion: 4, properties: { receiveMaximum: 5 } }),
      /options\.properties needs protocolVersion 5/,
    );
    const h = new Harness({ protocolVersion: 4, clean: false });
    const packet = connectPacket(h);
    assert.equal(packet.protocolVersion, 4);
    assert.equal(packet.clean, false);
    assert.equal(packet.properties, undefined);
  });

  it('Session with clean "first" sends clean start only until a connect succeeds', () => {
    const h = new Harness({ clean: "first", reconnect: { minDelay: 100, maxDelay: 100 } });
    // A refused first attempt does not count as the first successful connect.
    h.connect();
    h.drain();
    h.connack(false, undefined, 0x87);
    h.drain();
    assert.equal(connectPacket(h).clean, true);
    h.connack(false);
    h.drain();
    h.session.transportClosed(h.now, new Error("reset"));
    h.drain();
    h.advance(100);
    h.session.transportOpened(h.now);
    const [again] = h.written();
    assert.equal((again as ConnectPacket).clean, false);
  });

  it("Session resolves the connect token with the CONNACK and emits connected", () => {
    const h = new Harness();
    const token = h.connect();
    h.drain();
    h.connack(false, { receiveMaximum: 10 });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["connected", "resolve"]);
    assert.deepEqual(find(steps, "connected").clientId, "test-client");
    assert.deepEqual(h.resolved(token), {
      type: "connack",
      sessionPresent: false,
      reasonCode: 0,
      properties: { receiveMaximum: 10 },
    });
    assert.equal(h.session.state, "connected");
  });

  it("Session uses the Assigned Client Identifier and keeps it for the next CONNECT", () => {
    const h = new Harness({
      clientId: "",
      clean: false,
      reconnect: { minDelay: 10, maxDelay: 10 },
    });
    h.connect();
    h.drain();
    h.connack(false, { assignedClientIdentifier: "srv-42" });
    assert.equal(find(h.drain(), "connected").clientId, "srv-42");
    h.session.transportClosed(h.now);
    h.drain();
    h.advance(10);
    h.session.transportOpened(h.now);
    assert.equal((h.written()[0] as ConnectPacket).clientId, "srv-42");
  });

  it("Session fails the attempt when no CONNACK arrives within connectTimeout", () => {
    const h = new Harness({ connectTimeout: 5000 });
    const token = h.connect();
    h.drain();
    assert.equal(h.session.nextDeadline(), 5000);
    h.advance(4999);
    assert.deepEqual(kinds(h.drain()), []);
    h.advance(1);
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["close", "connectFailed", "reject"]);
    assert.ok(h.rejected(token) instanceof TimeoutError);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined);
  });

  it("Session counts the connect timeout from the open request (a slow transport open fails too)", () => {
    const h = new Harness({ connectTimeout: 1000 });
    const token = h.token();
    h.session.connect(token, 0);
    h.drain();
    h.advance(1000);
    assert.deepEqual(kinds(h.drain()), ["close", "connectFailed", "reject"]);
    h.session.transportOpened(h.now); // too late: ignored
    assert.deepEqual(h.drain(), []);
  });

  it("Session maps a refusing MQTT 3.1.1 CONNACK to ConnectionRefusedError with the v5 code", () => {
    const cases = [
      [1, 0x84, "Connection refused, unacceptable protocol version"],
      [2, 0x85, "Connection refused, identifier rejected"],
      [3, 0x88, "Connection refused, server unavailable"],
      [4, 0x86, "Connection refused, bad user name or password"],
      [5, 0x87, "Connection refused, not authorized"],
    ] as const;
    for (const [returnCode, reasonCode, reasonName] of cases) {
      const h = new Harness({ protocolVersion: 4 });
      const token = h.connect();
      h.drain();
      h.connack(false, undefined, returnCode);
      assert.deepEqual(kinds(h.drain()), ["close", "connectFailed", "reject"]);
      const error = h.rejected(token);
      assert.ok(error instanceof ConnectionRefusedError);
      assert.equal(error.reasonCode, reasonCode);
      assert.equal(error.reasonName, reasonName);
      assert.equal(h.session.state, "closed", "a first connect is not retried");
    }
  });

  it("Session maps a refusing MQTT 5 CONNACK to ConnectionRefusedError with its code and reason", () => {
    const h = new Harness({ reconnect: { minDelay: 10, maxDelay: 10 } });
    const token = h.connect();
    h.drain();
    h.connack(false, { reasonString: "bad token" }, 0x86);
    const steps = h.drain();
    const failed = find(steps, "connectFailed");
    assert.equal(failed.reconnectAt, undefined, "a first connect does not retry");
    const error = h.rejected(token);
    assert.ok(error instanceof ConnectionRefusedError);
    assert.equal(error.reasonCode, 0x86);
    assert.equal(error.reasonName, "Bad User Name or Password");
    assert.match(error.message, /bad token/);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined);
  });

  it("Session treats a transport that fails to open as a failed first attempt", () => {
    const h = new Harness();
    const token = h.token();
    h.session.connect(token, 0);
    h.drain();
    h.session.transportClosed(5, new Error("ECONNREFUSED"));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["connectFailed", "reject"], "no close: it is already gone");
    const error = h.rejected(token);
    assert.ok(error instanceof ConnectionClosedError);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it("Session treats a transport closed before CONNACK as a failed attempt", () => {
    const h = new Harness();
    const token = h.connect();
    h.drain();
    h.session.transportClosed(5);
    assert.deepEqual(kinds(h.drain()), ["connectFailed", "reject"]);
    assert.ok(h.rejected(token) instanceof ConnectionClosedError);
  });

  it("Session fails with a protocol error when a packet other than CONNACK comes first", () => {
    const h = new Harness();
    const token = h.connect();
    h.drain();
    h.serverSends({ type: "pingresp" });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "connectFailed", "reject"]);
    assert.deepEqual(packets(steps)[0], { type: "disconnect", reasonCode: 0x82 });
    const error = h.rejected(token);
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.reasonCode, 0x82);
  });

  it("Session rejects Session Present 1 in answer to a clean start", () => {
    const h = new Harness({ clean: true });
    const token = h.connect();
    h.drain();
    h.connack(true);
    assert.deepEqual(kinds(h.drain()), ["write:disconnect", "close", "connectFailed", "reject"]);
    assert.ok(h.rejected(token) instanceof ProtocolError);
    assert.equal(h.session.state, "closed");
  });

  it("Session.connect while connecting joins the attempt; while connected resolves at once", () => {
    const h = new Harness();
    const first = h.connect();
    const second = h.token("second");
    h.session.connect(second, 0);
    assert.deepEqual(kinds(h.drain()), ["open", "write:connect"], "one open only");
    h.connack();
    h.drain();
    h.resolved(first);
    h.resolved(second);
    const third = h.token("third");
    h.session.connect(third, 0);
    h.drain();
    assert.equal((h.resolved(third) as { type: string }).type, "connack");
  });

  it("Session.cancel of the only connect token gives up the first connect", () => {
    const h = new Harness();
    const token = h.connect();
    const queued = h.subscribe("a/b");
    h.drain();
    const reason = new Error("aborted by caller");
    h.cancel(token, reason);
    assert.deepEqual(kinds(h.drain()), ["reject", "close", "reject"]);
    assert.equal(h.rejected(token), reason);
    assert.ok(h.rejected(queued) instanceof ConnectionClosedError);
    assert.equal(h.session.state, "closed");
    h.connack(); // the closed transport's late CONNACK is ignored
    assert.deepEqual(h.drain(), []);
  });

  it("Session ignores events of a transport it closed until its next open", () => {
    const h = new Harness();
    h.connect();
    h.drain();
    h.connack(false, undefined, 0x87);
    h.drain();
    h.session.transportClosed(h.now, new Error("late"));
    h.session.receive(new Uint8Array([0xd0, 0x00]), h.now);
    h.session.transportOpened(h.now);
    assert.deepEqual(h.drain(), []);
  });
});
