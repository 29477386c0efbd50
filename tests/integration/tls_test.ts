/**
 * TLS through a real Mosquitto: a listener with a certificate signed by the test CA, one with an
 * untrusted self-signed certificate, and one that requires a client certificate.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { connect, type ConnectFailEvent, MqttClient, TlsError } from "../../mod.ts";
import { type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { ClientPool, it, text, uniqueTopic, within } from "./_support.ts";

/** The message of an error and of its causes, joined, for matching. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.join(" / ");
}

const NO_RETRY = { reconnect: false, connectTimeout: 5_000 } as const;

describe("MqttClient over TLS to Mosquitto", () => {
  let broker: MosquittoBroker;
  const pool = new ClientPool();
  const ca = readCert("ca.pem");

  before(async () => {
    broker = await startMosquitto({ tls: true, clientCertTls: true, untrustedTls: true });
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
  });

  /** Connects and proves the connection carries messages. */
  async function roundTrip(client: MqttClient): Promise<void> {
    pool.track(client);
    const topic = uniqueTopic("tls");
    const received = new Promise<string>((resolve) => {
      client.onMessage = ({ message }) => resolve(text(message.payload));
    });
    await client.subscribe(topic, { qos: 1 });
    await client.publish(topic, "secret handshake", { qos: 1 });
    assert.equal(await within(received, "the message over TLS"), "secret handshake");
  }

  it("connect over mqtts:// trusts a server certificate signed by the given CA", async () => {
    const client = await connect(`mqtts://localhost:${broker.tlsPort}`, { ca });
    assert.equal(client.connected, true);
    await roundTrip(client);
  });

  it("connect with tls: true and host/port options trusts the given CA", async () => {
    const client = await connect(`mqtt://localhost:${broker.tlsPort}`, {
      tls: true,
      ca,
      servername: "localhost",
    });
    await roundTrip(client);
  });

  it("connect over mqtts:// rejects a server certificate the CA did not sign", async () => {
    const url = `mqtts://localhost:${broker.untrustedTlsPort}`;
    const error = await connect(url, { ...NO_RETRY, ca }).then(
      (client) => (pool.track(client), assert.fail("connected to an untrusted server")),
      (error: unknown) => error,
    );
    assert.ok(error instanceof Error);
    assert.match(messages(error), /certificate|issuer|self.signed|tls|handshake/i);
  });

  it("connect over mqtts:// without a CA rejects the test CA's server (not a system root)", async () => {
    await assert.rejects(connect(`mqtts://localhost:${broker.tlsPort}`, NO_RETRY), Error);
  });

  it("connect over mqtts:// without the CA rejects with a TlsError naming host:port", async () => {
    const client = new MqttClient({ url: `mqtts://localhost:${broker.tlsPort}`, ...NO_RETRY });
    pool.track(client);
    const failures: ConnectFailEvent[] = [];
    client.onConnectFail = (event) => void failures.push(event);
    const error = await client.connect().then(
      () => assert.fail("connected without the CA"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof TlsError, `rejected with ${messages(error)}`);
    assert.equal(error.name, "TlsError");
    assert.equal(error.reasonCode, 0x80);
    assert.ok(error.cause instanceof Error, "the runtime's own error is the cause");
    assert.match(
      error.message,
      new RegExp(`^TLS handshake with localhost:${broker.tlsPort} failed: .`),
    );
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.error, error);
  });

  it("connect presents a client certificate to a listener that requires one", async () => {
    const client = await connect(`mqtts://localhost:${broker.mtlsPort}`, {
      ca,
      cert: readCert("client.pem"),
      key: readCert("client.key"),
    });
    await roundTrip(client);
  });

  it("connect without a client certificate is refused by a listener that requires one", async () => {
    const error = await connect(`mqtts://localhost:${broker.mtlsPort}`, { ...NO_RETRY, ca }).then(
      (client) => (pool.track(client), assert.fail("connected without a client certificate")),
      (error: unknown) => error,
    );
    // Under TLS 1.3 the refusal arrives after the handshake, as the first read; either way the
    // connect rejects with the TlsError itself.
    assert.ok(error instanceof TlsError, `rejected with ${messages(error)}`);
    assert.match(error.message, /^TLS handshake with localhost:\d+ failed: .*alert/i);
  });
});
