/**
 * Runs examples/node.mjs on Node against a real Mosquitto, the way its header says: with
 * `@korero/mqtt` resolved from the package `.ci/test-node` installed (or, before there is one,
 * a build of the sources), passed in as `KORERO_NODE_EXAMPLE` (the path of the runnable copy).
 * Skipped when that is not set (Deno and Bun run the other examples in tests/integration).
 */
import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, uniqueTopic, within } from "../integration/_support.ts";

const example = process.env.KORERO_NODE_EXAMPLE;
const skip = example === undefined ? "KORERO_NODE_EXAMPLE is set by .ci/test-node" : false;

describe("examples/node.mjs", { skip }, () => {
  let broker: MosquittoBroker;

  before(async () => {
    if (skip === false) broker = await startMosquitto();
  });

  after(() => broker?.stop());

  it("examples/node.mjs connects, receives the message it published and exits", async () => {
    const topic = uniqueTopic("node-example");
    const child = spawn(process.execPath, [example!, "--topic", topic], {
      env: { ...process.env, MQTT_URL: `mqtt://${broker.host}:${broker.port}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    const code = await within(exited, "examples/node.mjs to exit", 20_000).finally(() =>
      child.kill()
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split("\n"), [
      "connected (session present: false)",
      `received ${topic} hello from Node`,
    ]);
  });
});
