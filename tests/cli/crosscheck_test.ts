/**
 * The korero command line against Debian's mosquitto_pub / mosquitto_sub through a real
 * Mosquitto, in both directions: what one publishes the other receives byte for byte, for
 * each QoS, `-m`, `-f` (binary), `-s`, `-n`, `-l` and `-L`; and `korero sub` prints exactly
 * what `mosquitto_sub` prints for the same messages (`-v`).
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import {
  concat,
  hex,
  it,
  killAll,
  korero,
  mosquitto,
  type Program,
  subscribed,
  succeeds,
  unique,
  utf8,
} from "./_cli.ts";

/** Every field that says what arrived: topic, QoS, retain flag, length, payload in hex. */
const FORMAT = "%t|%q|%r|%l|%x";
/** Every byte value, a newline in the middle, a NUL at the end. */
const BINARY = concat([
  Uint8Array.from({ length: 256 }, (_, index) => index),
  utf8("\nline two\n"),
  Uint8Array.of(0),
]);
const TEXT = 'hello wörld, "quoted" \\ tab\t';
/** What `-l` reads: a line, an empty line, a CRLF line (the \r stays), a last line without \n. */
const LINES = "one\n\ntwo\r\nthree";
const LINE_PAYLOADS = ["one", "", "two\r", "three"].map(utf8);

/** A message one of the publishers sends, with the QoS it asks for. */
interface Sent {
  qos: number;
  payload: Uint8Array;
}

/**
 * The messages each publisher sends, in order, with the arguments that send them (`pub` adds
 * the broker and topic): -m at QoS 0, -f at QoS 1 and 2, -n, -s through -L, and -l.
 */
function publications(
  file: string,
  url: string,
): { args: string[]; stdin?: Uint8Array; sent: Sent[] }[] {
  return [
    { args: ["-q", "0", "-m", TEXT], sent: [{ qos: 0, payload: utf8(TEXT) }] },
    { args: ["-q", "1", "-f", file], sent: [{ qos: 1, payload: BINARY }] },
    { args: ["-q", "2", "-f", file], sent: [{ qos: 2, payload: BINARY }] },
    { args: ["-q", "1", "-n"], sent: [{ qos: 1, payload: new Uint8Array(0) }] },
    { args: ["-L", url, "-q", "2", "-s"], stdin: BINARY, sent: [{ qos: 2, payload: BINARY }] },
    {
      args: ["-q", "1", "-l"],
      stdin: utf8(LINES),
      sent: LINE_PAYLOADS.map((payload) => ({ qos: 1, payload })),
    },
  ];
}

describe("korero pub / sub ⇄ mosquitto_sub / mosquitto_pub, byte for byte", () => {
  let broker: MosquittoBroker;
  let dir: string;
  let file: string;

  before(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), "korero-cli-"));
    file = join(dir, "binary.bin");
    writeFileSync(file, BINARY);
  });

  after(async () => {
    killAll();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = () => ["-h", broker.host, "-p", String(broker.port)];

  /** Runs each publication with `tool`, one after the other, and returns what was sent. */
  async function publishAll(tool: (args: string[], stdin?: Uint8Array) => Program, topic: string) {
    const url = `mqtt://${broker.host}:${broker.port}/${topic}`;
    const sent: Sent[] = [];
    for (const publication of publications(file, url)) {
      const target = publication.args.includes("-L") ? [] : [...server(), "-t", topic];
      await succeeds(tool(["pub", ...target, ...publication.args], publication.stdin));
      sent.push(...publication.sent);
    }
    return sent;
  }

  /**
   * The `-F FORMAT` lines a subscriber with QoS 2 prints for `sent`, sorted: a QoS 2 message is
   * handed over on PUBREL (libmosquitto, and korero sub likewise), so a QoS 0/1 message sent
   * after it may print first.
   */
  const formatted = (topic: string, sent: Sent[]) =>
    sorted(sent.map(({ qos, payload }) => `${topic}|${qos}|0|${payload.length}|${hex(payload)}`));

  /** The lines of `text`, sorted. */
  const sorted = (lines: string[]) => [...lines].sort();
  const lines = (text: string) => sorted(text.split("\n").filter((line) => line !== ""));

  /** What `-v` prints for `sent`: "topic payload", or "topic (null)" for an empty payload. */
  const verbose = (topic: string, sent: Sent[]) =>
    concat(
      sent.map(({ payload }) =>
        payload.length === 0
          ? utf8(`${topic} (null)\n`)
          : concat([utf8(`${topic} `), payload, utf8("\n")])
      ),
    );

  it("what korero pub sends, mosquitto_sub receives byte for byte (QoS 0/1/2, -m -f -s -n -l -L)", async () => {
    const topic = unique("to-mosquitto");
    const id = unique("msub");
    const expectedCount = 9;
    const sub = mosquitto("sub", [
      ...server(),
      "-i",
      id,
      "-t",
      topic,
      "-q",
      "2",
      "-C",
      String(expectedCount),
      "-F",
      FORMAT,
    ]);
    await subscribed(broker, id);
    const sent = await publishAll((args, stdin) => korero(args, stdin), topic);
    assert.equal(sent.length, expectedCount);
    const received = await succeeds(sub);
    assert.deepEqual(lines(received.text), formatted(topic, sent));
  });

  it("what mosquitto_pub sends, korero sub receives byte for byte and prints as mosquitto_sub does", async () => {
    const topic = unique("from-mosquitto");
    const ids = [unique("ksub-format"), unique("ksub-verbose"), unique("msub-verbose")];
    const count = ["-C", "9"];
    const subscribers = [
      korero(["sub", ...server(), "-i", ids[0]!, "-t", topic, "-q", "2", ...count, "-F", FORMAT]),
      // At QoS 1 (every message arrives at QoS ≤ 1): printed in the order sent, so the bytes
      // can be compared whole.
      korero(["sub", ...server(), "-i", ids[1]!, "-t", topic, "-q", "1", ...count, "-v"]),
      mosquitto("sub", [...server(), "-i", ids[2]!, "-t", topic, "-q", "1", ...count, "-v"]),
    ];
    for (const id of ids) await subscribed(broker, id);
    const sent = await publishAll((args, stdin) => mosquitto("pub", args.slice(1), stdin), topic);
    const [format, korVerbose, mosVerbose] = await Promise.all(subscribers.map((s) => succeeds(s)));
    assert.deepEqual(lines(format!.text), formatted(topic, sent));
    assert.deepEqual(korVerbose!.stdout, verbose(topic, sent));
    assert.deepEqual(korVerbose!.stdout, mosVerbose!.stdout);
  });

  it("korero sub -C stops after that many messages; without -v it prints payloads, none for an empty one", async () => {
    const topic = unique("count");
    const ids = [unique("ksub"), unique("msub")];
    const subscribers = [
      korero(["sub", ...server(), "-i", ids[0]!, "-t", topic, "-q", "1", "-C", "3"]),
      mosquitto("sub", [...server(), "-i", ids[1]!, "-t", topic, "-q", "1", "-C", "3"]),
    ];
    for (const id of ids) await subscribed(broker, id);
    for (const args of [["-m", "first"], ["-n"], ["-m", "third"], ["-m", "fourth"]]) {
      await succeeds(mosquitto("pub", [...server(), "-t", topic, "-q", "1", ...args]));
    }
    const [kor, mos] = await Promise.all(subscribers.map((s) => succeeds(s)));
    assert.equal(kor!.text, "first\nthird\n");
    assert.deepEqual(kor!.stdout, mos!.stdout);
  });
  it("-T filters topics out, --repeat publishes again, -d prints the packets, -E exits after the SUBACK", async () => {
    const base = unique("more");
    const id = unique("ksub-filter");
    const sub = korero([
      "sub",
      ...server(),
      "-i",
      id,
      "-t",
      `${base}/#`,
      "-T",
      `${base}/skip/#`,
      "-q",
      "1",
      "-C",
      "3",
      "-F",
      "%t %p",
    ]);
    await subscribed(broker, id);
    await succeeds(mosquitto("pub", [...server(), "-t", `${base}/skip/x`, "-m", "skipped"]));
    const repeated = await succeeds(
      korero([
        "pub",
        ...server(),
        "-t",
        `${base}/r`,
        "-m",
        "again",
        "-q",
        "1",
        "--repeat",
        "2",
        "-d",
      ]),
    );
    await succeeds(mosquitto("pub", [...server(), "-t", `${base}/a`, "-m", "last"]));
    assert.equal((await succeeds(sub)).text, `${base}/r again\n${base}/r again\n${base}/a last\n`);
    for (const mid of [1, 2]) {
      assert.ok(
        repeated.text.includes(`Sending PUBLISH (d0, q1, r0, m${mid}), '${base}/r', ... (5 bytes)`),
        repeated.text,
      );
    }
    const exits = await succeeds(
      korero(["sub", ...server(), "-t", `${base}/e1`, "-t", `${base}/e2`, "-q", "2", "-E", "-d"]),
    );
    assert.match(exits.text, /^Subscribed \(mid: 1\): 2, 2$/m);
  });
});
