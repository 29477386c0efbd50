/**
 * How the korero command line connects and ends, next to mosquitto's clients: exit codes for
 * a timeout (`-W`), no broker, and a refused CONNECT (MQTT 3.1.1 and 5); TLS with `--cafile`;
 * user name and password; a will (`--will-topic`) published when the process is killed; `-D
 * connect` properties and `-c` sessions.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { lookup } from "node:dns/promises";
import process from "node:process";
import { certPath, type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import {
  finished,
  isBun,
  it,
  killAll,
  korero,
  mosquitto,
  subscribed,
  succeeds,
  unique,
} from "./_cli.ts";

describe("korero command line connections and exit codes", () => {
  let broker: MosquittoBroker;
  let secured: MosquittoBroker;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-cli-auth-"));
    const passwords = join(dir, "passwords");
    execFileSync("mosquitto_passwd", ["-c", "-b", passwords, "alice", "s3cret"]);
    [broker, secured] = await Promise.all([
      startMosquitto({ tls: true }),
      startMosquitto({ extraConfig: [`password_file ${passwords}`, "allow_anonymous false"] }),
    ]);
  });

  after(async () => {
    killAll();
    await Promise.all([broker?.stop(), secured?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (server: MosquittoBroker) => ["-h", server.host, "-p", String(server.port)];

  it("-W: exit code 27 and 'Timed out', as mosquitto_sub", async () => {
    const topic = unique("timeout");
    const [mine, theirs] = await Promise.all([
      finished(korero(["sub", ...at(broker), "-t", topic, "-W", "1"])),
      finished(mosquitto("sub", [...at(broker), "-t", topic, "-W", "1"])),
    ]);
    assert.equal(theirs.code, 27);
    assert.equal(mine.code, 27);
    assert.equal(mine.stderr, theirs.stderr);
    assert.equal(mine.text, "");
  });

  it("no broker: exit code 1 with an error, as mosquitto_pub / mosquitto_sub", async () => {
    const port = String(await freePort());
    const [pub, sub, theirs] = await Promise.all([
      finished(korero(["pub", "-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "b"])),
      finished(korero(["sub", "-h", "127.0.0.1", "-p", port, "-t", "a"])),
      finished(mosquitto("pub", ["-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "b"])),
    ]);
    assert.equal(theirs.code, 1);
    for (const mine of [pub, sub]) {
      assert.equal(mine.code, 1, mine.stderr);
      assert.match(mine.stderr, /^Error: .*(refused|ECONNREFUSED)/i);
    }
  });

  it("a refused CONNECT exits with the CONNACK's code and mosquitto's message (3.1.1: 5, 5: 135)", async () => {
    for (const version of ["311", "5"]) {
      const args = [...at(secured), "-V", version, "-t", "a", "-u", "alice", "-P", "wrong"];
      const pubArgs = [...args, "-m", "b"];
      const [pub, sub, theirPub, theirSub] = await Promise.all([
        finished(korero(["pub", ...pubArgs])),
        finished(korero(["sub", ...args])),
        finished(mosquitto("pub", pubArgs)),
        finished(mosquitto("sub", args)),
      ]);
      for (const [mine, theirs] of [[pub, theirPub], [sub, theirSub]] as const) {
        assert.equal(theirs.code, version === "5" ? 135 : 5);
        assert.equal(mine.code, theirs.code, mine.stderr);
        assert.equal(mine.stderr, theirs.stderr);
      }
    }
    // The right password gets through (-u / -P, and -L with user:password@).
    const topic = unique("auth");
    const id = unique("auth-sub");
    const sub = mosquitto("sub", [
      ...at(secured),
      "-u",
      "alice",
      "-P",
      "s3cret",
      "-i",
      id,
      "-t",
      topic,
      "-C",
      "2",
    ]);
    await subscribed(secured, id);
    await succeeds(
      korero(["pub", ...at(secured), "-u", "alice", "-P", "s3cret", "-t", topic, "-m", "one"]),
    );
    await succeeds(
      korero([
        "pub",
        "-L",
        `mqtt://alice:s3cret@${secured.host}:${secured.port}/${topic}`,
        "-m",
        "two",
      ]),
    );
    assert.equal((await succeeds(sub)).text, "one\ntwo\n");
  });

  it("TLS with --cafile (and the client certificate flags) publishes to mosquitto_sub", async () => {
    const topic = unique("tls");
    const id = unique("tls-sub");
    const sub = mosquitto("sub", [...at(broker), "-i", id, "-t", topic, "-C", "1", "-v"]);
    await subscribed(broker, id);
    await succeeds(
      korero([
        "pub",
        "-h",
        "localhost",
        "-p",
        String(broker.tlsPort),
        "--cafile",
        certPath("ca.pem"),
        "--cert",
        certPath("client.pem"),
        "--key",
        certPath("client.key"),
        "-t",
        topic,
        "-q",
        "1",
        "-m",
        "over TLS",
      ]),
    );
    assert.equal((await succeeds(sub)).text, `${topic} over TLS\n`);
    const missing = await finished(
      korero([
        "pub",
        "-p",
        String(broker.tlsPort),
        "--cafile",
        join(dir, "none.pem"),
        "-t",
        "a",
        "-m",
        "b",
      ]),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Problem setting TLS options: File not found/);
  });

  it("--will-topic: the will of a killed korero sub reaches mosquitto_sub; -D will / connect properties are sent", async () => {
    const topic = unique("will");
    const watcher = unique("will-watch");
    const victim = unique("will-victim");
    const sub = mosquitto("sub", [
      ...at(broker),
      "-V",
      "5",
      "-i",
      watcher,
      "-t",
      topic,
      "-C",
      "1",
      "-F",
      "%t %p %P",
    ]);
    await subscribed(broker, watcher);
    const mark = broker.logMark();
    const doomed = korero([
      "sub",
      ...at(broker),
      "-i",
      victim,
      "-t",
      `${topic}/ignored`,
      "--will-topic",
      topic,
      "--will-payload",
      "gone",
      "--will-qos",
      "1",
      "-D",
      "will",
      "user-property",
      "why",
      "killed",
      "-D",
      "connect",
      "session-expiry-interval",
      "0",
    ]);
    await subscribed(broker, victim, mark);
    doomed.child.kill("SIGKILL");
    assert.equal((await succeeds(sub)).text, `${topic} gone why:killed\n`);
    // The CONNECT said MQTT 5 (-D) with a will at QoS 1 (the broker's log names both).
    assert.match(
      broker.log().slice(mark),
      new RegExp(`New client connected .* as ${victim} \\(p5, c1, k60\\)`),
    );
  });
  it("SIGTERM: korero sub leaves with 'disconnect with will' (MQTT 5: the will goes out) and exits 0", async () => {
    const topic = unique("term");
    const watcher = unique("term-watch");
    const victim = unique("term-victim");
    const sub = mosquitto("sub", [...at(broker), "-i", watcher, "-t", topic, "-C", "1", "-v"]);
    await subscribed(broker, watcher);
    const mark = broker.logMark();
    const stopping = korero([
      "sub",
      ...at(broker),
      "-V",
      "5",
      "-i",
      victim,
      "-t",
      `${topic}/other`,
      "--will-topic",
      topic,
      "--will-payload",
      "stopped",
    ]);
    await subscribed(broker, victim, mark);
    // process.kill, not child.kill: Deno's ChildProcess reports a child it signalled itself as
    // ended by that signal, whatever the child's exit code.
    process.kill(stopping.child.pid!, "SIGTERM");
    const outcome = await succeeds(stopping);
    assert.equal(outcome.stderr, "");
    assert.equal((await succeeds(sub)).text, `${topic} stopped\n`);
  });
  it("--insecure: a certificate that does not name the host is refused without it, accepted with it", async () => {
    // A name of this machine that reaches the broker (127.0.0.1) but is not in the test
    // certificate (which names localhost and 127.0.0.1): the host name, where it is such a name.
    const name = hostname();
    const address = await lookup(name, { family: 4 }).then((r) => r.address, () => "");
    const usable = address.startsWith("127.") && name !== "localhost";
    const host = usable ? name : "localhost";
    const topic = unique("insecure");
    const tls = [
      "-h",
      host,
      "-p",
      String(broker.tlsPort),
      "--cafile",
      certPath("ca.pem"),
      "-t",
      topic,
    ];
    if (usable) {
      const refused = await finished(korero(["pub", ...tls, "-m", "checked"]));
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^Error: .*TLS/);
    }
    const id = unique("insecure-sub");
    const sub = mosquitto("sub", [...at(broker), "-i", id, "-t", topic, "-C", "1"]);
    await subscribed(broker, id);
    await succeeds(korero(["pub", ...tls, "--insecure", "-m", "not checked"]));
    assert.equal((await succeeds(sub)).text, "not checked\n");
  });
  it("-A binds the local address (Bun, Node); on Deno korero says it cannot", async () => {
    const topic = unique("bind");
    const args = ["pub", ...at(broker), "-A", "127.0.0.1", "-t", topic, "-m", "bound"];
    if (isBun) {
      const id = unique("bind-sub");
      const sub = mosquitto("sub", [...at(broker), "-i", id, "-t", topic, "-C", "1"]);
      await subscribed(broker, id);
      await succeeds(korero(args));
      assert.equal((await succeeds(sub)).text, "bound\n");
    } else {
      const outcome = await finished(korero(args));
      assert.equal(outcome.code, 1);
      assert.match(outcome.stderr, /^Error: .*bindAddress.*not supported on Deno/);
    }
  });
});
