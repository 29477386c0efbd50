/**
 * MQTT 5 features through Mosquitto and the embedded broker: message properties, subscription
 * identifiers, No Local, server-assigned client ids, topic aliases, Maximum Packet Size, Receive
 * Maximum, session takeover; and through Mosquitto only, failure reason codes in SUBACK and a
 * server DISCONNECT.
 *
 * Mosquitto's `acl_file` never refuses a SUBSCRIBE (it only filters delivery), so the denied
 * subscription comes from the dynamic security plugin with a role that denies `secret/#`. The
 * same plugin provides a server DISCONNECT: Mosquitto 2.0.11 closes a taken-over session
 * without one, but `disableClient` sends DISCONNECT 0x98 Administrative action.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  ClientPool,
  type ConnectionEvent,
  fence,
  it,
  type TestClient,
  text,
  uniqueTopic,
  utf8,
  within,
} from "./_support.ts";
import { eachBroker, TCP_BROKERS } from "./_brokers.ts";

const DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
const MAX_PACKET_SIZE = 2048;
const MAX_TOPIC_ALIAS = 2;
const CONTROL = "$CONTROL/dynamic-security/v1";

/** Dynamic security config: anonymous clients may do anything except subscribe to secret/#. */
const DYNSEC_CONFIG = {
  defaultACLAccess: {
    publishClientSend: true,
    publishClientReceive: true,
    subscribe: true,
    unsubscribe: true,
  },
  clients: [],
  groups: [{
    groupname: "anonymous",
    roles: [{ rolename: "no-secrets" }, { rolename: "administrator" }],
  }],
  anonymousGroup: "anonymous",
  roles: [
    {
      rolename: "no-secrets",
      acls: [{ acltype: "subscribePattern", topic: "secret/#", priority: 0, allow: false }],
    },
    {
      // Lets an anonymous test client send dynamic security commands (this broker only).
      rolename: "administrator",
      acls: ["publishClientSend", "publishClientReceive", "subscribePattern"].map((acltype) => ({
        acltype,
        topic: `${CONTROL}/#`,
        priority: 0,
        allow: true,
      })),
    },
  ],
};

let victims = 0;
const isDisconnect = (e: ConnectionEvent) => e.kind === "disconnect";

/** The subscription identifiers of a delivered message, as an array. */
function subscriptionIds(message: Message): number[] {
  const ids = message.properties?.subscriptionIdentifier;
  return ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
}

eachBroker(
  "MqttClient MQTT 5 features",
  {
    kinds: TCP_BROKERS,
    proxy: true,
    mosquitto: {
      extraConfig: [`max_packet_size ${MAX_PACKET_SIZE}`, `max_topic_alias ${MAX_TOPIC_ALIAS}`],
    },
    embedded: { maximumPacketSize: MAX_PACKET_SIZE, topicAliasMaximum: MAX_TOPIC_ALIAS },
  },
  (suite) => {
    const v5 = { protocolVersion: 5 } as const;

    it("MqttClient.publish carries user properties, content type, response topic and correlation data", async () => {
      const requester = await suite.open(v5);
      const responder = await suite.open(v5);
      const requests = uniqueTopic("requests");
      const replies = uniqueTopic("replies");
      await responder.client.subscribe(requests, { qos: 1 });
      await requester.client.subscribe(replies, { qos: 1 });

      const correlationData = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
      await requester.client.publish(requests, '{"ask":1}', {
        qos: 1,
        properties: {
          contentType: "application/json",
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
          responseTopic: replies,
          correlationData,
          userProperties: [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]],
        },
      });
      const [request] = await responder.inbox.count(1, "the request");
      const p = request!.properties ?? {};
      assert.equal(p.contentType, "application/json");
      assert.equal(p.payloadFormatIndicator, true);
      assert.ok(p.messageExpiryInterval !== undefined && p.messageExpiryInterval <= 60);
      assert.equal(p.responseTopic, replies);
      assert.deepEqual(p.correlationData, correlationData);
      assert.deepEqual(p.userProperties, [["trace", "a"], ["trace", "b"], ["ünïcode", "✓"]]);

      // Answer the way a responder would: to the response topic, echoing the correlation data.
      await responder.client.publish(p.responseTopic!, '{"answer":42}', {
        qos: 1,
        properties: { correlationData: p.correlationData! },
      });
      const [reply] = await requester.inbox.count(1, "the reply");
      assert.equal(reply!.topic, replies);
      assert.deepEqual(reply!.properties?.correlationData, correlationData);
      assert.equal(text(reply!.payload), '{"answer":42}');
    });
    it("MqttClient delivers messages with the subscription identifiers that matched", async () => {
      const sub = await suite.open(v5);
      const pub = await suite.open(v5);
      const base = uniqueTopic("sid");
      await sub.client.subscribe(`${base}/+`, {
        qos: 1,
        properties: { subscriptionIdentifier: 7 },
      });
      await sub.client.subscribe(`${base}/#`, {
        qos: 1,
        properties: { subscriptionIdentifier: 9 },
      });
      await sub.client.subscribe(`${base}/only/#`, {
        qos: 1,
        properties: { subscriptionIdentifier: 268_435_455 },
      });

      await pub.client.publish(`${base}/x`, "both", { qos: 1 });
      await pub.client.publish(`${base}/only/deep`, "deep", { qos: 1 });
      const all = await sub.inbox.until(
        (ms) => ms.some((m) => text(m.payload) === "deep"),
        "the message under only/",
      );
      // Overlapping subscriptions may be merged into one delivery with both ids or delivered
      // once per subscription; either way the ids seen must be exactly those that matched.
      const idsOf = (payload: string) =>
        [...new Set(all.filter((m) => text(m.payload) === payload).flatMap(subscriptionIds))].sort(
          (a, b) => a - b,
        );
      assert.deepEqual(idsOf("both"), [7, 9]);
      assert.deepEqual(idsOf("deep"), [9, 268_435_455]);
    });
    it("MqttClient.subscribe with noLocal does not receive its own publications", async () => {
      const self = await suite.open(v5);
      const other = await suite.open(v5);
      const topic = uniqueTopic("nolocal");
      await self.client.subscribe(topic, { qos: 1, noLocal: true });
      await self.client.publish(topic, "mine", { qos: 1 });
      assert.deepEqual(await fence(other.client, self, topic), ["fence"]);

      const echo = uniqueTopic("echo");
      await self.client.subscribe([{ topicFilter: echo, qos: 1, noLocal: false }]);
      await self.client.publish(echo, "mine", { qos: 1 });
      await self.inbox.find((m) => m.topic === echo && text(m.payload) === "mine", "own message");
    });
    it('MqttClient with clientId "" takes the client id the server assigns', async () => {
      const anonymous = await suite.open({ ...v5, clientId: "" });
      // Mosquitto assigns "auto-…", the embedded broker "korero-…".
      assert.match(anonymous.client.clientId, suite.kind === "mosquitto" ? /^auto-/ : /^korero-/);
      const topic = uniqueTopic("assigned");
      await anonymous.client.subscribe(topic, { qos: 1 });
      await anonymous.client.publish(topic, "hello", { qos: 1 });
      await anonymous.inbox.count(1, "a message on the server-assigned session");
    });
    it("MqttClient with topicAliases sends aliases within the broker's Topic Alias Maximum", async () => {
      const proxy = suite.proxy;
      {
        const sub = await suite.open(v5);
        let topicAliasMaximum: number | undefined;
        const aliased = suite.pool.create(suite.proxiedUrl, { ...v5, topicAliases: true });
        aliased.client.onConnect = ({ properties }) => {
          topicAliasMaximum = properties?.topicAliasMaximum;
        };
        await aliased.client.connect();
        assert.equal(topicAliasMaximum, MAX_TOPIC_ALIAS);

        // Two hot topics with long names, then more topics than aliases, mixed.
        const base = uniqueTopic("alias");
        const [t1, t2, t3, t4] = [1, 2, 3, 4].map((i) => `${base}/${"x".repeat(200)}/${i}`);
        const plan: string[] = [];
        for (let i = 0; i < 30; i++) plan.push(t1!, t2!);
        for (let i = 0; i < 5; i++) plan.push(t3!, t1!, t4!, t2!);
        await sub.client.subscribe(`${base}/#`, { qos: 1 });

        /** Publishes the plan through the proxy; returns the bytes it took. */
        const run = async (client: TestClient["client"], tag: string) => {
          const start = proxy.bytesUp;
          for (const [i, topic] of plan.entries()) {
            await client.publish(topic, `${tag}${i}`, { qos: (i % 2) as 0 | 1 });
          }
          return proxy.bytesUp - start;
        };
        const expected = (tag: string) => plan.map((topic, i) => [topic, `${tag}${i}`]);
        const toPair = (m: Message) => [m.topic, text(m.payload)];

        const aliasedBytes = await run(aliased.client, "a");
        const first = await sub.inbox.count(plan.length, "every aliased message");
        assert.deepEqual(first.map(toPair), expected("a"));

        const plain = await suite.pool.open(suite.proxiedUrl, v5);
        const plainBytes = await run(plain.client, "p");
        const both = await sub.inbox.count(2 * plan.length, "every unaliased message");
        assert.deepEqual(both.slice(plan.length).map(toPair), expected("p"));
        assert.ok(
          aliasedBytes < plainBytes * 0.7,
          `aliases should save bytes: ${aliasedBytes} with, ${plainBytes} without`,
        );
      }
    });
    it("MqttClient.publish rejects a packet over the server's Maximum Packet Size with RangeError", async () => {
      const pub = await suite.open(v5);
      const topic = uniqueTopic("big");
      await pub.client.subscribe(topic, { qos: 1 });
      for (const qos of [0, 1, 2] as const) {
        await assert.rejects(
          async () => await pub.client.publish(topic, new Uint8Array(MAX_PACKET_SIZE), { qos }),
          RangeError,
        );
      }
      // Nothing was sent: the connection is still up and a small publish goes through.
      assert.equal(pub.client.connected, true);
      await pub.client.publish(topic, new Uint8Array(MAX_PACKET_SIZE - 100), { qos: 1 });
      const [message] = await pub.inbox.count(1, "the publish under the limit");
      assert.equal(message!.payload.length, MAX_PACKET_SIZE - 100);
      assert.equal(pub.inbox.items.length, 1);
    });
    it("MqttClient.onDisconnect reports a session takeover by another connection", async () => {
      const clientId = `korero-takeover-${++victims}`;
      const first = await suite.open({ ...v5, clientId, reconnect: false });
      const second = await suite.open({ ...v5, clientId, reconnect: false });
      const event = await first.events.find(isDisconnect, "the takeover");
      assert.ok(event.kind === "disconnect");
      // MQTT 5 says DISCONNECT 0x8E Session taken over; Mosquitto 2.0.11 just closes the socket
      // (the embedded broker sends it).
      if (event.packetReasonCode === undefined && suite.kind === "mosquitto") {
        assert.equal(event.reasonCode, 0x80, "a bare close is reported as 0x80");
        assert.ok(event.error instanceof Error);
      } else {
        assert.equal(event.packetReasonCode, 0x8e);
        assert.equal(event.reasonCode, 0x8e);
      }
      assert.equal(event.willReconnect, false);
      assert.equal(first.client.connected, false);
      assert.equal(second.client.connected, true);
      const topic = uniqueTopic("takeover");
      await second.client.subscribe(topic, { qos: 1 });
      await second.client.publish(topic, utf8("still here"), { qos: 1 });
      await second.inbox.count(1, "a message on the new connection");
    });
  },
);

// Mosquitto answers a QoS 2 PUBLISH beyond its Receive Maximum (max_inflight_messages) with
// PUBREC 0x97 Quota exceeded. (Its QoS 2 fan-out stalls with a finite window, so the subscriber
// takes QoS 1.)
eachBroker(
  "MqttClient within the broker's Receive Maximum",
  {
    kinds: TCP_BROKERS,
    mosquitto: { extraConfig: ["max_inflight_messages 10"] },
    embedded: { receiveMaximum: 10 },
  },
  (suite) => {
    const v5 = { protocolVersion: 5 } as const;

    it("MqttClient keeps QoS 2 publishes within the broker's Receive Maximum", async () => {
      {
        const sub = await suite.open(v5);
        const topic = uniqueTopic("receive-maximum");
        await sub.client.subscribe(topic, { qos: 1 });
        let receiveMaximum: number | undefined;
        const pub = suite.create(v5);
        pub.client.onConnect = ({ properties }) => (receiveMaximum = properties?.receiveMaximum);
        await pub.client.connect();
        assert.equal(receiveMaximum, 10);

        const count = 300;
        const results = await within(
          Promise.all(
            Array.from({ length: count }, (_, i) => pub.client.publish(topic, `${i}`, { qos: 2 })),
          ),
          `${count} PUBCOMPs`,
        );
        assert.deepEqual(results.filter((r) => r.reasonCode !== 0), [], "no quota exceeded");
        const messages = await sub.inbox.count(count, `${count} messages`);
        assert.deepEqual(
          messages.map((m) => text(m.payload)),
          Array.from({ length: count }, (_, i) => `${i}`),
        );
      }
    });
  },
);

describe("MqttClient MQTT 5 refusals through Mosquitto's dynamic security plugin", () => {
  let broker: MosquittoBroker;
  let url: string;
  let dir: string;
  const pool = new ClientPool();
  const v5 = { protocolVersion: 5 } as const;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-v5-"));
    writeFileSync(join(dir, "dynsec.json"), JSON.stringify(DYNSEC_CONFIG));
    broker = await startMosquitto({
      extraConfig: [
        `plugin ${DYNSEC_PLUGIN}`,
        `plugin_opt_config_file ${join(dir, "dynsec.json")}`,
      ],
    });
    url = `mqtt://${broker.host}:${broker.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const protocolVersion of [4, 5] as const) {
    const failure = protocolVersion === 5 ? 0x87 : 0x80;
    it(
      `MqttClient.subscribe reports a refused filter with reason code 0x${
        failure.toString(16)
      } (MQTT ${protocolVersion === 5 ? "5" : "3.1.1"})`,
      async () => {
        const sub = await pool.open(url, { protocolVersion });
        const allowed = uniqueTopic("allowed");
        const result = await sub.client.subscribe([
          { topicFilter: "secret/plans", qos: 1 },
          { topicFilter: allowed, qos: 1 },
        ]);
        assert.deepEqual(result.reasonCodes, [failure, 1]);
        assert.equal(sub.client.connected, true);
      },
    );
  }
  it("MqttClient.onDisconnect reports a server DISCONNECT with its reason code (0x98)", async () => {
    const admin = await pool.open(url, v5);
    await admin.client.subscribe(`${CONTROL}/response`, { qos: 1 });
    const command = async (fields: Record<string, string>) => {
      const from = admin.inbox.items.length;
      await admin.client.publish(CONTROL, JSON.stringify({ commands: [fields] }), { qos: 1 });
      const reply = await admin.inbox.find(() => true, `the reply to ${fields.command}`, from);
      const [response] = JSON.parse(text(reply.payload)).responses;
      assert.equal(response.error, undefined, `${fields.command} failed: ${response.error}`);
    };
    const username = `victim-${++victims}`;
    await command({ command: "createClient", username, password: "pw" });
    const victim = await pool.open(url, { ...v5, username, password: "pw", reconnect: false });

    await command({ command: "disableClient", username });
    const event = await victim.events.find(isDisconnect, "the server's DISCONNECT");
    assert.ok(event.kind === "disconnect");
    assert.equal(event.packetReasonCode, 0x98);
    assert.equal(event.reasonCode, 0x98);
    assert.equal(event.willReconnect, false);
    assert.equal(victim.client.connected, false);
  });
});
