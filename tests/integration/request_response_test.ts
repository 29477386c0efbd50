/**
 * MQTT 5 request/response between two korero clients through Mosquitto: `request()`,
 * `respond()`, `handle()`, many requests at once, timeouts, aborts, late responses, and the
 * errors for MQTT 3.1.1 and requests without a Response Topic.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import {
  connect,
  ConnectionClosedError,
  type Message,
  type MqttClient,
  payloadText,
  TimeoutError,
} from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, Recorder, uniqueTopic, within } from "./_support.ts";

describe("Request/response", () => {
  let broker: MosquittoBroker;
  const clients: MqttClient[] = [];
  before(async () => {
    broker = await startMosquitto({ verboseLog: false });
  });
  after(async () => {
    for (const client of clients) await client.disconnect().catch(() => {});
    await broker?.stop();
  });

  async function client(logs?: Recorder<string>): Promise<MqttClient> {
    const c = await connect(broker.url(), {
      protocolVersion: 5,
      ...(logs === undefined ? {} : { logger: (_level, message) => logs.push(message) }),
    });
    clients.push(c);
    return c;
  }

  it("a request gets the response its responder made, through handle()", async () => {
    const responder = await client();
    const requester = await client();
    const service = uniqueTopic("svc/upper");
    await responder.handle(service, (request) => payloadText(request).toUpperCase());
    const reply = await requester.request(service, "hello", { timeout: 5000 });
    assert.equal(payloadText(reply), "HELLO");
    assert.ok(reply.topic.startsWith(`${requester.clientId}/responses/`), reply.topic);
    assert.ok(reply.properties?.correlationData instanceof Uint8Array);
  });

  it("1,000 concurrent requests each get their own response", async () => {
    const responder = await client();
    const requester = await client();
    const service = uniqueTopic("svc/double");
    await responder.handle(service, (request) => String(Number(payloadText(request)) * 2), {
      qos: 1,
    });
    const replies = await within(
      Promise.all(
        Array.from({ length: 1000 }, (_, i) => requester.request(service, String(i), { qos: 1 })),
      ),
      "1,000 responses",
      20_000,
    );
    assert.deepEqual(
      replies.map(payloadText),
      Array.from({ length: 1000 }, (_, i) => String(i * 2)),
    );
  });

  it("a request nobody answers times out; a response after that is dropped and logged", async () => {
    const logs = new Recorder<string>();
    const requests = new Recorder<Message>();
    const responder = await client();
    const requester = await client(logs);
    const service = uniqueTopic("svc/slow");
    responder.messageCallbackAdd(service, ({ message }) => requests.push(message));
    await responder.subscribe(service, { qos: 1 });
    await assert.rejects(
      requester.request(service, "anyone?", { timeout: 300 }),
      (error: unknown) => error instanceof TimeoutError && /within 300 ms/.test(error.message),
    );
    const [request] = await requests.count(1, "the request at the responder");
    await responder.respond(request!, "too late", { qos: 1 });
    await logs.find((line) => /Dropped a response/.test(line), "the dropped response's log line");
  });

  it("aborting a request rejects it with the signal's reason", async () => {
    const requester = await client();
    const controller = new AbortController();
    const pending = requester.request(uniqueTopic("svc/none"), "x", {
      signal: controller.signal,
      timeout: 0,
    });
    const reason = new Error("user gave up");
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(pending, (error) => error === reason);
  });

  it("disconnecting rejects the requests still waiting", async () => {
    const requester = await connect(broker.url(), { protocolVersion: 5 });
    const pending = requester.request(uniqueTopic("svc/none"), "x", { timeout: 0 });
    const rejected = assert.rejects(pending, ConnectionClosedError); // rejects during disconnect()
    await requester.disconnect();
    await rejected;
  });

  it("respond() needs a Response Topic; request() needs MQTT 5", async () => {
    const v5 = await client();
    const plain = {
      topic: "t",
      payload: new Uint8Array(),
      qos: 0,
      retain: false,
      dup: false,
      mid: 0,
      timestamp: 0,
      ack: () => false,
    } as const;
    await assert.rejects(v5.respond(plain, "x"), TypeError);
    const v311 = await connect(broker.url(), { protocolVersion: 4 });
    clients.push(v311);
    await assert.rejects(
      v311.request("t", "x"),
      (error: unknown) =>
        error instanceof RangeError && /MQTT 5/.test(error.message) &&
        /3\.1\.1/.test(error.message),
    );
  });
});
