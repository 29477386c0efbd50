/**
 * Mosquitto's own command-line clients, `mosquitto_pub` and `mosquitto_sub`, against the
 * embedded broker, on MQTT 3.1.1 and 5.0. Skipped (with a note) where they are not installed.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import { startBroker } from "../../src/broker/mod.ts";
import { ClientPool, Recorder, text, uniqueTopic, within } from "../integration/_support.ts";

/** The path of `name` on PATH (or /usr/bin), if it is there. */
function find(name: string): string | undefined {
  for (const dir of ["/usr/bin", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)]) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* next */ }
  }
  return undefined;
}

const PUB = find("mosquitto_pub");
const SUB = find("mosquitto_sub");
const skip = PUB === undefined || SUB === undefined
  ? "mosquitto_pub / mosquitto_sub are not installed"
  : false;

/** A running command: its output so far and its exit. */
function run(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Uint8Array) => (stdout += text(chunk)));
  child.stderr.on("data", (chunk: Uint8Array) => (stderr += text(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    get stdout() {
      return stdout;
    },
    /** Resolves with the exit code. */
    async exit(): Promise<number | null> {
      const code = await within(exited, `${command} to exit (${stdout}${stderr})`);
      assert.equal(code, 0, `${command} ${args.join(" ")} failed: ${stdout}${stderr}`);
      return code;
    },
    kill: () => child.kill(),
  };
}

describe("Embedded broker with mosquitto_pub and mosquitto_sub", { skip }, () => {
  for (const version of ["mqttv311", "mqttv5"] as const) {
    it(`mosquitto_sub receives what korero publishes, QoS 0..2 (${version})`, async () => {
      const log = new Recorder<string>();
      await using broker = await startBroker({ port: 0, onLog: (_, line) => log.push(line) });
      const topic = uniqueTopic(`msub-${version}`);
      const sub = run(SUB!, [
        ...["-h", "127.0.0.1", "-p", `${broker.port}`, "-V", version, "-t", topic],
        ...["-q", "2", "-C", "3", "-v"],
      ]);
      const pool = new ClientPool();
      try {
        // mosquitto_sub's stdout is a pipe (block-buffered): the broker's log says it subscribed.
        await log.find((line) => line.includes(`subscribed to "${topic}"`), "the SUBSCRIBE");
        const { client } = await pool.open(broker.url, { protocolVersion: 5 });
        for (const qos of [0, 1, 2] as const) await client.publish(topic, `q${qos}`, { qos });
        await sub.exit();
        for (const qos of [0, 1, 2]) assert.match(sub.stdout, new RegExp(`${topic} q${qos}`));
      } finally {
        sub.kill();
        await pool.closeAll();
      }
    });

    it(`korero receives what mosquitto_pub publishes, and a retained message (${version})`, async () => {
      await using broker = await startBroker({ port: 0 });
      const topic = uniqueTopic(`mpub-${version}`);
      const pool = new ClientPool();
      try {
        const { client, inbox } = await pool.open(broker.url, { protocolVersion: 5 });
        await client.subscribe(topic, { qos: 2 });
        const base = ["-h", "127.0.0.1", "-p", `${broker.port}`, "-V", version, "-t", topic];
        for (const qos of ["0", "1", "2"]) {
          await run(PUB!, [...base, "-q", qos, "-m", `from mosquitto_pub q${qos}`]).exit();
        }
        const messages = await inbox.count(3, "three messages");
        assert.deepEqual(messages.map((m) => [text(m.payload), m.qos]), [
          ["from mosquitto_pub q0", 0],
          ["from mosquitto_pub q1", 1],
          ["from mosquitto_pub q2", 2],
        ]);
        await run(PUB!, [...base, "-q", "1", "-r", "-m", "kept"]).exit();
        const late = run(SUB!, [...base, "-C", "1", "-v", "-W", "10"]);
        await late.exit();
        assert.equal(late.stdout.trim(), `${topic} kept`);
      } finally {
        await pool.closeAll();
      }
    });
  }
});
