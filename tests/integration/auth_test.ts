/**
 * Username/password authentication: Mosquitto with a password file, and the embedded broker
 * with an `authenticate` function that knows the same users.
 *
 * Mosquitto 2.0.11 refuses a wrong password and a missing username alike with "Not authorized":
 * reason code 0x87 on MQTT 5 and return code 5 on MQTT 3.1.1, which the client reports as 0x87
 * too (the embedded broker here answers as Mosquitto does). Mosquitto never sends 0x86 / return
 * code 4 "Bad user name or password" to a well-formed CONNECT, so that mapping is covered by the
 * session's unit tests, not here.
 */

import { after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, ConnectionRefusedError, type ProtocolVersion } from "../../mod.ts";
import { it, text, uniqueTopic, utf8 } from "./_support.ts";
import { eachBroker, TCP_BROKERS } from "./_brokers.ts";

const USERS: [user: string, password: string][] = [
  ["alice", "s3cret"],
  ["bob", "p@ss:w/rd ü"],
];

/** A Mosquitto password file of {@link USERS}, in a directory removed after the block. */
function passwordFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "korero-auth-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const passwords = join(dir, "passwords");
  for (const [i, [user, password]] of USERS.entries()) {
    const create = i === 0 ? ["-c"] : [];
    execFileSync("mosquitto_passwd", [...create, "-b", passwords, user, password]);
  }
  return passwords;
}

const scenario = {
  kinds: TCP_BROKERS,
  mosquitto: () => ({ extraConfig: [`password_file ${passwordFile()}`, "allow_anonymous false"] }),
  embedded: {
    authenticate: ({ username, password }: { username?: string; password?: Uint8Array }) => {
      const known = USERS.some(([user, secret]) =>
        user === username && password !== undefined && new TextDecoder().decode(password) === secret
      );
      return Promise.resolve(known || 0x87);
    },
  },
};

eachBroker("MqttClient authentication", scenario, (suite) => {
  const pool = suite.pool;
  const base = () => suite.url.replace(/^mqtt:\/\//, "");

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
      const { client, inbox } = await suite.open({
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
      await suite.open({
        protocolVersion,
        username: "bob",
        password: utf8("p@ss:w/rd ü"),
      });
    });

    it(`connect with a wrong password rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
      const error = await refusal(suite.url, {
        protocolVersion,
        username: "alice",
        password: "wrong",
      });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, 0x87);
      assert.match(error.reasonName, /not authori[sz]ed/i);
    });

    it(`connect without credentials rejects with ConnectionRefusedError 0x87 (${v})`, async () => {
      const error = await refusal(suite.url, { protocolVersion });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
      assert.equal(error.reasonCode, 0x87);
    });

    it(`connect reads percent-encoded credentials from the URL (${v})`, async () => {
      for (const [user, password] of USERS) {
        const url = `mqtt://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${base()}`;
        const client = pool.track(await connect(url, { protocolVersion }));
        assert.equal(client.connected, true, user);
      }
      const error = await refusal(`mqtt://alice:wrong@${base()}`, { protocolVersion });
      assert.ok(error instanceof ConnectionRefusedError, `got ${error}`);
    });
  }
});
