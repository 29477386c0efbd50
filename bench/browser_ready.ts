/**
 * korero's full client in headless Chromium (Debian's `/usr/bin/chromium`, driven by
 * playwright-core) streaming through Mosquitto's WebSocket listener: a publisher and a subscriber
 * on one page, 20,000 messages of 16 B at QoS 0 and 10,000 at QoS 1, and 5,000 of 1 KiB at QoS 0,
 * published the documented way (`await ready()` before each `publish()`) and in a tight loop.
 * Prints one JSON line per case and repetition: msg/s, the WebSocket frames the page sent, and the
 * CPU time (user + system, ms; Linux `/proc`) Chromium's processes (page, network service, the
 * rest) and Mosquitto spent on the case.
 *
 *   deno run -A bench/browser_ready.ts [--reps 3] [--root DIR]
 *
 * `--root` bundles korero from another checkout (a worktree of an older commit, for an A/B).
 *
 * @module
 */

import * as esbuild from "npm:esbuild@0.28.2";
import { chromium } from "npm:playwright-core@1.65.1";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { startMosquitto } from "../tests/_helpers/mosquitto.ts";
import type { StreamResult } from "./_browser_ready_page.ts";

/** CPU ms (user + system) of the processes whose command name starts with `name`, from /proc. */
async function cpuMs(name: string): Promise<number> {
  const tick = 10; // ms per clock tick (USER_HZ 100)
  let total = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!comm.startsWith(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) * tick; // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const reps = Number(option("reps") ?? 3);
const root = new URL(option("root") ? `file://${option("root")}/` : "../", import.meta.url);
const here = new URL("./", import.meta.url);

// The page's bundle: korero from `root` (mod.ts, with the browser's default transport, as the npm
// build's `browser` condition selects it).
const built = await esbuild.build({
  entryPoints: [new URL("_browser_ready_page.ts", here).pathname],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  logLevel: "error",
  plugins: [{
    name: "korero-root",
    setup(build) {
      build.onResolve({ filter: /^\.\.\/mod\.ts$/ }, () => ({
        path: new URL("mod.ts", root).pathname,
      }));
      build.onResolve({ filter: /\/defaults\/detect\.ts$/ }, () => ({
        path: new URL("src/transport/defaults/browser.ts", root).pathname,
      }));
    },
  }],
});
await esbuild.stop();
const script = built.outputFiles[0]!.text;

const broker = await startMosquitto({ websockets: true });
const server = createServer((request, response) => {
  const page = request.url === "/page.js";
  response.writeHead(200, { "content-type": page ? "text/javascript" : "text/html" });
  response.end(page ? script : `<script type="module" src="/page.js"></script>`);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: process.env.KORERO_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => "stream" in globalThis);
  const url = broker.url("ws");
  const cases = [
    ["ready", 0, 20_000, 16],
    ["loop", 0, 20_000, 16],
    ["ready", 1, 10_000, 16],
    ["loop", 1, 10_000, 16],
    ["ready", 0, 5_000, 1024],
  ] as const;
  for (let rep = 0; rep < reps; rep++) {
    for (const [shape, qos, count, size] of cases) {
      const before = [await cpuMs("chrom"), await cpuMs("mosquitto")];
      const result: StreamResult = await page.evaluate(
        ([url, shape, qos, count, size]) =>
          // deno-lint-ignore no-explicit-any
          (globalThis as any).stream(url, shape, qos, count, size),
        [url, shape, qos, count, size] as const,
      );
      const chromiumMs = await cpuMs("chrom") - before[0]!;
      const mosquittoMs = await cpuMs("mosquitto") - before[1]!;
      console.log(JSON.stringify({ ...result, chromiumMs, mosquittoMs }));
    }
  }
} finally {
  await browser.close();
  server.close();
  await broker.stop();
}
