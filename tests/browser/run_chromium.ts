/**
 * korero in a real browser: `page.ts` bundled for the browser (esbuild, `--platform=browser
 * --bundle --minify --format=esm`), served from 127.0.0.1, run in headless Chromium driven by
 * playwright-core, against Mosquitto's websockets listener. The page round-trips QoS 0, 1 and 2
 * over ws://, and reports the error classes' names in the minified bundle, the error for an
 * mqtt:// URL (no TCP in a browser) and the refusal of `wsHeaders`; the bundle's metafile must
 * hold no Deno, Bun, Node or Workers adapter. `examples/browser.html` is loaded too (with a
 * bundle of korero as its `./korero.js`) and must show a message it published.
 *
 * The lite client (`@korero/mqtt/lite`) the same way: `page_lite.ts`, bundled on its own, round-
 * trips QoS 0, 1 and 2 over ws://; its bundle must hold the global-WebSocket adapter only, and its
 * size is printed; `examples/lite.html` (with a bundle of the lite entry as its
 * `./korero-lite.js`) must show a message it published.
 *
 * The bundle is made from the installed npm package (`.tmp/npm-project/node_modules/@korero/mqtt`,
 * from `.ci/pack`, resolved with esbuild's browser conditions) when it is there and not older
 * than `src/`, else from the sources with `src/transport/defaults/detect.ts` replaced by
 * `browser.ts` (what the package's `browser` condition does); `KORERO_BROWSER_FROM=package` or
 * `sources` chooses. Run by `.ci/test-browser` (which bundles this file for Node): esbuild and
 * playwright-core are loaded with `require`, found through `NODE_PATH`.
 *
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { type MosquittoBroker, startMosquitto } from "../_helpers/mosquitto.ts";
import type { Failure, KoreroChecks } from "./page.ts";
import type { KoreroLiteChecks } from "./page_lite.ts";

const ROOT = process.env.KORERO_ROOT ?? process.cwd();
const PACKAGE_PROJECT = join(ROOT, ".tmp", "npm-project");
const PACKAGE = join(PACKAGE_PROJECT, "node_modules", "@korero", "mqtt");
const CHROMIUM = process.env.KORERO_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Adapters a browser bundle must not contain (sources `.ts`, package `.js`). */
const OTHER_ADAPTERS =
  /src\/transport\/(?:deno|bun|node|cloudflare|defaults\/(?:detect|deno|bun|node|workerd))\.[jt]s$|chunks\/(?:deno|bun|node|cloudflare)-\w+\.js$/;
const LIMIT = { timeout: 20_000 };

/** The members of esbuild's and playwright-core's APIs used here (loaded with `require`). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[];
    metafile: { inputs: Record<string, unknown> };
  }>;
}
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => Promise<ResolveResult> | ResolveResult,
  ): void;
  resolve(path: string, options: { kind: string; resolveDir: string }): Promise<ResolveResult>;
}
interface ResolveArgs {
  path: string;
  importer: string;
  resolveDir: string;
  kind: string;
}
type ResolveResult = { path?: string; errors?: unknown[] } | undefined;
interface Chromium {
  launchPersistentContext(dir: string, options: Record<string, unknown>): Promise<Context>;
}
interface Context {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  context(): Context;
  fill(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  close(): Promise<void>;
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", listener: (error: Error) => void): void;
  goto(url: string): Promise<unknown>;
  waitForFunction(
    fn: () => boolean,
    arg?: unknown,
    options?: { timeout: number },
  ): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

const load = createRequire(import.meta.url);
function requireTool<T>(name: string): T {
  try {
    return load(name) as T;
  } catch (error) {
    throw new Error(`The browser test needs ${name}: put its node_modules on NODE_PATH (${error})`);
  }
}

/** The newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((max, entry) => Math.max(max, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

/** Where korero comes from: the installed package, or the sources; and why. */
function chooseSource(): { from: "package" | "sources"; why: string } {
  const asked = process.env.KORERO_BROWSER_FROM;
  const installed = existsSync(join(PACKAGE, "package.json"));
  if (asked === "sources") return { from: "sources", why: "KORERO_BROWSER_FROM=sources" };
  if (asked === "package") {
    if (!installed) throw new Error(`KORERO_BROWSER_FROM=package, but ${PACKAGE} is missing`);
    return { from: "package", why: "KORERO_BROWSER_FROM=package" };
  }
  if (!installed) return { from: "sources", why: "no npm package installed (.ci/pack makes one)" };
  const built = statSync(join(PACKAGE, "package.json")).mtimeMs;
  if (built < Math.max(newest(join(ROOT, "src")), statSync(join(ROOT, "mod.ts")).mtimeMs)) {
    return { from: "sources", why: "the installed npm package is older than src/ (run .ci/pack)" };
  }
  return { from: "package", why: `the npm package installed in ${PACKAGE_PROJECT}` };
}

/** What a bundle is made of: a test page, or one of korero's entries. */
type Entry = "page" | "litePage" | "korero" | "lite";

/** The file each entry is bundled from, from the package or the sources. */
function entryPoint(entry: Entry, from: "package" | "sources"): string {
  switch (entry) {
    case "page":
      return join(ROOT, "tests", "browser", "page.ts");
    case "litePage":
      return join(ROOT, "tests", "browser", "page_lite.ts");
    case "korero":
      return from === "package" ? join(PACKAGE, "mod.js") : join(ROOT, "mod.ts");
    case "lite":
      return from === "package"
        ? join(PACKAGE, "src", "lite", "mod.js")
        : join(ROOT, "src", "lite", "mod.ts");
  }
}

/** The package's specifier for each source entry the test pages import. */
const PAGE_IMPORTS: Record<string, string> = {
  "../../mod.ts": "@korero/mqtt",
  "../../src/lite/mod.ts": "@korero/mqtt/lite",
};

/**
 * A browser bundle (esbuild: bundle, minify, ESM, platform browser) of a test page
 * (`tests/browser/page.ts`, `page_lite.ts`) or of a korero entry (`mod.ts` or the package's
 * `mod.js`; `src/lite/mod.ts` or the package's `src/lite/mod.js`): its code and its inputs.
 */
async function bundle(entry: Entry, from: "package" | "sources") {
  const esbuild = requireTool<Esbuild>("esbuild");
  const plugin = from === "sources"
    ? {
      name: "korero-browser-default",
      setup(build: PluginBuild) {
        // What the package's `browser` condition on `#default-transport` does.
        build.onResolve({ filter: /\/transport\/defaults\/detect\.ts$/ }, (args) => ({
          path: join(args.resolveDir, args.path.replace(/detect\.ts$/, "browser.ts")),
        }));
      },
    }
    : {
      name: "korero-npm-package",
      setup(build: PluginBuild) {
        build.onResolve(
          { filter: /^\.\.\/\.\.\/(?:src\/lite\/)?mod\.ts$/ },
          (args) =>
            /tests\/browser\/page(?:_lite)?\.ts$/.test(args.importer)
              ? build.resolve(PAGE_IMPORTS[args.path]!, {
                kind: args.kind,
                resolveDir: PACKAGE_PROJECT,
              })
              : undefined,
        );
      },
    };
  const result = await esbuild.build({
    entryPoints: [entryPoint(entry, from)],
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [plugin],
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

/** The bundles the server hands out. */
interface Bundles {
  page: string;
  litePage: string;
  korero: string;
  lite: string;
}

/**
 * Serves on 127.0.0.1: `/` the test page with its script `/page.js`, `/lite` the lite client's
 * test page with `/page_lite.js`, `/examples/browser.html` with korero's bundle as
 * `/examples/korero.js`, and `/examples/lite.html` with the lite entry's bundle as
 * `/examples/korero-lite.js`.
 */
async function serve(bundles: Bundles): Promise<Server> {
  const html = (script: string) =>
    `<!doctype html><meta charset="utf-8"><title>korero</title>` +
    `<link rel="icon" href="data:,"><script type="module" src="${script}"></script>`;
  const example = (name: string) => readFileSync(join(ROOT, "examples", name), "utf8");
  const files: Record<string, [string, string]> = {
    "/": ["text/html", html("/page.js")],
    "/page.js": ["text/javascript", bundles.page],
    "/lite": ["text/html", html("/page_lite.js")],
    "/page_lite.js": ["text/javascript", bundles.litePage],
    "/examples/browser.html": ["text/html", example("browser.html")],
    "/examples/korero.js": ["text/javascript", bundles.korero],
    "/examples/lite.html": ["text/html", example("lite.html")],
    "/examples/korero-lite.js": ["text/javascript", bundles.lite],
  };
  const server = createServer((request, response) => {
    const file = files[request.url ?? ""];
    if (file === undefined) response.writeHead(404).end();
    else response.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe("korero in headless Chromium", () => {
  const source = chooseSource();
  let pageBundle: { code: string; inputs: string[] };
  let koreroBundle: { code: string; inputs: string[] };
  let litePageBundle: { code: string; inputs: string[] };
  let liteBundle: { code: string; inputs: string[] };
  let origin: string;
  let server: Server | undefined;
  let broker: MosquittoBroker | undefined;
  let context: Context | undefined;
  let page: Page;
  let profile: string | undefined;
  /** The page's console and errors, shown when a check fails. */
  const pageLog: string[] = [];

  /** Runs `koreroChecks[name](...args)` in the page. */
  function check<K extends keyof KoreroChecks>(
    name: K,
    ...args: Parameters<KoreroChecks[K]>
  ): Promise<Awaited<ReturnType<KoreroChecks[K]>>> {
    type Checks = Record<string, (...args: unknown[]) => unknown>;
    return page.evaluate(
      ({ name, args }) =>
        (globalThis as unknown as { koreroChecks: Checks }).koreroChecks[name]!(...args),
      { name, args: args as unknown[] },
    ) as Promise<Awaited<ReturnType<KoreroChecks[K]>>>;
  }

  /** `what` for an assertion message, with the page's log. */
  const withLog = (what: string) => `${what}\npage log:\n${pageLog.join("\n")}`;

  before(async () => {
    console.log(`# korero from ${source.from}: ${source.why}`);
    [pageBundle, koreroBundle, litePageBundle, liteBundle] = await Promise.all([
      bundle("page", source.from),
      bundle("korero", source.from),
      bundle("litePage", source.from),
      bundle("lite", source.from),
    ]);
    for (
      const [what, { code, inputs }] of [
        ["korero's browser bundle", koreroBundle],
        ["the lite client's browser bundle (@korero/mqtt/lite)", liteBundle],
        ["the lite client's test page", litePageBundle],
      ] as const
    ) {
      console.log(
        `# ${what}: ${code.length} bytes minified, ${gzipSync(code).length} gzip, ` +
          `${inputs.length} inputs`,
      );
    }
    server = await serve({
      page: pageBundle.code,
      litePage: litePageBundle.code,
      korero: koreroBundle.code,
      lite: liteBundle.code,
    });
    broker = await startMosquitto({ websockets: true });
    const { chromium } = requireTool<{ chromium: Chromium }>("playwright-core");
    profile = mkdtempSync(join(tmpdir(), "korero-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on("console", (message) => pageLog.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => pageLog.push(`pageerror: ${error.message}`));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => "koreroChecks" in globalThis, undefined, { timeout: 10_000 });
  }, { timeout: 40_000 });

  after(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await broker?.stop();
    await new Promise((resolve) =>
      server === undefined ? resolve(undefined) : server.close(resolve)
    );
  });

  it("the browser bundles hold the WebSocket adapter and no Deno, Bun, Node or Workers adapter", () => {
    for (const { inputs } of [pageBundle, koreroBundle]) {
      assert.deepEqual(inputs.filter((input) => OTHER_ADAPTERS.test(input)), []);
      assert.ok(
        inputs.some((input) =>
          /src\/transport\/websocket_global\.[jt]s$|chunks\/websocket_global-\w+\.js$/.test(input)
        ),
      );
      assert.ok(inputs.some((input) => /src\/transport\/defaults\/browser\.[jt]s$/.test(input)));
    }
  });

  it(
    "MqttClient in Chromium round-trips QoS 0, 1 and 2 over ws:// with Mosquitto",
    LIMIT,
    async () => {
      const topic = `korero/browser/${Date.now()}`;
      const received = await check("roundTrip", broker!.url("ws"), topic);
      assert.deepEqual(received, [
        [topic, "qos 0", 0],
        [topic, "qos 1", 1],
        [topic, "qos 2", 2],
      ], withLog("the messages the page received"));
    },
  );

  it(
    "a ready() loop in Chromium sends its messages in few WebSocket frames, all delivered",
    LIMIT,
    async () => {
      const topic = `korero/browser/ready/${Date.now()}`;
      const count = 2000;
      const { frames, resolved, received } = await check(
        "readyLoop",
        broker!.url("ws"),
        topic,
        count,
      );
      assert.equal(resolved, count, withLog("publishes resolved"));
      assert.equal(received, count, withLog("messages received"));
      // One frame per message before small writes settled after the turn (MessageChannel).
      assert.ok(frames <= count / 10, `${frames} frames for ${count} messages`);
    },
  );

  it("the lite client's bundles hold the global-WebSocket adapter and no other adapter", () => {
    for (const { code, inputs } of [litePageBundle, liteBundle]) {
      assert.deepEqual(inputs.filter((input) => OTHER_ADAPTERS.test(input)), []);
      assert.deepEqual(
        inputs.filter((input) => /src\/transport\/defaults\//.test(input)),
        [],
        "the lite client takes no default transport",
      );
      assert.ok(
        inputs.some((input) => /src\/lite\/mod\.[jt]s$/.test(input)),
        `the lite entry is not in ${inputs}`,
      );
      for (const text of ["Deno.connect", "Bun.connect", "node:net", "cloudflare:sockets"]) {
        assert.ok(!code.includes(text), `the lite bundle mentions ${text}`);
      }
    }
  });

  it(
    "LiteClient in Chromium round-trips QoS 0, 1 and 2 over ws:// with Mosquitto",
    LIMIT,
    async () => {
      const lite = await page.context().newPage();
      try {
        lite.on("console", (message) => pageLog.push(`lite ${message.type()}: ${message.text()}`));
        lite.on("pageerror", (error) => pageLog.push(`lite pageerror: ${error.message}`));
        await lite.goto(`${origin}/lite`);
        await lite.waitForFunction(() => "koreroLiteChecks" in globalThis, undefined, {
          timeout: 10_000,
        });
        const topic = `korero/browser-lite/${Date.now()}`;
        const received = await lite.evaluate(
          ({ url, topic }) =>
            (globalThis as unknown as { koreroLiteChecks: KoreroLiteChecks }).koreroLiteChecks
              .roundTrip(url, topic),
          { url: broker!.url("ws"), topic },
        );
        assert.deepEqual(received, [
          [topic, "lite qos 0", 0],
          [topic, "lite qos 1", 1],
          [topic, "lite qos 2", 2],
        ], withLog("the messages the lite page received"));
      } finally {
        await lite.close();
      }
    },
  );

  it("korero's error classes keep their names in the minified bundle", LIMIT, async () => {
    const names = await check("errorNames");
    assert.deepEqual(names, Object.fromEntries(Object.keys(names).map((name) => [name, name])));
    assert.equal(Object.keys(names).length, 7);
  });

  it(
    "a connection Mosquitto refuses rejects with a ConnectionRefusedError by name",
    LIMIT,
    async () => {
      const failure = await check("refusedConnection", broker!.url("ws"));
      assert.ok(failure !== undefined, withLog("the broker accepted an unknown auth method"));
      assert.match(failure.message, /Bad authentication method \(0x8C\)/);
      assert.equal(failure.koreroClass, "ConnectionRefusedError", failure.message);
      assert.equal(failure.isMqttError, true);
      assert.equal(failure.name, "ConnectionRefusedError", failure.message);
    },
  );

  it(
    "IndexedDbStore keeps a QoS 1 message a page accepted for the next page with its client id",
    LIMIT,
    async () => {
      const topic = `korero/idb/${Date.now()}`;
      const received = await check("storedSession", broker!.url("ws"), topic);
      assert.deepEqual(received, ["kept across pages"], withLog("the stored message"));
    },
  );

  it(
    "connect to an mqtt:// URL fails in a browser with a message naming ws:// and wss://",
    LIMIT,
    async () => {
      const failure: Failure | undefined = await check("tcpConnection", "mqtt://127.0.0.1:1883");
      assert.ok(failure !== undefined, "connected over TCP from a browser");
      assert.match(failure.message, /TCP is not available in this runtime \(browser\)/);
      assert.match(failure.message, /use ws:\/\/ or wss:\/\//);
    },
  );

  it(
    "connect with wsHeaders fails in a browser with an error naming the option, not the values",
    LIMIT,
    async () => {
      const failure = await check("headersConnection", broker!.url("ws"), {
        Authorization: "Bearer s3cr3t",
      });
      assert.ok(failure !== undefined, "connected with wsHeaders from a browser");
      assert.match(
        failure.message,
        /with options\.wsHeaders: the WebSocket of this runtime \(a browser\) cannot send handshake headers/,
      );
      assert.doesNotMatch(failure.message, /s3cr3t/);
    },
  );

  for (const name of ["browser.html", "lite.html"]) {
    it(
      `examples/${name} connects, subscribes, and shows the message it publishes`,
      LIMIT,
      async () => {
        const example = await page.context().newPage();
        try {
          example.on("pageerror", (error) => pageLog.push(`example pageerror: ${error.message}`));
          await example.goto(`${origin}/examples/${name}`);
          const topic = `korero/example/${Date.now()}`;
          await example.fill("#url", broker!.url("ws"));
          await example.fill("#filter", `${topic}/#`);
          await example.click("#connect");
          await example.waitForSelector("#publish:not([disabled])", { timeout: 10_000 });
          await example.fill("#topic", `${topic}/hello`);
          await example.fill("#payload", "<b>hello</b> from Chromium");
          await example.click("#publish");
          await example.waitForSelector("#messages li", { timeout: 10_000 });
          assert.equal(
            await example.textContent("#messages li"),
            `${topic}/hello (QoS 1): <b>hello</b> from Chromium`,
            withLog("the message the example shows"),
          );
          assert.match(await example.textContent("#status") ?? "", /^Connected to ws:\/\//);
          await example.click("#disconnect");
          await example.waitForSelector("#connect:not([disabled])", { timeout: 10_000 });
        } finally {
          await example.close();
        }
      },
    );
  }
});
