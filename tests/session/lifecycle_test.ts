import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay } from "../../src/session/reconnect.ts";
import { ConnectionClosedError, ConnectionRefusedError } from "../../src/errors.ts";
import { find, Harness, kinds, seededRandom } from "./_harness.ts";

const policy = { minDelay: 1000, maxDelay: 16_000 };

describe("Session keepalive", () => {
  it("Session sends PINGREQ when nothing was sent for the keepalive interval", () => {
    const h = new Harness({ keepalive: 10 });
    h.connected();
    assert.equal(h.session.nextDeadline(), 10_000);
    h.advance(6000);
    h.serverSends({ type: "puback", packetId: 9, reasonCode: 0 }); // received traffic alone…
    h.drain();
    assert.equal(h.session.nextDeadline(), 10_000, "…does not move the ping");
    h.publish("t", 0); // sent traffic moves it (both directions are fresh now)
    h.drain();
    assert.equal(h.session.nextDeadline(), 16_000);
    h.advance(9999);
    assert.deepEqual(h.written(), []);
    h.advance(1);
    assert.deepEqual(h.written(), [{ type: "pingreq" }]);
  });

  it("Session sends PINGREQ when nothing was received for the keepalive interval, even while publishing (half-open detection)", () => {
    const h = new Harness({ keepalive: 10, reconnect: false });
    h.connected();
    for (let t = 0; t < 10; t++) {
      h.advance(1000);
      h.publish("t", 0); // QoS 0: the server never answers
    }
    assert.deepEqual(h.written().filter((p) => p.type === "pingreq"), [{ type: "pingreq" }]);
    h.advance(10_000); // no PINGRESP: the connection is lost
    assert.ok(
      h.drain().some((s) => s.type === "disconnected"),
      "a silent server is detected although the client kept sending",
    );
  });

  it("Session keeps the connection while PINGRESP answers each PINGREQ", () => {
    const h = new Harness({ keepalive: 5 });
    h.connected();
    for (let i = 0; i < 3; i++) {
      h.advance(5000);
      assert.deepEqual(h.written(), [{ type: "pingreq" }]);
      h.advance(300);
      h.serverSends({ type: "pingresp" });
      h.advance(0);
      assert.deepEqual(h.drain(), []);
    }
    assert.equal(h.session.state, "connected");
  });

  it("Session treats a PINGRESP missing for half a keepalive interval as a lost connection", () => {
    const h = new Harness({ keepalive: 10, reconnect: policy });
    h.connected();
    h.advance(10_000);
    assert.deepEqual(h.written(), [{ type: "pingreq" }]);
    h.advance(4999);
    assert.deepEqual(h.drain(), []);
    h.advance(1);
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["close", "disconnected"]);
    const lost = find(steps, "disconnected");
    assert.ok(lost.error instanceof ConnectionClosedError);
    assert.equal(lost.error.reasonCode, 0x8d);
    assert.equal(lost.reconnectAt, 15_000 + 1500, "first delay with random 0.5");
    assert.equal(h.session.state, "reconnecting");
    h.advance(1500);
    assert.deepEqual(kinds(h.drain()), ["open"]);
  });

  it("Session counts the first keepalive interval from the CONNECT, not the CONNACK", () => {
    const h = new Harness({ keepalive: 10 });
    h.connect();
    h.advance(3000);
    h.connack();
    h.drain();
    assert.equal(h.session.nextDeadline(), 10_000);
  });

  it("Session uses the Server Keep Alive from CONNACK instead of its own", () => {
    const h = new Harness({ keepalive: 60 });
    h.connected(false, { serverKeepAlive: 5 });
    assert.equal(h.session.nextDeadline(), 5000);
    h.advance(5000);
    assert.deepEqual(h.written(), [{ type: "pingreq" }]);
  });

  it("Session with Server Keep Alive 0 sends no PINGREQ", () => {
    const h = new Harness({ keepalive: 60 });
    h.connected(false, { serverKeepAlive: 0 });
    assert.equal(h.session.nextDeadline(), undefined);
  });
});

describe("Session reconnect", () => {
  it("Session reconnects with a growing seeded backoff and resets it after a CONNACK", () => {
    const random = seededRandom(7);
    const expected = seededRandom(7);
    const h = new Harness({ reconnect: policy }, random);
    h.connected();
    h.session.transportClosed(h.now, new Error("reset by peer"));
    const lost = find(h.drain(), "disconnected");
    let delay = backoffDelay(0, policy, expected);
    assert.equal(lost.reconnectAt, h.now + delay);
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.advance(delay);
      assert.deepEqual(kinds(h.drain()), ["open"]);
      h.session.transportClosed(h.now, new Error("ECONNREFUSED"));
      const failed = find(h.drain(), "connectFailed");
      delay = backoffDelay(attempt, policy, expected);
      assert.equal(failed.reconnectAt, h.now + delay, `attempt ${attempt}`);
      assert.equal(h.session.state, "reconnecting");
    }
    h.advance(delay);
    h.drain();
    h.session.transportOpened(h.now);
    h.connack();
    assert.deepEqual(kinds(h.drain()), ["write:connect", "connected"]);
    h.session.transportClosed(h.now);
    const again = find(h.drain(), "disconnected");
    assert.equal(
      again.reconnectAt,
      h.now + backoffDelay(0, policy, expected),
      "reset to attempt 0",
    );
  });

  it("Session keeps reconnecting after a refused reconnect attempt", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.session.transportClosed(h.now);
    h.drain();
    h.advance(1500); // first delay with random 0.5
    h.drain();
    h.session.transportOpened(h.now);
    h.connack(false, undefined, 0x88);
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:connect", "close", "connectFailed"]);
    assert.ok(find(steps, "connectFailed").error instanceof ConnectionRefusedError);
    assert.equal(h.session.state, "reconnecting");
  });

  it("Session with reconnect false closes after a lost connection", () => {
    const h = new Harness({ reconnect: false });
    h.connected();
    h.session.transportClosed(h.now, new Error("gone"));
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["disconnected"]);
    assert.equal(find(steps, "disconnected").reconnectAt, undefined);
    assert.equal(h.session.state, "closed");
  });

  it("Session.connect during a backoff wait attempts at once and settles with that attempt", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.session.transportClosed(h.now);
    h.drain();
    const token = h.token("reconnect now");
    h.session.connect(token, h.now);
    assert.deepEqual(kinds(h.drain()), ["open"]);
    h.session.transportOpened(h.now);
    h.connack();
    h.drain();
    h.resolved(token);
  });

  it("Session.disconnect while waiting to reconnect stops reconnecting", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.session.transportClosed(h.now);
    h.drain();
    const token = h.disconnect();
    assert.deepEqual(kinds(h.drain()), ["resolve"]);
    h.resolved(token);
    assert.equal(h.session.state, "closed");
    assert.equal(h.session.nextDeadline(), undefined);
  });

  it("Session surfaces a server DISCONNECT with its packet and reconnects", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.serverSends({
      type: "disconnect",
      reasonCode: 0x8b,
      properties: { reasonString: "maintenance" },
    });
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["close", "disconnected"]);
    const lost = find(steps, "disconnected");
    assert.deepEqual(lost.packet, {
      type: "disconnect",
      reasonCode: 0x8b,
      properties: { reasonString: "maintenance" },
    });
    assert.equal(lost.error?.reasonCode, 0x8b);
    assert.match(lost.error?.message ?? "", /Server shutting down.*maintenance/);
    assert.ok(lost.reconnectAt !== undefined);
  });

  it("Session does not reconnect after a user disconnect", () => {
    const h = new Harness({ reconnect: policy });
    h.connected();
    h.disconnect();
    const steps = h.drain();
    assert.deepEqual(kinds(steps), ["write:disconnect", "close", "disconnected", "resolve"]);
    assert.equal(find(steps, "disconnected").reconnectAt, undefined);
    h.session.transportClosed(h.now);
    h.advance(policy.maxDelay * 2);
    assert.deepEqual(h.drain(), []);
  });
});
