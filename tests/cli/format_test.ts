/**
 * `korero sub -F` prints what `mosquitto_sub -F` prints for the same MQTT 5 messages: every
 * field, flag, escape and the JSON forms (`%j`, `%J`, `--pretty`); and MQTT 5 properties given
 * with `-D` travel both ways (korero pub → mosquitto_sub, mosquitto_pub → korero sub).
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, killAll, korero, mosquitto, subscribed, succeeds, unique } from "./_cli.ts";

/** Every field that does not depend on the time, with flags, width, precision and escapes. */
const FIELDS = "%t|%p|%q|%r|%l|%x|%X|%P|%C|%E|%F|%R|%D|%S|%-6t|%08l|%-5l|%.3p|%5.2t|%%|\\t|@@";

/** What korero pub sends (with `-D` properties): quotes and a tab. */
const KORERO_PAYLOAD = 'say "hi"\tnow';

/** `tst` (the time a message was printed) masked: it is the one field that differs. */
const maskTime = (text: string) => text.replace(/"tst":\s*"[^"]*"/g, '"tst":"…"');

describe("korero sub -F and -D ⇄ mosquitto, MQTT 5", () => {
  let broker: MosquittoBroker;

  before(async () => {
    broker = await startMosquitto();
  });

  after(async () => {
    killAll();
    await broker?.stop();
  });

  const server = () => ["-h", broker.host, "-p", String(broker.port)];

  it("prints every -F field, %j and %J (--pretty, -N) as mosquitto_sub does; -D properties go both ways", async () => {
    const topic = unique("format");
    const formats = [["-F", `${FIELDS}|%j`], ["-N", "--pretty", "-F", "%J"]];
    const ids = formats.flatMap((_, index) => [unique(`k${index}`), unique(`m${index}`)]);
    const subscribers = formats.flatMap((format, index) => [
      korero([
        "sub",
        ...server(),
        "-V",
        "5",
        "-i",
        ids[2 * index]!,
        "-t",
        `${topic}/#`,
        ...format,
        "-C",
        "3",
      ]),
      mosquitto("sub", [
        ...server(),
        "-V",
        "5",
        "-i",
        ids[2 * index + 1]!,
        "-t",
        `${topic}/#`,
        ...format,
        "-C",
        "3",
      ]),
    ]);
    for (const id of ids) await subscribed(broker, id);

    const properties = (tool: string) => [
      "-D",
      "publish",
      "user-property",
      "from",
      tool,
      "-D",
      "publish",
      "user-property",
      "k2",
      "v 2",
      "-D",
      "publish",
      "content-type",
      "application/json",
      "-D",
      "publish",
      "response-topic",
      `${topic}/reply`,
      "-D",
      "publish",
      "correlation-data",
      "corr-17",
      "-D",
      "publish",
      "message-expiry-interval",
      "3600",
      "-D",
      "publish",
      "payload-format-indicator",
      "1",
    ];
    const json = '{"a": [1, 2.50, "x", {"b": null, "c": true}], "d": {}, "e": "é\\n"}';
    await succeeds(
      mosquitto("pub", [
        ...server(),
        "-t",
        `${topic}/m`,
        "-q",
        "1",
        "-m",
        json,
        ...properties("mosquitto"),
      ]),
    );
    await succeeds(
      korero([
        "pub",
        ...server(),
        "-t",
        `${topic}/k`,
        "-q",
        "1",
        "-m",
        KORERO_PAYLOAD,
        ...properties("korero"),
      ]),
    );
    await succeeds(korero(["pub", ...server(), "-t", `${topic}/n`, "-V", "5", "-n"]));

    const outcomes = await Promise.all(subscribers.map((program) => succeeds(program)));
    for (let index = 0; index < formats.length; index++) {
      const kor = outcomes[2 * index]!;
      const mos = outcomes[2 * index + 1]!;
      assert.equal(maskTime(kor.text), maskTime(mos.text), `-F ${formats[index]!.join(" ")}`);
      assert.equal(kor.stderr, mos.stderr);
    }
    // And what they agree on is right, not just the same.
    const line = outcomes[0]!.text.split("\n")[1]!;
    const payload = new TextEncoder().encode(KORERO_PAYLOAD);
    const payloadHex = Array.from(payload, (b) => b.toString(16).padStart(2, "0")).join("");
    const length = String(payload.length);
    assert.equal(
      line.slice(0, line.indexOf('|{"tst"')),
      [
        `${topic}/k`,
        KORERO_PAYLOAD,
        "0",
        "0",
        length,
        payloadHex,
        payloadHex.toUpperCase(),
        "from:korero k2:v 2",
        "application/json",
        "3600",
        "1",
        `${topic}/reply`,
        "corr-17",
        "",
        `${topic}/k`.padEnd(6),
        length.padStart(8, "0"),
        length.padEnd(5),
        KORERO_PAYLOAD, // mosquitto ignores a precision on %p
        `${topic}/k`.slice(0, 2).padStart(5),
        "%",
        "\t",
        "@",
      ].join("|"),
    );
    assert.match(
      line,
      /\|\{"tst":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z[+-]\d{4}","topic":"[^"]+\/k","qos":0,"retain":0,"payloadlen":12,"properties":\{"user-properties":\{"from":"korero","k2":"v 2"\},/,
    );
    assert.match(outcomes[2]!.stderr, /Error: Message payload is not valid JSON on topic .*\/k\./);
  });

  it("%I, %U and @ time fields print the time as mosquitto's do", async () => {
    const topic = unique("time");
    const id = unique("ktime");
    const sub = korero([
      "sub",
      ...server(),
      "-i",
      id,
      "-t",
      topic,
      "-C",
      "1",
      "-F",
      "%I|%U|@Y-@m-@dT@H:@M:@S|@N|@s",
    ]);
    await subscribed(broker, id);
    const before = Date.now();
    await succeeds(mosquitto("pub", [...server(), "-t", topic, "-m", "x"]));
    const text = (await succeeds(sub)).text;
    const match =
      /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[+-]\d{4}\|(\d+)\.(\d{9})\|(.{19})\|(\d{9})\|(\d+)\n$/
        .exec(text);
    assert.ok(match, `unexpected time fields: ${JSON.stringify(text)}`);
    const [, iso, seconds, , strftimeIso, , epoch] = match;
    assert.equal(strftimeIso, iso);
    assert.equal(epoch, seconds);
    assert.ok(Math.abs(Number(seconds) * 1000 - before) < 10_000, `${seconds} is not about now`);
  });
});
