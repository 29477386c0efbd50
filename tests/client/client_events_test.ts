/**
 * What the client's callbacks receive on connect, refusal, reconnect, server DISCONNECT and a
 * local disconnect.
 */
import { describe, it } from "node:test";
import { skipOnBun, withUncaught } from "../_helpers/uncaught.ts";
import assert from "node:assert/strict";
import { connectedClient, recordedClient } from "../_helpers/fake_broker.ts";
import type { DisconnectEvent } from "../../src/client/events.ts";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  MalformedPacketError,
} from "../../src/errors.ts";

/** Resolves once `condition()` holds, checking after each event-loop turn; fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("The awaited event did not happen");
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const recorded = recordedClient;

describe("MqttClient events", () => {
  it("MqttClient.onConnect receives the CONNACK, its properties and reconnect false", async () => {
    const t = recorded({ protocolVersion: 5, clientId: "" });
    const connecting = t.client.connect();
    const conn = await t.broker.nextConnection();
    const properties = { assignedClientIdentifier: "given-1", receiveMaximum: 10 };
    await conn.accept({ properties });
    const connack = await connecting;
    assert.deepEqual(t.connects, [{
      connack,
      reasonCode: 0,
      sessionPresent: false,
      properties,
      reconnect: false,
    }]);
    assert.equal(t.client.clientId, "given-1");
    assert.equal(t.client.connected, true);
  });

  it("MqttClient.connect rejects a refused CONNACK with ConnectionRefusedError and calls onConnect with its reason code, then onConnectFail", async () => {
    const t = recorded();
    const connecting = t.client.connect();
    const conn = await t.broker.nextConnection();
    await conn.expect("connect");
    conn.connack({ reasonCode: 5 }); // MQTT 3.1.1: not authorized
    await assert.rejects(connecting, (error) => {
      assert.ok(error instanceof ConnectionRefusedError);
      assert.equal(error.reasonCode, 0x87);
      assert.match(error.reasonName, /not authori[sz]ed/i);
      return true;
    });
    assert.equal(t.fails.length, 1);
    assert.equal(t.fails[0]!.willReconnect, false);
    assert.ok(t.fails[0]!.error instanceof ConnectionRefusedError);
    assert.deepEqual(t.connects, [{
      connack: { type: "connack", sessionPresent: false, reasonCode: 5 },
      reasonCode: 0x87,
      sessionPresent: false,
      reconnect: false,
    }]);
    assert.equal(t.client.connected, false);
  });

  it("MqttClient.connect rejects when the transport cannot be opened", async () => {
    const t = recorded();
    t.broker.refuseWith = new Error("ECONNREFUSED");
    await assert.rejects(t.client.connect(), ConnectionClosedError);
    assert.match(t.fails[0]!.error.message, /ECONNREFUSED/);
  });

  it("MqttClient reconnects after a lost connection and reports both sides", async () => {
    const t = recorded({ reconnect: { minDelay: 1000, maxDelay: 1000 } });
    const connecting = t.client.connect();
    const first = await t.broker.nextConnection();
    await first.accept();
    await connecting;
    first.drop(new Error("reset"));
    const second = t.broker.nextConnection();
    await until(() => t.disconnects.length > 0);
    assert.equal(t.disconnects.length, 1);
    const lost = t.disconnects[0]!;
    assert.equal(lost.willReconnect, true);
    assert.ok(lost.error instanceof ConnectionClosedError);
    assert.equal(lost.packet, undefined);
    assert.equal(t.client.connected, false);
    t.clock.advance(1000);
    (await second).connack({ sessionPresent: false });
    await until(() => t.connects.length > 1);
    assert.deepEqual(t.connects.map((e) => e.reconnect), [false, true]);
    assert.equal(t.client.connected, true);
  });

  it("MqttClient.onDisconnect receives the server's DISCONNECT and its reason code", async () => {
    const t = recorded({ protocolVersion: 5 });
    const connecting = t.client.connect();
    const conn = await t.broker.nextConnection();
    await conn.accept();
    await connecting;
    const messages = t.client.messages();
    const packet = {
      type: "disconnect" as const,
      reasonCode: 0x8b,
      properties: { reasonString: "maintenance" },
    };
    conn.send(packet);
    assert.deepEqual(await messages.next(), { value: undefined, done: true });
    assert.equal(t.disconnects.length, 1);
    const event = t.disconnects[0]!;
    assert.equal(event.reasonCode, 0x8b);
    assert.deepEqual(event.packet, packet);
    assert.equal(event.willReconnect, false);
    assert.match(event.error!.message, /Server shutting down.*maintenance/);
  });

  it("MqttClient.onDisconnect reports a malformed packet from the server with 0x81", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    const events: DisconnectEvent[] = [];
    client.onDisconnect = (event) => events.push(event);
    conn.send(new Uint8Array([0x00, 0x00])); // packet type 0 is reserved
    const disconnect = await conn.expect("disconnect");
    assert.equal(disconnect.reasonCode, 0x81);
    await conn.closedByClient();
    assert.equal(events[0]!.reasonCode, 0x81);
    assert.ok(events[0]!.error instanceof MalformedPacketError);
  });

  it("MqttClient.onDisconnect reports a local disconnect with reason code 0 and no error", async () => {
    const t = recorded();
    const connecting = t.client.connect();
    const conn = await t.broker.nextConnection();
    await conn.accept();
    await connecting;
    await t.client.disconnect();
    assert.deepEqual(t.disconnects, [{ reasonCode: 0, willReconnect: false }]);
  });

  it("MqttClient.onLog and the logger option receive the session's log lines", async () => {
    const lines: string[] = [];
    const t = recorded({ logger: (level, message) => lines.push(`logger ${level} ${message}`) });
    t.client.onLog = ({ level, message }) => lines.push(`onLog ${level} ${message}`);
    const connecting = t.client.connect();
    await (await t.broker.nextConnection()).accept();
    await connecting;
    assert.ok(lines.includes("logger info Connecting"), lines.join("\n"));
    assert.ok(lines.includes("onLog info Connecting"));
  });
});

describe("MqttClient user code that throws", () => {
  it(
    "MqttClient keeps its loop going when the logger option throws, and re-throws outside it",
    skipOnBun,
    () =>
      withUncaught(async (uncaught) => {
        const t = recorded({
          logger: (_level, message) => {
            if (message.startsWith("Connected")) throw new Error("logger boom");
          },
        });
        const connecting = t.client.connect();
        const conn = await t.broker.nextConnection();
        await conn.accept();
        await connecting;
        assert.equal(t.client.connected, true);
        assert.equal(t.connects.length, 1, "onConnect still ran after the logger threw");
        await until(() => uncaught.length > 0); // the re-throw happens in a microtask
        assert.deepEqual(uncaught.map((error) => (error as Error).message), ["logger boom"]);
      }),
  );
});
