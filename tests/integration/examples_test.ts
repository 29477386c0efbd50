/**
 * Runs examples/publish.ts and examples/subscribe.ts as separate programs (with `deno run -A`
 * under Deno and `bun` under Bun) against a real Mosquitto and checks what they print.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { isBun, it, Recorder, uniqueTopic, within } from "./_support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A running example program: its stdout lines as they come, and its exit. */
interface Program {
  child: ChildProcess;
  lines: Recorder<string>;
  exited: Promise<number | null>;
  stderr: () => string;
}

const running = new Set<ChildProcess>();

/** Starts `examples/<name>` on this runtime with MQTT_URL pointing at the test broker. */
function run(name: string, args: string[], url: string): Program {
  const runtimeArgs = isBun ? [] : ["run", "-A", "--no-check"];
  const child = spawn(process.execPath, [...runtimeArgs, `examples/${name}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, MQTT_URL: url, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const lines = new Recorder<string>();
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const line of parts) lines.push(line);
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      if (buffered) lines.push(buffered);
      resolve(code);
    });
  });
  return { child, lines, exited, stderr: () => stderr };
}

/** Waits for the program to exit and checks it exited with 0. */
async function succeeds(program: Program, what: string): Promise<readonly string[]> {
  const code = await within(program.exited, `${what} to exit`, 20_000);
  assert.equal(code, 0, `${what} exited with ${code}:\n${program.stderr()}`);
  return program.lines.items;
}

describe("examples against Mosquitto", () => {
  let broker: MosquittoBroker;
  let url: string;

  before(async () => {
    broker = await startMosquitto();
    url = `mqtt://${broker.host}:${broker.port}`;
  });

  after(async () => {
    for (const child of running) child.kill("SIGKILL");
    await broker?.stop();
  });

  it("examples/subscribe.ts prints the messages examples/publish.ts sends, then exits after --count", async () => {
    const topic = uniqueTopic("examples");
    const sub = run("subscribe.ts", ["--topic", topic, "--count", "3"], url);
    await sub.lines.find((line) => line === `subscribed to ${topic}`, "the subscriber", 0, 20_000);

    const pub = run("publish.ts", ["--topic", topic, "--qos", "2", "one", "two", "three"], url);
    assert.deepEqual(await succeeds(pub, "the publisher"), [
      `published to ${topic}: one`,
      `published to ${topic}: two`,
      `published to ${topic}: three`,
    ]);
    assert.deepEqual(await succeeds(sub, "the subscriber"), [
      `subscribed to ${topic}`,
      `${topic} one`,
      `${topic} two`,
      `${topic} three`,
    ]);
  });

  it("examples/subscribe.ts receives a retained message examples/publish.ts left with --retain", async () => {
    const topic = uniqueTopic("examples-retained");
    const pub = run("publish.ts", ["--topic", topic, "--retain", "kept for later"], url);
    await succeeds(pub, "the publisher");

    const sub = run("subscribe.ts", ["--topic", topic, "--count", "1"], url);
    assert.deepEqual(await succeeds(sub, "the subscriber"), [
      `subscribed to ${topic}`,
      `${topic} kept for later`,
    ]);
  });

  it("examples/jobs.ts acknowledges each job it finished; the next run gets only the unfinished ones", async () => {
    const topic = uniqueTopic("examples-jobs");
    const id = `korero-example-jobs-${Date.now()}`;
    const first = run("jobs.ts", ["--topic", topic, "--id", id, "--count", "1"], url);
    await first.lines.find((line) => line.startsWith("waiting"), "the worker", 0, 20_000);
    const pub = run("publish.ts", ["--topic", topic, "--qos", "1", "job-1", "job-2"], url);
    await succeeds(pub, "the publisher");
    assert.deepEqual(await succeeds(first, "the first worker"), [
      `waiting for jobs on ${topic}`,
      `done ${topic} job-1`,
    ]);
    // job-2 reached the first worker too, but it stopped before taking it: not acknowledged.
    const second = run("jobs.ts", ["--topic", topic, "--id", id, "--count", "1"], url);
    assert.deepEqual(await succeeds(second, "the second worker"), [
      `waiting for jobs on ${topic}`,
      `done ${topic} job-2`,
    ]);
  });
});
