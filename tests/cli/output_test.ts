/**
 * What `korero sub` prints and filters, next to `mosquitto_sub` for the same messages: the
 * message id (`%m`), the `\a \e \v` escapes, `%j` with a NUL byte (where korero writes
 * `\u0000` and mosquitto stops), `--retain-as-published` and `--random-filter`.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import {
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

describe("korero sub output ⇄ mosquitto_sub", () => {
  let broker: MosquittoBroker;
  let dir: string;

  before(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), "korero-cli-output-"));
  });

  after(async () => {
    killAll();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = () => ["-h", broker.host, "-p", String(broker.port)];

  /** korero sub and mosquitto_sub with the same `args`, each subscribed before it returns. */
  async function both(args: string[]): Promise<[Program, Program]> {
    const [mine, theirs] = [unique("k"), unique("m")];
    const programs: [Program, Program] = [
      korero(["sub", ...at(), "-i", mine, ...args]),
      mosquitto("sub", [...at(), "-i", theirs, ...args]),
    ];
    await subscribed(broker, mine);
    await subscribed(broker, theirs);
    return programs;
  }

  const publish = (args: string[]) => succeeds(mosquitto("pub", [...at(), ...args]));

  it("%m prints the message id (0 at QoS 0), as mosquitto_sub", async () => {
    const topic = unique("mid");
    const subs = await both(["-t", topic, "-q", "1", "-C", "3", "-F", "%m %q"]);
    for (const qos of ["1", "0", "1"]) await publish(["-t", topic, "-q", qos, "-m", qos]);
    const [mine, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
    assert.match(theirs!.text, /^[1-9]\d* 1\n0 0\n[1-9]\d* 1\n$/);
    assert.equal(mine!.text, theirs!.text);
  });

  it("\\a \\e \\v print BEL, ESC and VT, as mosquitto_sub", async () => {
    const topic = unique("escapes");
    const subs = await both(["-t", topic, "-C", "1", "-F", "\\a|\\e|\\v|%p"]);
    await publish(["-t", topic, "-m", "x"]);
    const [mine, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
    assert.equal(hex(theirs!.stdout), hex(utf8("\x07|\x1b|\x0b|x\n")));
    assert.equal(hex(mine!.stdout), hex(theirs!.stdout));
  });

  it("%j writes a NUL byte in the payload as \\u0000 and goes on (mosquitto_sub stops there)", async () => {
    const topic = unique("nul");
    const file = join(dir, "nul.bin");
    writeFileSync(file, utf8("a\0b"));
    const subs = await both(["-t", topic, "-C", "1", "-F", "%j"]);
    await publish(["-t", topic, "-f", file]);
    const [mine, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
    assert.match(mine!.text, /"payload":"a\\u0000b"/);
    // The difference the README names: mosquitto_sub's cJSON ends the string at the NUL.
    assert.match(theirs!.text, /"payload":"a"/);
  });

  it("--retain-as-published: a live retained message keeps its retain flag, as mosquitto_sub", async () => {
    const topic = unique("rap");
    const format = ["-V", "5", "-t", topic, "-C", "1", "-F", "%r %p"];
    const flagged = await both([...format, "--retain-as-published"]);
    const plain = await both(format);
    await publish(["-t", topic, "-r", "-m", "live"]);
    const outcomes = await Promise.all([...flagged, ...plain].map((sub) => succeeds(sub)));
    await publish(["-t", topic, "-r", "-n"]); // leave no retained message behind
    assert.deepEqual(outcomes.map((outcome) => outcome.text), [
      "1 live\n",
      "1 live\n",
      "0 live\n",
      "0 live\n",
    ]);
  });

  it("--random-filter 50 prints about half of the messages (mosquitto_sub 2.0.11: a tenth of that), -C counts them all", async () => {
    const topic = unique("random");
    const count = 400;
    const args = (
      chance: string,
    ) => ["-t", topic, "-q", "1", "-C", String(count), "--random-filter", chance];
    const ids = [unique("k50"), unique("k100"), unique("m50")];
    const subs = [
      korero(["sub", ...at(), "-i", ids[0]!, ...args("50")]),
      korero(["sub", ...at(), "-i", ids[1]!, ...args("100")]),
      mosquitto("sub", [...at(), "-i", ids[2]!, ...args("50")]),
    ];
    for (const id of ids) await subscribed(broker, id);
    const lines = Array.from({ length: count }, (_, index) => `m${index}`);
    await succeeds(
      mosquitto("pub", [...at(), "-t", topic, "-q", "1", "-l"], utf8(lines.join("\n") + "\n")),
    );
    // Each exits after `count` messages, printed or not.
    const [half, all, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
    const printed = (text: string) => text.split("\n").filter((line) => line !== "");
    assert.equal(all!.text, lines.join("\n") + "\n");
    // Binomial(400, 0.5): outside 120..280 has a probability below 1e-15.
    const kept = printed(half!.text);
    assert.ok(kept.length > 120 && kept.length < 280, `${kept.length} printed`);
    // What is printed is some of the messages, in order.
    const indexes = kept.map((line) => lines.indexOf(line));
    assert.ok(indexes.every((index, at) => index >= 0 && (at === 0 || index > indexes[at - 1]!)));
    // mosquitto_sub 2.0.11 prints 5 % for 50 (Binomial(400, 0.05): 60 or more below 1e-8).
    assert.ok(
      printed(theirs!.text).length < 60,
      `mosquitto_sub printed ${printed(theirs!.text).length}`,
    );
  });
});
