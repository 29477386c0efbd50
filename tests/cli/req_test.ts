/**
 * `korero req` (MQTT 5 request/response) against a responder (a korero client in the test
 * process) through a real Mosquitto: the request carries a response topic and correlation
 * data (mosquitto_sub sees both), only the response with the same correlation data is printed,
 * `-W` times out with 27, and MQTT 3.1.1 is refused.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type Message, MqttClient, payloadText } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  finished,
  hex,
  it,
  killAll,
  korero,
  mosquitto,
  subscribed,
  succeeds,
  unique,
  utf8,
} from "./_cli.ts";

describe("korero req (MQTT 5 request/response)", () => {
  let broker: MosquittoBroker;
  let responder: MqttClient;
  let service: string;
  const requests: Message[] = [];

  before(async () => {
    broker = await startMosquitto();
    service = unique("service");
    responder = new MqttClient({
      host: broker.host,
      port: broker.port,
      protocolVersion: 5,
      reconnect: false,
    });
    // Answers each request twice: first with other correlation data (a response to someone
    // else, which req must skip), then with the request's.
    responder.onMessage = ({ message }) => {
      requests.push(message);
      const { responseTopic, correlationData } = message.properties ?? {};
      if (responseTopic === undefined) return;
      const reply = `pong:${payloadText(message)}`;
      void responder.publish(responseTopic, "not yours", {
        qos: 1,
        properties: { correlationData: utf8("someone else") },
      }).then(() =>
        responder.publish(responseTopic, reply, {
          qos: 1,
          properties: {
            ...(correlationData === undefined ? {} : { correlationData }),
            userProperties: [["answered-by", "test"]],
          },
        })
      );
    };
    await responder.connect();
    await responder.subscribe(`${service}/#`, { qos: 1 });
  });

  after(async () => {
    killAll();
    await responder?.disconnect().catch(() => {});
    await broker?.stop();
  });

  const server = () => ["-h", broker.host, "-p", String(broker.port)];

  it("publishes with a response topic and correlation data, prints the matching response, exits 0", async () => {
    const watcher = unique("req-watch");
    const seen = mosquitto("sub", [
      ...server(),
      "-V",
      "5",
      "-i",
      watcher,
      "-t",
      `${service}/#`,
      "-C",
      "1",
      "-F",
      "%R|%l|%p",
    ]);
    await subscribed(broker, watcher);
    const before = requests.length;
    const outcome = await succeeds(
      korero([
        "req",
        ...server(),
        "-t",
        `${service}/echo`,
        "-m",
        "ping",
        "-q",
        "1",
        "-F",
        "%t|%p|%P|%x",
      ]),
    );
    const request = requests[before]!;
    const responseTopic = request.properties?.responseTopic;
    const correlation = request.properties?.correlationData;
    assert.ok(responseTopic !== undefined && correlation !== undefined, "no response topic");
    assert.equal(correlation.length, 16);
    assert.equal(
      outcome.text,
      `${responseTopic}|pong:ping|answered-by:test|${hex(utf8("pong:ping"))}\n`,
    );
    assert.equal((await succeeds(seen)).text, `${responseTopic}|4|ping\n`);
  });

  it("-e names the response topic and -D publish correlation-data the correlation data", async () => {
    const before = requests.length;
    const reply = unique("reply");
    const outcome = await succeeds(
      korero([
        "req",
        ...server(),
        "-t",
        `${service}/echo`,
        "-e",
        reply,
        "-D",
        "publish",
        "correlation-data",
        "my-id-1",
        "-D",
        "publish",
        "user-property",
        "k",
        "v",
        "-v",
        "-f",
        "/dev/null",
      ]),
    );
    const request = requests[before]!;
    assert.equal(request.properties?.responseTopic, reply);
    assert.deepEqual(request.properties?.correlationData, utf8("my-id-1"));
    assert.deepEqual(request.properties?.userProperties, [["k", "v"]]);
    assert.equal(outcome.text, `${reply} pong:\n`);
  });

  it("-W: no responder, exit code 27; MQTT 3.1.1 is refused with exit code 1", async () => {
    const [timedOut, v311] = await Promise.all([
      finished(korero(["req", ...server(), "-t", unique("nobody"), "-m", "x", "-W", "1"])),
      finished(korero(["req", ...server(), "-t", `${service}/echo`, "-m", "x", "-V", "311"])),
    ]);
    assert.equal(timedOut.code, 27);
    assert.match(timedOut.stderr, /Timed out/);
    assert.equal(timedOut.text, "");
    assert.equal(v311.code, 1);
    assert.match(v311.stderr, /req needs MQTT 5/);
  });
});
