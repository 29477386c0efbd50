/**
 * Node runs korero's TypeScript sources unbuilt (type stripping, on by default from Node 22.18
 * and 24): every file in `src/` must be erasable TypeScript (no enums, namespaces or parameter
 * properties) and import types with `import type`, and a plain script that imports
 * `<repo>/mod.ts` must talk to a real Mosquitto.
 *
 * Runs on Node versions that strip types (`.ci/test-node` bundles it); skipped elsewhere.
 */
import { after, before, describe, it as syncIt } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import { it, within } from "../integration/_support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const isNode = !("Deno" in globalThis) && !("Bun" in globalThis);
const strips = Boolean((process as { features?: { typescript?: unknown } }).features?.typescript);
const skip = !isNode
  ? "Node only"
  : strips
  ? false
  : `Node ${process.versions.node} does not run TypeScript unbuilt`;

/** Every `.ts` file under `dir`, as absolute paths. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Runs `node <args>` (this Node); resolves with its exit code and output. */
function node(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
  return within(done, `node ${args.join(" ").slice(0, 60)} to exit`, 20_000).finally(() =>
    child.kill()
  );
}

describe("korero's sources on Node without a build", { skip }, () => {
  const sources = [join(ROOT, "mod.ts"), ...typeScriptFiles(join(ROOT, "src"))];
  const dir = mkdtempSync(join(tmpdir(), "korero-source-"));
  let broker: MosquittoBroker;

  before(async () => {
    if (skip === false) broker = await startMosquitto();
  });

  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  syncIt("every file in src/ is erasable TypeScript (Node strips its types)", () => {
    const strip = (nodeModule as { stripTypeScriptTypes?: (code: string) => string })
      .stripTypeScriptTypes;
    assert.ok(strip !== undefined, "node:module has no stripTypeScriptTypes");
    const failures: string[] = [];
    for (const file of sources) {
      try {
        strip(readFileSync(file, "utf8"));
      } catch (error) {
        failures.push(`${relative(ROOT, file)}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    assert.deepEqual(failures, [], `not erasable:\n${failures.join("\n")}`);
  });

  it("every module in src/ loads unbuilt (types are imported with import type)", async () => {
    // One child imports every module; a type imported without `import type` fails the link
    // ("does not provide an export named"). Modules for other runtimes' schemes are left out,
    // and the command line's entry, which runs when imported (its other modules are loaded).
    const modules = sources.filter((file) => !file.endsWith(join("src", "cli", "main.ts")));
    const script = `
      const failures = [];
      for (const url of ${JSON.stringify(modules.map((file) => pathToFileURL(file).href))}) {
        try { await import(url); } catch (error) {
          if (error.code !== "ERR_UNSUPPORTED_ESM_URL_SCHEME") {
            failures.push(url.slice(${JSON.stringify(pathToFileURL(ROOT).href.length)}) +
              ": " + String(error.message).split("\\n")[0]);
          }
        }
      }
      console.log(JSON.stringify(failures));`;
    const run = await node(["--input-type=module", "--no-warnings", "-e", script]);
    assert.equal(run.code, 0, run.stderr);
    const failures = JSON.parse(run.stdout.trim().split("\n").pop()!) as string[];
    assert.deepEqual(failures, [], `do not load:\n${failures.join("\n")}`);
  });

  it("a script importing <repo>/mod.ts publishes to Mosquitto and receives the message", async () => {
    const script = join(dir, "source_client.mjs");
    writeFileSync(
      script,
      `import { MqttClient, payloadText } from ${
        JSON.stringify(pathToFileURL(join(ROOT, "mod.ts")).href)
      };
const client = new MqttClient({ url: process.env.MQTT_URL });
await client.connect();
const messages = client.messages("korero-source/test");
await client.subscribe("korero-source/test", { qos: 1 });
await client.publish("korero-source/test", "unbuilt", { qos: 1 });
for await (const message of messages) {
  console.log("received " + payloadText(message));
  break;
}
await client.disconnect();
`,
    );
    const run = await node(["--no-warnings", script], {
      MQTT_URL: `mqtt://${broker.host}:${broker.port}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), "received unbuilt");
  });
});
