/**
 * Retained messages through the korero command line and mosquitto's clients: `pub -r` in both
 * directions, `sub --retained-only`, `sub -R` and `sub --remove-retained`, against a real
 * Mosquitto.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { hex, it, killAll, korero, mosquitto, subscribed, succeeds, unique, utf8 } from "./_cli.ts";

const BINARY = Uint8Array.of(0, 1, 2, 0x0a, 0xfe, 0xff);

describe("korero retained messages ⇄ mosquitto", () => {
  let broker: MosquittoBroker;

  before(async () => {
    broker = await startMosquitto();
  });

  after(async () => {
    killAll();
    await broker?.stop();
  });

  const server = () => ["-h", broker.host, "-p", String(broker.port)];

  it("pub -r in both directions; --retained-only, -R and --remove-retained as mosquitto_sub", async () => {
    const base = unique("retained");
    // One retained message from each publisher, the binary one from korero.
    await succeeds(mosquitto("pub", [...server(), "-t", `${base}/a`, "-q", "1", "-r", "-m", "A"]));
    const stdin = BINARY;
    await succeeds(korero(["pub", ...server(), "-t", `${base}/b`, "-q", "1", "-r", "-s"], stdin));
    const retainedLines = `${base}/a 1 ${hex(utf8("A"))}\n${base}/b 1 ${hex(BINARY)}\n`;

    // --retained-only: both print the retained messages and exit at the first live one.
    const format = ["-F", "%t %r %x"];
    const ids = [unique("k-only"), unique("m-only"), unique("k-no-retained")];
    const onlyRetained = [
      korero(["sub", ...server(), "-i", ids[0]!, "-t", `${base}/#`, "--retained-only", ...format]),
      mosquitto("sub", [
        ...server(),
        "-i",
        ids[1]!,
        "-t",
        `${base}/#`,
        "--retained-only",
        ...format,
      ]),
    ];
    // -R: the retained messages are not printed, the live one is.
    const noRetained = korero([
      "sub",
      ...server(),
      "-i",
      ids[2]!,
      "-t",
      `${base}/#`,
      "-R",
      "-C",
      "1",
      ...format,
    ]);
    for (const id of ids) await subscribed(broker, id);
    await succeeds(mosquitto("pub", [...server(), "-t", `${base}/live`, "-m", "live"]));
    const [kor, mos] = await Promise.all(onlyRetained.map((program) => succeeds(program)));
    assert.equal(kor!.text, retainedLines);
    assert.deepEqual(kor!.stdout, mos!.stdout);
    assert.equal((await succeeds(noRetained)).text, `${base}/live 0 ${hex(utf8("live"))}\n`);

    // --remove-retained: korero sub clears both; afterwards mosquitto_sub finds none (times out).
    const removed = await succeeds(
      korero(["sub", ...server(), "-t", `${base}/#`, "--remove-retained", "-C", "2", "-F", "%t"]),
    );
    assert.equal(removed.text, `${base}/a\n${base}/b\n`);
    const after = await succeeds(
      mosquitto("sub", [...server(), "-t", `${base}/#`, "--retained-only", "-W", "1"]),
      27,
    );
    assert.equal(after.text, "");
  });

  it("korero pub -r -n clears a retained message mosquitto_pub left", async () => {
    const topic = unique("clear");
    await succeeds(mosquitto("pub", [...server(), "-t", topic, "-r", "-m", "stale"]));
    const before = await succeeds(mosquitto("sub", [...server(), "-t", topic, "-C", "1"]));
    assert.equal(before.text, "stale\n");
    await succeeds(korero(["pub", ...server(), "-t", topic, "-r", "-n"]));
    const after = await succeeds(
      korero(["sub", ...server(), "-t", topic, "--retained-only", "-W", "1"]),
      27,
    );
    assert.equal(after.text, "");
    assert.match(after.stderr, /Timed out/);
  });
});
