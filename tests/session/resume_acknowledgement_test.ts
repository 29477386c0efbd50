/**
 * Acknowledgement across connection changes: QoS 2 stays exactly once across a resumed session
 * while the application still holds a delivery, and a graceful disconnect ends with a fault.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { find, Harness, inbound, kinds, packets } from "./_harness.ts";

const reconnect = { minDelay: 100, maxDelay: 100 };

describe("Session acknowledgement across connections", () => {
  it("Session does not deliver again a QoS 2 message held unacknowledged across a resumed session, and PUBRECs it on ack", () => {
    const h = new Harness({ reconnect, clean: false });
    h.autoAck = false;
    h.connected();
    h.serverSends(inbound("a", 2, 8));
    const first = find(h.drain(), "message").message; // the application holds it (slow iterator / manual ack)
    h.session.transportClosed(h.now, new Error("reset"));
    h.drain();
    h.advance(100);
    h.session.transportOpened(h.now);
    h.connack(true);
    h.drain();
    // The broker never got a PUBREC, so it re-sends the PUBLISH (DUP) on the resumed session.
    h.serverSends(inbound("a", 2, 8, { dup: true }));
    const steps = h.drain();
    assert.equal(first.mid, 8);
    assert.deepEqual(
      kinds(steps).filter((k) => k === "message"),
      [],
      "QoS 2 delivered a second time",
    );
    assert.equal(
      h.session.ack(first.receipt, 0, h.now),
      true,
      "acknowledged on the new connection",
    );
    assert.deepEqual(h.written(), [{ type: "pubrec", packetId: 8, reasonCode: 0 }]);
  });

  it("Session settles a waiting disconnect() at once when a protocol fault ends the connection, and a later connect() stays up", () => {
    const h = new Harness();
    h.connected();
    h.serverSends(inbound("a", 2, 8)); // auto-acked: PUBREC, awaiting PUBREL
    h.drain();
    const d = h.disconnect();
    h.drain();
    h.unsettled(d);
    // Undecodable bytes (reserved packet type 0): a fault that ends the connection.
    h.session.receive(new Uint8Array([0x00, 0x00]), h.now);
    h.drain();
    assert.equal(h.session.state, "closed");
    let settledNow = true;
    try {
      h.resolved(d);
    } catch {
      settledNow = false;
    }
    // The application connects again.
    h.connect();
    h.connack(false);
    const steps = h.drain();
    assert.equal(
      h.session.state,
      "connected",
      `the new connection was closed: ${JSON.stringify(kinds(steps))}`,
    );
    assert.deepEqual(
      packets(steps).filter((p) => p.type === "disconnect"),
      [],
      "a stale DISCONNECT",
    );
    assert.ok(settledNow, "disconnect() stayed pending after the connection ended");
  });
});
