/**
 * `servers` failover and `bindAddress` against real Mosquitto brokers: the first server dead and
 * the second alive; then the second killed and the first started, and the client follows; on Bun
 * (and Node) a bound client shows up in the broker's log from 127.0.0.2, on Deno the option is
 * refused by name. A CONNACK refusal (from an embedded broker that refuses everyone) ends the
 * attempt: the next server is not tried.
 */

import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { connect, ConnectionRefusedError, MqttClient } from "../../mod.ts";
import { type Broker, startBroker } from "../../src/broker/mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { isBun, it, Recorder, uniqueTopic, within } from "./_support.ts";

describe("servers failover and bindAddress with Mosquitto", () => {
  const brokers: MosquittoBroker[] = [];
  const clients: MqttClient[] = [];
  after(async () => {
    for (const client of clients) await client.disconnect({ force: true }).catch(() => {});
    for (const broker of brokers) await broker.stop();
  });

  it("connects to the second server while the first is down, and back to the first when the second dies", async () => {
    const first = await startMosquitto({ verboseLog: false });
    const second = await startMosquitto({ verboseLog: false });
    brokers.push(first, second);
    await first.stop(); // dead: its port refuses
    const connects = new Recorder<number>();
    const client = new MqttClient({
      servers: [first.url(), second.url()],
      reconnect: { minDelay: 20, maxDelay: 100 },
      clientId: `failover-${Date.now() % 100000}`,
    });
    await client.connect();
    clients.push(client);
    client.onConnect = () => connects.push(Date.now());
    const topic = uniqueTopic("failover");
    const seen = new Recorder<string>();
    const watcher = await connect(second.url());
    clients.push(watcher);
    watcher.onMessage = ({ message }) => seen.push(new TextDecoder().decode(message.payload));
    await watcher.subscribe(topic);
    await client.publish(topic, "via second", { qos: 1 });
    await seen.find((p) => p === "via second", "the message through the second broker");

    await first.restart();
    const back = new Recorder<string>();
    const firstWatcher = await connect(first.url());
    clients.push(firstWatcher);
    firstWatcher.onMessage = ({ message }) => back.push(new TextDecoder().decode(message.payload));
    await firstWatcher.subscribe(topic);
    await second.kill();
    await connects.count(1, "the reconnect to the first broker", 10_000); // after the first one
    await client.publish(topic, "via first", { qos: 1 });
    await back.find((p) => p === "via first", "the message through the first broker");
  });

  it("a CONNACK refusal from the first server ends the attempt: the second is not tried", async () => {
    const asked: string[] = [];
    const refusing: Broker = await startBroker({
      port: 0,
      authenticate: () => (asked.push("first"), 0x87),
    });
    const accepting: Broker = await startBroker({
      port: 0,
      authenticate: () => (asked.push("second"), true),
    });
    try {
      const client = new MqttClient({ servers: [refusing.url, accepting.url], reconnect: false });
      clients.push(client);
      const refused = await client.connect().then(
        () => assert.fail("connected"),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof ConnectionRefusedError, `got ${refused}`);
      assert.equal(refused.reasonCode, 0x87);
      assert.deepEqual(asked, ["first"]);
    } finally {
      await refusing.close();
      await accepting.close();
    }
  });

  it(
    isBun
      ? "bindAddress: the broker sees the connection come from 127.0.0.2"
      : "bindAddress is refused by name on Deno",
    async () => {
      const broker = await startMosquitto();
      brokers.push(broker);
      const connecting = connect(broker.url(), {
        bindAddress: "127.0.0.2",
        reconnect: false,
        clientId: "bound-client",
      });
      if (!isBun) {
        await assert.rejects(connecting, /bindAddress.*not supported on Deno/);
        return;
      }
      const client = await within(connecting, "the bound connect");
      clients.push(client);
      await broker.waitForLog(/New client connected from 127\.0\.0\.2:\d+ as bound-client/);
    },
  );
});
