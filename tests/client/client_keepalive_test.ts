/**
 * Keepalive through the whole client (session, driver, one timer) over the fake broker, on a
 * manual clock: PINGREQ when idle, a missing PINGRESP ends the connection and reconnects, and
 * the Server Keep Alive replaces ours.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";
import type { DisconnectEvent } from "../../src/client/events.ts";
import { ConnectionClosedError } from "../../src/errors.ts";

describe("MqttClient keepalive", () => {
  it("MqttClient sends PINGREQ after a keepalive interval without sending, and stays up on PINGRESP", async () => {
    const { client, conn, clock } = await connectedClient({ keepalive: 10 });
    clock.advance(9_999);
    await conn.expectNothing();
    clock.advance(1);
    await conn.expect("pingreq");
    conn.send({ type: "pingresp" });
    await settle();
    clock.advance(10_000);
    await conn.expect("pingreq");
    assert.equal(client.connected, true);
    assert.equal(conn.clientClosed, false);
    await client.disconnect();
  });

  it("MqttClient closes the connection when PINGRESP is missing, then reconnects after the backoff", async () => {
    const { client, broker, conn, clock } = await connectedClient({
      keepalive: 10,
      reconnect: { minDelay: 1000, maxDelay: 1000 },
    });
    const disconnects: DisconnectEvent[] = [];
    client.onDisconnect = (event) => disconnects.push(event);
    clock.advance(10_000);
    await conn.expect("pingreq");
    clock.advance(4_999);
    await settle();
    assert.equal(conn.clientClosed, false, "still waiting for the PINGRESP");
    clock.advance(1);
    await conn.closedByClient();
    assert.equal(disconnects.length, 1);
    assert.ok(disconnects[0]!.error instanceof ConnectionClosedError);
    assert.match(
      disconnects[0]!.error!.message,
      /No PINGRESP \(nor any packet\) within 5 s of PINGREQ \(keepalive 10 s\)/,
    );
    assert.equal(disconnects[0]!.willReconnect, true);
    clock.advance(1000);
    const next = await broker.nextConnection();
    await next.accept();
    await settle();
    assert.equal(client.connected, true);
    await client.disconnect();
  });

  it("MqttClient pings at the Server Keep Alive from CONNACK instead of its own keepalive", async () => {
    const { client, conn, clock } = await connectedClient({ protocolVersion: 5, keepalive: 60 }, {
      properties: { serverKeepAlive: 5 },
    });
    clock.advance(4_999);
    await conn.expectNothing();
    clock.advance(1);
    await conn.expect("pingreq");
    await client.disconnect();
  });
});
