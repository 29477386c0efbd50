/**
 * Connection and publishing flags of the korero command line, next to mosquitto's clients:
 * `-V 31`, `-I`, `-x`, `-U`, `--repeat-delay`, `--quiet` against Mosquitto; `-M` and the exit
 * code of a lost connection (7) against a scripted server that holds back a PUBACK or drops the
 * connection on cue.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { freePort } from "../_helpers/ports.ts";
import {
  finished,
  it,
  killAll,
  korero,
  mosquitto,
  subscribed,
  succeeds,
  unique,
  utf8,
} from "./_cli.ts";
import { connack, type FakeConnection, FakeServer, type Packet, puback } from "./_fake_server.ts";

describe("korero command line flags", () => {
  let broker: MosquittoBroker;
  const servers: FakeServer[] = [];

  before(async () => {
    broker = await startMosquitto();
  });

  after(async () => {
    killAll();
    for (const server of servers) await server.close();
    await broker?.stop();
  });

  const at = () => ["-h", broker.host, "-p", String(broker.port)];
  /** The "(pN, cN, kN)" the broker logged for client `id`. */
  const connectedAs = (id: string) =>
    broker.log().match(new RegExp(`New client connected from .* as ${id} (\\(p\\d+[^)]*\\))`))
      ?.[1];

  it("-V 31: MQTT 3.1 (protocol MQIsdp), as mosquitto_pub -V 31", async () => {
    // MQTT 3.1 allows client ids of at most 23 bytes (korero refuses longer ones).
    const stem = `v31-${Date.now().toString(36)}`;
    const [mine, theirs] = [`${stem}-k`, `${stem}-m`];
    const topic = unique("v31");
    await succeeds(korero(["pub", ...at(), "-V", "31", "-i", mine, "-t", topic, "-m", "x"]));
    await succeeds(mosquitto("pub", [...at(), "-V", "31", "-i", theirs, "-t", topic, "-m", "x"]));
    await broker.waitForLog(new RegExp(`as ${theirs} \\(p`));
    assert.equal(connectedAs(theirs), "(p1, c1, k60)");
    assert.equal(connectedAs(mine), connectedAs(theirs));
    // MQTT 3.1.1 is logged differently: the level really was 3.
    const v311 = `${stem}-4`;
    await succeeds(korero(["pub", ...at(), "-V", "311", "-i", v311, "-t", topic, "-m", "x"]));
    await broker.waitForLog(new RegExp(`as ${v311} \\(p`));
    assert.notEqual(connectedAs(v311), connectedAs(mine));
  });

  it("-I: the client id is the prefix and the process id, as mosquitto_pub's", async () => {
    const prefix = unique("prefix").replaceAll("-", "_") + "_";
    const topic = unique("prefix");
    const mine = korero(["pub", ...at(), "-I", `${prefix}k`, "-t", topic, "-m", "x"]);
    const theirs = mosquitto("pub", [...at(), "-I", `${prefix}m`, "-t", topic, "-m", "x"]);
    await Promise.all([succeeds(mine), succeeds(theirs)]);
    for (const [program, stem] of [[mine, `${prefix}k`], [theirs, `${prefix}m`]] as const) {
      await broker.waitForLog(new RegExp(`as ${stem}${program.child.pid} \\(`));
    }
  });

  it("-x: an MQTT 5 session outlives the connection (a QoS 1 message waits for the client)", async () => {
    const topic = unique("expiry");
    const id = unique("expiry-sub");
    const sub = ["sub", ...at(), "-V", "5", "-i", id, "-q", "1", "-t", topic];
    // Subscribe, leave (-E), then a message arrives while the client is away.
    await succeeds(korero([...sub, "-x", "60", "-E"]));
    await succeeds(mosquitto("pub", [...at(), "-t", topic, "-q", "1", "-m", "kept"]));
    // -c: resume the session rather than start clean.
    const back = await succeeds(korero([...sub, "-c", "-x", "60", "-C", "1"]));
    assert.equal(back.text, "kept\n");
    // Without -x the session ends with the connection: the message is not kept.
    const gone = unique("no-expiry-sub");
    const plain = ["sub", ...at(), "-V", "5", "-i", gone, "-q", "1", "-t", topic];
    await succeeds(korero([...plain, "-E"]));
    const mark = broker.logMark();
    await succeeds(mosquitto("pub", [...at(), "-t", topic, "-q", "1", "-m", "lost"]));
    const later = korero([...plain, "-c", "-x", "60", "-C", "1"]);
    await subscribed(broker, gone, mark);
    await succeeds(mosquitto("pub", [...at(), "-t", topic, "-q", "1", "-m", "live"]));
    assert.equal((await succeeds(later)).text, "live\n");
  });

  it("-U unsubscribes from a filter after subscribing, as mosquitto_sub", async () => {
    const topic = unique("unsub");
    const ids = [unique("unsub-k"), unique("unsub-m")];
    const args = (id: string) => [
      ...at(),
      "-i",
      id,
      "-q",
      "1",
      "-t",
      `${topic}/#`,
      "-t",
      `${topic}/keep`,
      "-U",
      `${topic}/#`,
      "-C",
      "1",
      "-v",
    ];
    const mark = broker.logMark();
    const subs = [korero(["sub", ...args(ids[0]!)]), mosquitto("sub", args(ids[1]!))];
    for (const id of ids) {
      await broker.waitForLog(new RegExp(`Sending UNSUBACK to ${id}\\b`), { since: mark });
    }
    const publish = (leaf: string) =>
      succeeds(mosquitto("pub", [...at(), "-q", "1", "-t", `${topic}/${leaf}`, "-m", leaf]));
    await publish("dropped");
    await publish("keep");
    const [mine, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
    assert.equal(theirs!.text, `${topic}/keep keep\n`);
    assert.equal(mine!.text, theirs!.text);
  });

  it("--repeat-delay waits that many seconds between the --repeat messages", async () => {
    const topic = unique("repeat");
    const id = unique("repeat-sub");
    // %U: when each message arrived, in seconds with nanoseconds.
    const sub = mosquitto("sub", [...at(), "-i", id, "-t", topic, "-C", "3", "-F", "%U"]);
    await subscribed(broker, id);
    const started = Date.now();
    const args = ["-t", topic, "-m", "x", "--repeat", "3", "--repeat-delay", "0.6"];
    await succeeds(korero(["pub", ...at(), ...args]));
    assert.ok(Date.now() - started >= 1200, "korero pub returned before two delays");
    const times = (await succeeds(sub)).text.trim().split("\n").map(Number);
    assert.equal(times.length, 3);
    for (let index = 1; index < times.length; index++) {
      const gap = times[index]! - times[index - 1]!;
      assert.ok(gap >= 0.55, `gap ${index}: ${gap} s`);
    }
  });

  it("--quiet: no error message (exit code 1 all the same), as mosquitto_pub --quiet", async () => {
    const port = String(await freePort());
    const args = ["-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "b"];
    const [loud, mine, theirs] = await Promise.all([
      finished(korero(["pub", ...args])),
      finished(korero(["pub", ...args, "--quiet"])),
      finished(mosquitto("pub", [...args, "--quiet"])),
    ]);
    assert.equal(theirs.code, 1);
    assert.equal(theirs.stderr, "");
    assert.equal(loud.code, 1);
    assert.match(loud.stderr, /^Error: /);
    assert.equal(mine.code, 1);
    assert.equal(mine.stderr, "");
    // Usage errors are still printed, as mosquitto does.
    const usage = await finished(korero(["pub", "--quiet", "-t", "a", "-m", "b", "-q", "3"]));
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /Invalid QoS given: 3/);
  });

  it("-M 1: the next QoS 1 message waits for the PUBACK of the last (default: it does not)", async () => {
    // The server holds back the first PUBACK until the client's next PINGREQ (-k 5): whether
    // the second PUBLISH comes before that PINGREQ or after says how many were in flight.
    const held = new Map<FakeConnection, Packet | undefined>();
    const firstHeld = (connection: FakeConnection, packet: Packet) => {
      const socket = connection.socket;
      if (packet.type === "CONNECT") socket.write(connack(packet));
      else if (packet.type === "PINGREQ") {
        socket.write(Uint8Array.of(0xd0, 0));
        const first = held.get(connection);
        if (first !== undefined) socket.write(puback(first));
        held.set(connection, undefined);
      } else if (packet.type === "PUBLISH") {
        if (!held.has(connection)) held.set(connection, packet);
        else socket.write(puback(packet));
      }
    };
    const order = async (inflight: string[]) => {
      const server = await FakeServer.listen(firstHeld);
      servers.push(server);
      const args = ["-h", "127.0.0.1", "-p", String(server.port), "-k", "5", "-q", "1"];
      await succeeds(korero(["pub", ...args, ...inflight, "-t", "t", "-l"], utf8("one\ntwo\n")));
      return server.connections[0]!.packets.map((packet) => packet.type).join(" ");
    };
    const [one, unlimited] = await Promise.all([order(["-M", "1"]), order([])]);
    assert.equal(one, "CONNECT PUBLISH PINGREQ PUBLISH DISCONNECT");
    assert.equal(unlimited, "CONNECT PUBLISH PUBLISH PINGREQ DISCONNECT");
  });
  it("a lost connection: exit code 7 and the message of mosquitto_pub (before the PUBACK) and mosquitto_rr (before the response)", async () => {
    const server = await FakeServer.listen((connection, packet) => {
      const socket = connection.socket;
      if (packet.type === "CONNECT") socket.write(connack(packet));
      // MQTT 5 SUBACK (req subscribes to its response topic): the id, no properties, QoS 0.
      if (packet.type === "SUBSCRIBE") {
        socket.write(Uint8Array.of(0x90, 4, ...packet.body.subarray(0, 2), 0, 0));
      }
      if (packet.type === "PUBLISH") socket.destroy();
    });
    servers.push(server);
    const to = ["-h", "127.0.0.1", "-p", String(server.port)];
    const pub = [...to, "-q", "1", "-t", "t", "-m", "x"];
    const req = [...to, "-t", "t", "-e", "t/response", "-m", "x"];
    const outcomes = await Promise.all([
      finished(mosquitto("pub", pub)),
      finished(korero(["pub", ...pub])),
      finished(mosquitto("rr", req)),
      finished(korero(["req", ...req])),
    ]);
    for (const outcome of outcomes) {
      assert.equal(outcome.code, 7, outcome.stderr);
      assert.equal(outcome.stderr, "Error: The connection was lost.\n");
    }
  });

  it("sub: a lost connection is not the end: it reconnects and subscribes again, as mosquitto_sub", async () => {
    const own = await startMosquitto();
    try {
      const to = ["-h", own.host, "-p", String(own.port)];
      const topic = unique("again");
      const ids = [unique("again-k"), unique("again-m")];
      const args = (id: string) => [...to, "-i", id, "-t", topic, "-C", "1", "-v"];
      const subs = [korero(["sub", ...args(ids[0]!)]), mosquitto("sub", args(ids[1]!))];
      for (const id of ids) await subscribed(own, id);
      const mark = own.logMark();
      await own.restart();
      for (const id of ids) await subscribed(own, id, mark);
      await succeeds(mosquitto("pub", [...to, "-t", topic, "-m", "after"]));
      const [mine, theirs] = await Promise.all(subs.map((sub) => succeeds(sub)));
      assert.equal(theirs!.text, `${topic} after\n`);
      assert.equal(mine!.text, theirs!.text);
    } finally {
      await own.stop();
    }
  });
});
