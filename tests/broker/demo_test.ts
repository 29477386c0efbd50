/**
 * examples/demo.ts run as a program on this runtime (`deno run -A`, or `bun`): with its own
 * embedded broker, and against one named by MQTT_URL.
 */

import { describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { startBroker } from "../../src/broker/mod.ts";
import { isBun, it, within } from "../integration/_support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** Runs the demo; resolves with its exit code and output. */
function demo(env: Record<string, string> = {}) {
  const args = isBun ? ["examples/demo.ts"] : ["run", "-A", "--no-check", "examples/demo.ts"];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, MQTT_URL: "", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (out += chunk));
  child.stderr.on("data", (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return within(exited.then((code) => ({ code, out })), "the demo to exit", 20_000);
}

const EXPECTED = [
  /QoS 0 +alice → bob +"hello, at most once"/,
  /QoS 1 +alice → bob +"hello, at least once" +publish settled on PUBACK/,
  /QoS 2 +alice → bob +"hello, exactly once" +publish settled on PUBCOMP/,
  /retain +alice → bob +"alice is online"/,
  /will +alice → bob +"alice went away"/,
  /done: every message arrived/,
];

describe("examples/demo.ts", { skip: !isDeno && !isBun }, () => {
  it("examples/demo.ts starts its own broker, shows every round trip and exits 0", async () => {
    const { code, out } = await demo();
    assert.equal(code, 0, out);
    assert.match(out, /korero's embedded broker at mqtt:\/\/127\.0\.0\.1:\d+/);
    for (const line of EXPECTED) assert.match(out, line);
  });

  it("examples/demo.ts uses the broker at MQTT_URL when it is set", async () => {
    const lines: string[] = [];
    await using broker = await startBroker({ port: 0, onLog: (_, line) => lines.push(line) });
    const { code, out } = await demo({ MQTT_URL: broker.url });
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`the broker at ${broker.url} \\(from MQTT_URL\\)`));
    for (const line of EXPECTED) assert.match(out, line);
    assert.ok(lines.some((line) => line.includes("connected (MQTT 5.0)")), "it used our broker");
  });

  it("examples/demo.ts says it cannot connect, and exits 1, when nothing listens at MQTT_URL", async () => {
    const { port } = await startBroker({ port: 0 }).then(async (b) => (await b.close(), b));
    const { code, out } = await demo({ MQTT_URL: `mqtt://127.0.0.1:${port}` });
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`cannot connect to mqtt://127\\.0\\.0\\.1:${port}: `));
  });
});
