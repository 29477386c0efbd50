/**
 * The client's lifecycle API against a fake broker: configuration getters, `retryFirstConnect`,
 * `onPreConnect` with `setCredentials` / `setWill` / `clearWill`, `reconnect()`, `onConnect`
 * for a refused CONNACK, and `suppressExceptions`.
 */
import { describe, it } from "node:test";
import { skipOnBun, withUncaught } from "../_helpers/uncaught.ts";
import assert from "node:assert/strict";
import { connectedClient, recordedClient, settle } from "../_helpers/fake_broker.ts";
import { MqttClient } from "../../src/client/client.ts";
import type { ConnectEvent, DisconnectEvent } from "../../src/client/events.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import type { ConnectPacket } from "../../src/codec/types.ts";
import { ConnectionClosedError, ConnectionRefusedError } from "../../src/errors.ts";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

const recorded = (options: ClientOptions = {}) =>
  recordedClient({ reconnect: { minDelay: 1000, maxDelay: 1000 }, ...options });

describe("MqttClient configuration getters", () => {
  it("MqttClient exposes host, port, protocolVersion, keepalive, clientId and transport as configured", () => {
    const tcp = new MqttClient({ url: "mqtt://broker.example:1884", clientId: "id-1" });
    assert.deepEqual(
      [tcp.host, tcp.port, tcp.protocolVersion, tcp.keepalive, tcp.clientId, tcp.transport],
      ["broker.example", 1884, 4, 60, "id-1", "tcp"],
    );
    const tls = new MqttClient({ url: "mqtts://secure.example", protocolVersion: 5, keepalive: 0 });
    assert.deepEqual([tls.host, tls.port, tls.protocolVersion, tls.keepalive, tls.transport], [
      "secure.example",
      8883,
      5,
      0,
      "tls",
    ]);
    assert.equal(new MqttClient({ url: "ws://w.example/mqtt" }).transport, "ws");
    assert.equal(new MqttClient({ url: "wss://w.example" }).port, 443);
    assert.equal(new MqttClient({ unixSocket: "/tmp/m.sock" }).transport, "unix");
  });

  it("MqttClient.suppressExceptions starts as the option and checks what it is set to", () => {
    assert.equal(new MqttClient().suppressExceptions, false);
    const client = new MqttClient({ suppressExceptions: true });
    assert.equal(client.suppressExceptions, true);
    client.suppressExceptions = false;
    assert.equal(client.suppressExceptions, false);
    assert.throws(() => (client.suppressExceptions = "yes" as unknown as boolean), TypeError);
  });
});

describe("MqttClient retryFirstConnect", () => {
  it("MqttClient with retryFirstConnect keeps trying after a refusal; onConnect and onConnectFail report each failure", async () => {
    const t = recorded({ retryFirstConnect: true });
    let settled = false;
    const connecting = t.client.connect().finally(() => (settled = true));
    const first = await t.broker.nextConnection();
    await first.expect("connect");
    first.connack({ reasonCode: 5 });
    await settle();
    assert.equal(settled, false, "connect() waits for a later attempt");
    assert.deepEqual(t.log, ["connect 135", "fail true"], "onConnect first, as paho 2");
    assert.ok(t.fails[0]!.error instanceof ConnectionRefusedError);
    t.broker.refuseWith = new Error("ECONNREFUSED"); // the next attempt cannot even open
    t.clock.advance(1000);
    await settle();
    assert.deepEqual(t.log.slice(2), ["fail true"]);
    t.broker.refuseWith = undefined;
    t.clock.advance(1000);
    await (await t.broker.nextConnection()).accept();
    const connack = await connecting;
    assert.equal(connack.reasonCode, 0);
    assert.deepEqual(t.log.slice(3), ["connect 0"]);
    assert.equal(t.connects[1]!.reconnect, false);
    await t.client.disconnect();
  });

  it("MqttClient with retryFirstConnect rejects connect() only on abort or disconnect()", async () => {
    const t = recorded({ retryFirstConnect: true });
    t.broker.refuseWith = new Error("ECONNREFUSED");
    const controller = new AbortController();
    const aborted = t.client.connect({ signal: controller.signal });
    await settle();
    assert.equal(t.fails.length, 1);
    controller.abort(new Error("gave up"));
    await assert.rejects(aborted, /gave up/);
    assert.equal(t.client.connected, false);

    const stopped = t.client.connect();
    await settle();
    await t.client.disconnect();
    await assert.rejects(stopped, ConnectionClosedError);
    t.clock.advance(10_000);
    await settle();
    assert.equal(t.fails.length, 2, "no attempt after disconnect()");
  });

  it("MqttClient refuses retryFirstConnect with reconnect false (RangeError)", () => {
    assert.throws(
      () => new MqttClient({ retryFirstConnect: true, reconnect: false }),
      (error) => error instanceof RangeError && /retryFirstConnect/.test(error.message),
    );
    assert.throws(() => new MqttClient({ retryFirstConnect: 1 as unknown as boolean }), TypeError);
  });
});

describe("MqttClient onPreConnect and the next CONNECT", () => {
  it("MqttClient.onPreConnect runs before every attempt and its setCredentials goes into that CONNECT", async () => {
    const t = recorded({ retryFirstConnect: true, username: "static" });
    const attempts: number[] = [];
    t.client.onPreConnect = ({ attempt }) => {
      attempts.push(attempt);
      t.client.setCredentials("svc", `token-${attempts.length}`);
    };
    const connecting = t.client.connect();
    const first = await t.broker.nextConnection();
    const connect1 = await first.expect("connect");
    first.connack({ reasonCode: 4 }); // bad user name or password: the token expired
    await settle();
    t.clock.advance(1000);
    const second = await t.broker.nextConnection();
    const connect2 = await second.accept();
    await connecting;
    assert.deepEqual(attempts, [1, 2]);
    assert.equal(connect1.username, "svc");
    assert.equal(text(connect1.password), "token-1");
    assert.equal(text((connect2 as ConnectPacket).password), "token-2");
    second.drop(new Error("lost"));
    await settle();
    t.clock.advance(1000);
    const third = await (await t.broker.nextConnection()).accept() as ConnectPacket;
    assert.deepEqual(attempts, [1, 2, 1], "a reconnect after a loss is attempt 1");
    assert.equal(text(third.password), "token-3");
    await t.client.disconnect();
  });

  it("MqttClient.setCredentials and setWill while connected apply from the next connection; clearWill removes the will", async () => {
    const { client, broker, conn, clock } = await connectedClient({
      reconnect: { minDelay: 1000, maxDelay: 1000 },
      will: { topic: "w/old", payload: "old" },
    });
    client.setCredentials("u2", new Uint8Array([1, 2]));
    client.setWill({ topic: "w/new", payload: "new", qos: 1, retain: true });
    await conn.expectNothing();
    conn.drop(new Error("lost"));
    await settle();
    clock.advance(1000);
    const next = await broker.nextConnection();
    const connect = await next.accept() as ConnectPacket;
    assert.equal(connect.username, "u2");
    assert.deepEqual(connect.password, new Uint8Array([1, 2]));
    assert.deepEqual(connect.will, {
      topic: "w/new",
      payload: new TextEncoder().encode("new"),
      qos: 1,
      retain: true,
    });
    client.clearWill();
    next.drop(new Error("lost"));
    await settle();
    clock.advance(1000);
    const last = await (await broker.nextConnection()).accept() as ConnectPacket;
    assert.equal(last.will, undefined);
    await client.disconnect();
  });

  it("MqttClient.setCredentials and setWill check their arguments like the options, never showing the password", () => {
    const v4 = new MqttClient({ protocolVersion: 4 });
    assert.throws(() => v4.setCredentials(42 as unknown as string), TypeError);
    assert.throws(
      () => v4.setCredentials("u", 123456 as unknown as string),
      (error) =>
        error instanceof TypeError && /setCredentials password/.test(error.message) &&
        !error.message.includes("123456"),
    );
    assert.throws(() => v4.setCredentials("u", "x".repeat(65_536)), RangeError);
    assert.throws(
      () => v4.setCredentials(undefined, "secret"),
      (error) =>
        error instanceof RangeError && /username/.test(error.message) &&
        !error.message.includes("secret"),
    );
    assert.throws(() => v4.setWill({ topic: "a/#" }), RangeError);
    assert.throws(() => v4.setWill({ topic: "a", qos: 3 as 0 }), RangeError);
    assert.throws(
      () => v4.setWill({ topic: "a", properties: { willDelayInterval: 1 } }),
      RangeError,
    );
    assert.throws(() => v4.setWill(null as unknown as { topic: string }), TypeError);
    const v5 = new MqttClient({ protocolVersion: 5 });
    v5.setCredentials(undefined, "password only is fine on MQTT 5");
    v5.setWill({ topic: "a", properties: { willDelayInterval: 1 } });
  });
});

describe("MqttClient.reconnect", () => {
  it("MqttClient.reconnect drops the connection without DISCONNECT and resolves with the new CONNACK", async () => {
    const { client, broker, conn } = await connectedClient({ clean: false });
    const disconnects: DisconnectEvent[] = [];
    const connects: ConnectEvent[] = [];
    client.onDisconnect = (event) => disconnects.push(event);
    client.onConnect = (event) => connects.push(event);
    const published = client.publish("t", "kept", { qos: 1 });
    const sent = await conn.expect("publish");
    const again = client.reconnect();
    await conn.closedByClient();
    assert.deepEqual(conn.unread, [], "no DISCONNECT");
    const next = await broker.nextConnection();
    await next.accept({ sessionPresent: true });
    const connack = await again;
    assert.equal(connack.sessionPresent, true);
    assert.deepEqual(disconnects, [{ reasonCode: 0, willReconnect: true }]);
    assert.equal(connects[0]!.reconnect, true);
    const resent = await next.expect("publish");
    assert.equal(resent.packetId, sent.packetId);
    assert.equal(resent.dup, true);
    next.send({ type: "puback", packetId: resent.packetId!, reasonCode: 0 });
    await published;
    await client.disconnect();
  });

  it("MqttClient.onConnect reports a refused reconnect with its reason code and reconnect true", async () => {
    const t = recorded();
    const connecting = t.client.connect();
    await (await t.broker.nextConnection()).accept();
    await connecting;
    const again = t.client.reconnect();
    const next = await t.broker.nextConnection();
    await next.expect("connect");
    next.connack({ reasonCode: 3 }); // server unavailable
    await assert.rejects(again, ConnectionRefusedError);
    assert.deepEqual(t.connects.map((e) => [e.reasonCode, e.reconnect]), [[0, false], [
      0x88,
      true,
    ]]);
    assert.deepEqual(t.log.slice(-2), ["connect 136", "fail true"]);
    await t.client.disconnect();
  });

  it("MqttClient.reconnect rejects a bad options argument", async () => {
    const client = new MqttClient();
    await assert.rejects(client.reconnect(7 as unknown as object), TypeError);
  });
});

describe("MqttClient suppressExceptions", () => {
  it(
    "MqttClient with suppressExceptions logs a throwing callback and does not re-throw it",
    skipOnBun,
    () =>
      withUncaught(async (uncaught) => {
        const errors: string[] = [];
        const t = recorded({ suppressExceptions: true });
        t.client.onLog = ({ level, message }) => {
          if (level === "error") errors.push(message);
        };
        t.client.onConnect = () => {
          throw new Error("callback boom");
        };
        const connecting = t.client.connect();
        await (await t.broker.nextConnection()).accept();
        await connecting;
        await settle();
        assert.deepEqual(uncaught, []);
        assert.ok(errors.some((line) => line.includes("callback boom")), errors.join("\n"));
        t.client.suppressExceptions = false; // and back: re-thrown outside the loop
        t.client.onConnect = undefined;
        t.client.onPreConnect = () => {
          throw new Error("pre boom");
        };
        const again = t.client.reconnect();
        await (await t.broker.nextConnection()).accept();
        await again;
        await settle();
        assert.deepEqual(uncaught.map((e) => (e as Error).message), ["pre boom"]);
        await t.client.disconnect();
      }),
  );
});
