/**
 * Username/password authentication against a real Mosquitto with a password file.
 *
 * Mosquitto 2.0.11 refuses a wrong password and a missing username alike with "Not authorized":
 * reason code 0x87 on MQTT 5 and return code 5 on MQTT 3.1.1, which the client reports as 0x87
 * too. (It never sends 0x86 / return code 4 "Bad user name or password" to a well-formed CONNECT,
 * so that mapping is covered by the session's unit tests, not here.)
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, ConnectionRefusedError, type ProtocolVersion } from "../../mod.ts";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { ClientPool, it, text, uniqueTopic, utf8 } from "./_support.ts";

const USERS: [user: string, password: string][] = [
  ["alice", "s3cret"],
  ["bob", "p@ss:w/rd ü"],
];

describe("MqttClient authentication against Mosquitto", () => {
  let broker: MosquittoBroker;
  let dir: string;
  let base: string;
  const pool = new ClientPool();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "korero-auth-"));
    const passwords = join(dir, "passwords");
    for (const [i, [user, password]] of USERS.entries()) {
      const create = i === 0 ? ["-c"] : [];
      execFileSync("mosquitto_passwd", [...create, "-b", passwords, user, password]);
    }
    broker = await startMosquitto({
      extraConfig: [`password_file ${passwords}`, "allow_anonymous false"],
    });
    base = `${broker.host}:${broker.port}`;
  });

  after(async () => {
    await pool.closeAll();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves with the error `connect` rejected with (fails the test if it connected). */
  async function refusal(url: string, options: Parameters<typeof connect>[1]): Promise<unknown> {
    return await connect(url, { ...options, reconnect: false }).then(
      (client) => (pool.track(client), assert.fail("the broker accepted the connection")),
      (error: unknown) => error,
    );
  }

  for (const protocolVersion of [4, 5] as ProtocolVersion[]) {
    const v = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

    it(`connect with the right username and password is accepted (${v})`, async () => {
      const { client, inbox } = await pool.open(`mqtt://${base}`, {
        protocolVersion,
        username: "alice",
        password: "s3cret",
      });
      const topic = uniqueTopic("auth");
      await client.subscribe(topic, { qos: 1 });
      await client.publish(topic, "in", { qos: 1 });
      assert.equal(text((await inbox.count(1, "a message"))[0]!.payload), "in");
    });

    it(`connect takes a Uint8Array password (${v})`, async () => {
      await pool.open(`mqtt://${base}`, {
        protocolVersion,
        username: "bob",
        password: utf8("p@ss:w/rd ü"),
      });
    });

    it(`connect with a wrong password rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
      const error = await refusal(`mqtt://${base}`, {
        protocolVersion,
        username: "alice",
        password: "wrong",
      });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, 0x87);
      assert.match(error.reasonName, /not authori[sz]ed/i);
    });

    it(`connect without credentials rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
      const error = await refusal(`mqtt://${base}`, { protocolVersion });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, 0x87);
    });

    it(`connect reads percent-encoded credentials from the URL (${v})`, async () => {
      for (const [user, password] of USERS) {
        const url = `mqtt://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${base}`;
        const client = pool.track(await connect(url, { protocolVersion }));
        assert.equal(client.connected, true, user);
      }
      const error = await refusal(`mqtt://alice:wrong@${base}`, { protocolVersion });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
    });
  }
});
