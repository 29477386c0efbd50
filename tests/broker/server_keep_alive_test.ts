/**
 * The embedded broker's MQTT 5 Server Keep Alive, as a client sees it: the CONNACK carries it
 * and the client pings that often (through a proxy that records what it sends).
 */

import assert from "node:assert/strict";
import { it } from "../integration/_support.ts";
import { eachBroker } from "../integration/_brokers.ts";

eachBroker(
  "MqttClient and the broker's Server Keep Alive",
  { kinds: ["embedded"], proxy: true, embedded: { serverKeepAlive: 1 } },
  (suite) => {
    it("MqttClient pings as often as the broker's Server Keep Alive asks (MQTT 5)", async () => {
      let serverKeepAlive: number | undefined;
      const client = suite.pool.create(suite.proxiedUrl, {
        protocolVersion: 5,
        keepalive: 60,
        reconnect: false,
      });
      client.client.onConnect = ({ properties }) => (serverKeepAlive = properties?.serverKeepAlive);
      await client.client.connect();
      assert.equal(serverKeepAlive, 1);
      const isPing = (chunk: Uint8Array) => chunk[0] === 0xc0;
      await suite.proxy.chunksUp.find(isPing, "a PINGREQ within the Server Keep Alive", 0, 5_000);
      // Three keepalive periods later the broker has not closed the connection (1.5 × 1 s).
      const from = suite.proxy.chunksUp.items.length;
      await suite.proxy.chunksUp.until(
        (chunks) => chunks.slice(from).filter(isPing).length >= 3,
        "three more PINGREQs",
      );
      assert.equal(client.client.connected, true);
    });
  },
);
