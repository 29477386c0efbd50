/**
 * The lite client over `wss://` to Mosquitto's WebSocket-over-TLS listener (server.pem, signed by
 * the test CA). The lite client has no TLS options: a page trusts what its browser trusts. Here the
 * runtime's own WebSocket is told about the test CA the way it takes one — Deno's through
 * `Deno.createHttpClient({ caCerts })`, Bun's through `tls: { ca }` — in a class given as
 * `webSocket`, as an application with a private CA would do. Without it the handshake fails.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import {
  LiteClient,
  type Message,
  type QoS,
  type WebSocketConstructor,
} from "../../src/lite/mod.ts";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, uniqueTopic, within } from "../integration/_support.ts";

type DenoHttp = { createHttpClient(options: { caCerts: string[] }): { close(): void } };
type Init = { protocols: string[]; client?: unknown; tls?: { ca: string } };

/** Deno's HttpClients made for the test CA, closed after the tests. */
const httpClients: { close(): void }[] = [];

/** The runtime's WebSocket, trusting `ca` (Deno and Bun take it in their second argument). */
function trusting(ca: string): WebSocketConstructor {
  const Global = globalThis.WebSocket as unknown as new (url: string, init: Init) => WebSocket;
  const deno = (globalThis as { Deno?: DenoHttp }).Deno;
  const init = (protocol: string | string[]): Init => {
    const protocols = [protocol].flat();
    if (deno === undefined) return { protocols, tls: { ca } };
    const client = deno.createHttpClient({ caCerts: [ca] });
    httpClients.push(client);
    return { protocols, client };
  };
  class Trusting extends Global {
    constructor(url: string, protocol: string | string[]) {
      super(url, init(protocol));
    }
  }
  return Trusting as unknown as WebSocketConstructor;
}

describe("LiteClient over wss:// to Mosquitto", () => {
  let broker: MosquittoBroker;
  const clients: LiteClient[] = [];

  before(async () => {
    broker = await startMosquitto({ websockets: true, secureWebsockets: true });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.disconnect().catch(() => {})));
    for (const client of httpClients) client.close();
    await broker?.stop();
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`round-trips QoS 0, 1 and 2 over wss:// with the CA trusted (MQTT ${protocolVersion === 5 ? "5" : "3.1.1"})`, async () => {
      const client = new LiteClient({
        url: broker.url("wss"),
        protocolVersion,
        webSocket: trusting(readCert("ca.pem")),
        reconnect: false,
      });
      clients.push(client);
      await within(client.connect(), "connect() over wss://");
      const topic = uniqueTopic(`lite-wss-v${protocolVersion}`);
      const stream = client.messages(topic);
      await client.subscribe(topic, { qos: 2 });
      await Promise.all(
        ([0, 1, 2] as QoS[]).map((qos) => client.publish(topic, `qos ${qos}`, { qos })),
      );
      const got: Message[] = [];
      for (let i = 0; i < 3; i++) {
        got.push((await within(stream.next(), `message ${i + 1}`)).value as Message);
      }
      assert.deepEqual(
        got.map((m) => [new TextDecoder().decode(m.payload), m.qos]).sort(),
        [["qos 0", 0], ["qos 1", 1], ["qos 2", 2]],
      );
      await client.disconnect();
    });
  }

  it("fails to connect over wss:// when the runtime does not trust the broker's CA", async () => {
    const client = new LiteClient({ url: broker.url("wss"), reconnect: false });
    clients.push(client);
    await assert.rejects(within(client.connect(), "connect() to an untrusted wss://"));
    assert.equal(client.connected, false);
  });
});
