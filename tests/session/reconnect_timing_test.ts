/**
 * Reconnect timing details: log lines name the backoff delay itself, and a zero backoff delay
 * opens the next attempt in the same timer call that ended the last one.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay } from "../../src/session/reconnect.ts";
import { Harness, kinds, type Step } from "./_harness.ts";

const random = () => 0.1234567;
const bounds = { minDelay: 1000, maxDelay: 8000 };

function logs(steps: Step[]): string[] {
  return steps.flatMap((s) => (s.type === "log" ? [s.message] : []));
}

describe("Session reconnect timing", () => {
  it("Session logs a lost connection with the backoff delay itself", () => {
    const h = new Harness({ reconnect: bounds }, random);
    h.connected();
    h.now = 1234.5;
    h.session.transportClosed(h.now);
    const steps = h.drain();
    const delay = backoffDelay(0, bounds, random); // 1123.4567
    const lost = steps.find((s) => s.type === "disconnected") as { reconnectAt: number };
    assert.equal(lost.reconnectAt, 1234.5 + delay);
    assert.deepEqual(logs(steps), [
      `Connection lost: Connection lost; reconnecting in ${delay} ms`,
    ]);
  });

  it("Session logs a failed attempt with the backoff delay itself", () => {
    const h = new Harness({ reconnect: bounds, connectTimeout: 5000 }, random);
    h.connected();
    h.session.transportClosed(h.now);
    h.drain();
    h.now = 1234.5;
    h.session.handleTimer(h.now); // due: the reconnect attempt opens
    h.session.transportOpened(h.now);
    h.drain();
    h.now += 5000.25;
    h.session.handleTimer(h.now); // no CONNACK: the attempt fails
    const steps = h.drain();
    const delay = backoffDelay(1, bounds, random);
    const failed = steps.find((s) => s.type === "connectFailed") as { reconnectAt: number };
    assert.equal(failed.reconnectAt, h.now + delay);
    assert.ok(
      logs(steps).includes(
        `Connect attempt failed: No CONNACK within 5000 ms (connectTimeout); next attempt in ${delay} ms`,
      ),
      JSON.stringify(logs(steps)),
    );
  });

  it("Session.handleTimer after a connect timeout with a zero backoff delay opens the next attempt in the same timer call", () => {
    const h = new Harness({ reconnect: { minDelay: 0, maxDelay: 0 }, connectTimeout: 5000 });
    h.connected();
    h.session.transportClosed(h.now);
    h.session.handleTimer(h.now); // reconnectAt = now: opens at once
    h.session.transportOpened(h.now);
    h.drain();
    h.now += 5000;
    h.session.handleTimer(h.now);
    assert.deepEqual(kinds(h.drain()), ["close", "connectFailed", "open"]);
    assert.equal(h.session.nextDeadline(), h.now + 5000, "the new attempt's CONNACK deadline");
  });
});
