/** `request()` on a fake broker: the response topic follows the CONNACK's Response Information. */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { payloadText, TimeoutError } from "../../mod.ts";
import { connectedClient } from "../_helpers/fake_broker.ts";

describe("request() and Response Information", () => {
  it("responses are subscribed under the server's Response Information, matched by Correlation Data", async () => {
    const { client, conn } = await connectedClient(
      { protocolVersion: 5, properties: { requestResponseInformation: true } },
      { properties: { responseInformation: "replies/from-server/" } },
    );
    const reply = client.request("svc", "ping", { qos: 0, timeout: 0 });
    const subscribe = await conn.expect("subscribe");
    const topic = subscribe.subscriptions[0]!.topicFilter;
    assert.match(topic, /^replies\/from-server\/[0-9a-f]{8}$/);
    conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1] });
    const request = await conn.expect("publish");
    assert.equal(request.properties?.responseTopic, topic);
    const correlationData = request.properties?.correlationData;
    assert.ok(correlationData !== undefined);
    // A response with someone else's correlation data is not ours; then ours.
    for (const data of [new Uint8Array([1, 2, 3]), correlationData]) {
      conn.send({
        type: "publish",
        topic,
        payload: new TextEncoder().encode(data === correlationData ? "pong" : "other"),
        qos: 0,
        retain: false,
        dup: false,
        properties: { correlationData: data },
      });
    }
    assert.equal(payloadText(await reply), "pong");
    await client.disconnect({ force: true });
  });

  it("a request without a timeout gives up after 30,000 ms, with TimeoutError", async () => {
    const { client, conn } = await connectedClient({ protocolVersion: 5 });
    // The request's timer is the runtime's: catch the one armed for 30,000 ms and fire it now.
    const realSetTimeout = globalThis.setTimeout;
    const armed: number[] = [];
    globalThis.setTimeout = ((callback: () => void, ms?: number) => {
      if (ms !== 30_000) return realSetTimeout(callback, ms);
      armed.push(ms);
      return realSetTimeout(callback, 0);
    }) as typeof setTimeout;
    try {
      const reply = client.request("svc", "ping");
      const subscribe = await conn.expect("subscribe");
      conn.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1] });
      await assert.rejects(
        reply,
        (error: unknown) => error instanceof TimeoutError && /within 30000 ms/.test(error.message),
      );
      assert.deepEqual(armed, [30_000]);
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    await client.disconnect({ force: true });
  });
});
