/**
 * `connectSrv` against a test DNS server on loopback and real Mosquitto brokers: the records are
 * followed by priority, a dead target is skipped; `orderSrv` orders by priority and weight.
 */

import { after, before, describe, it as plainIt } from "node:test";
import assert from "node:assert/strict";
import { connectSrv, type MqttClient, orderSrv } from "../../mod.ts";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { type DnsServer, startDnsServer } from "../_helpers/dns_server.ts";
import { refusedPort } from "../transport/_node_server.ts";
import { it } from "./_support.ts";

describe("connectSrv", () => {
  let low: MosquittoBroker;
  let high: MosquittoBroker;
  let dns: DnsServer;
  const clients: MqttClient[] = [];
  before(async () => {
    low = await startMosquitto();
    high = await startMosquitto({ tls: true });
    const dead = await refusedPort();
    dns = await startDnsServer({
      "_mqtt._tcp.brokers.test": [
        { priority: 20, weight: 0, port: low.port, target: "127.0.0.1" },
        { priority: 10, weight: 5, port: dead, target: "127.0.0.1" },
        { priority: 30, weight: 0, port: high.port, target: "127.0.0.1" },
      ],
      "_mqtt._tcp.empty.test": [],
      // The TLS listener's certificate names localhost.
      "_secure-mqtt._tcp.secure.test": [
        { priority: 10, weight: 0, port: high.tlsPort, target: "localhost" },
      ],
    });
  });
  after(async () => {
    for (const client of clients) await client.disconnect().catch(() => {});
    await dns?.close();
    await low?.stop();
    await high?.stop();
  });

  it("follows the SRV records by priority and skips a dead target", async () => {
    const client = await connectSrv("brokers.test", {
      nameServer: { ipAddr: "127.0.0.1", port: dns.port },
      clientId: "srv-client",
      reconnect: false,
    });
    clients.push(client);
    assert.ok(dns.queries.includes("_mqtt._tcp.brokers.test"), dns.queries.join(", "));
    await low.waitForLog(/New client connected from .* as srv-client/);
    assert.doesNotMatch(high.log(), /as srv-client/);
  });

  it("with tls: true looks up _secure-mqtt._tcp and connects over TLS", async () => {
    const client = await connectSrv("secure.test", {
      nameServer: { ipAddr: "127.0.0.1", port: dns.port },
      tls: true,
      ca: readCert("ca.pem"),
      clientId: "srv-tls-client",
      reconnect: false,
    });
    clients.push(client);
    assert.ok(dns.queries.includes("_secure-mqtt._tcp.secure.test"), dns.queries.join(", "));
    assert.equal(client.transport, "tls");
    await high.waitForLog(/New client connected from .* as srv-tls-client/);
  });

  it("rejects with the name looked up when there are no records", async () => {
    await assert.rejects(
      connectSrv("empty.test", { nameServer: { ipAddr: "127.0.0.1", port: dns.port } }),
      /No MQTT brokers found for empty\.test/,
    );
    await assert.rejects(
      connectSrv("missing.test", { nameServer: { ipAddr: "127.0.0.1", port: dns.port } }),
      /_mqtt\._tcp\.missing\.test/,
    );
  });

  plainIt("orderSrv: priority first, then weighted picks within a priority", () => {
    const records = [
      { priority: 2, weight: 0, port: 1, target: "c" },
      { priority: 1, weight: 1, port: 1, target: "b" },
      { priority: 1, weight: 9, port: 1, target: "a" },
    ];
    // A roll of 0 picks the first of the sorted group (lowest weight), a roll near 1 the heaviest.
    assert.deepEqual(orderSrv(records, () => 0.99).map((r) => r.target), ["a", "b", "c"]);
    assert.deepEqual(orderSrv(records, () => 0).map((r) => r.target), ["b", "a", "c"]);
  });
});
