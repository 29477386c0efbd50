/**
 * Builds worker scripts with esbuild the way wrangler does and runs them in workerd through
 * miniflare, for the Workers tests (run on Node by `.ci/test-workers`). esbuild and miniflare
 * come from the tools directory (`KORERO_TOOLS`, default `~/.cache/korero-tools`), loaded by
 * path, so that Deno can type-check these files without them: the few types used are declared.
 *
 * Two builds of korero: `source` (mod.ts, with `src/transport/defaults/detect.ts` mapped to
 * `workerd.ts`, as the npm build's `workerd` condition does) and `package` (the npm package
 * `.ci/pack` installed into `.tmp/npm-project`, resolved with the `workerd` condition; `mod.ts`
 * is `@korero/mqtt` there and `src/lite/mod.ts` is `@korero/mqtt/lite`). The
 * package is used when it is installed, unless `KORERO_WORKERS_BUILD=source`.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The compatibility date the workers run with (no compatibility flags: no `nodejs_compat`). */
export const COMPATIBILITY_DATE = "2026-04-01";

const TOOLS = process.env.KORERO_TOOLS ?? join(homedir(), ".cache/korero-tools");
const PACKAGE_PROJECT = join(ROOT, ".tmp/npm-project");
const PACKAGE_DIR = join(PACKAGE_PROJECT, "node_modules/@korero/mqtt");

/** Where korero comes from in a worker bundle. */
export type BuildMode = "source" | "package";

/** The build used: `package` when `.ci/pack` installed it (and it was not turned off). */
export const BUILD_MODE: BuildMode = process.env.KORERO_WORKERS_BUILD === "source"
  ? "source"
  : process.env.KORERO_WORKERS_BUILD === "package" || existsSync(join(PACKAGE_DIR, "package.json"))
  ? "package"
  : "source";

// --- the parts of esbuild's API used here ---

interface OnResolveArgs {
  path: string;
  importer: string;
  resolveDir: string;
  kind: string;
  pluginData?: unknown;
}
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: OnResolveArgs) => Promise<{ path: string } | undefined>,
  ): void;
  resolve(
    path: string,
    options: { kind: string; resolveDir: string; pluginData?: unknown },
  ): Promise<{ path: string; errors: { text: string }[] }>;
}
interface Plugin {
  name: string;
  setup(build: PluginBuild): void;
}
interface BuildResult {
  outputFiles: { text: string }[];
  metafile: { inputs: Record<string, unknown> };
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<BuildResult>;
}

// --- the parts of miniflare's API used here ---

/** A WebSocket as miniflare's `dispatchFetch` hands it back. */
export interface MiniflareWebSocket {
  accept(): void;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "message",
    listener: (event: { data: string | ArrayBuffer }) => void,
  ): void;
  addEventListener(type: "close", listener: (event: { code: number }) => void): void;
}
/** A response from a worker. */
export interface WorkerResponse {
  readonly status: number;
  readonly webSocket: MiniflareWebSocket | null;
  text(): Promise<string>;
}
/** A running worker. */
export interface Worker {
  dispatchFetch(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<WorkerResponse>;
  dispose(): Promise<void>;
}
type MiniflareModule = { Miniflare: new (options: Record<string, unknown>) => Worker };

const tools = createRequire(join(TOOLS, "package.json"));

async function load<T>(name: string): Promise<T> {
  let path: string;
  try {
    path = tools.resolve(name);
  } catch (cause) {
    throw new Error(`The Workers tests need "${name}" installed in ${TOOLS} (see .ci/run)`, {
      cause,
    });
  }
  return await import(path) as T;
}

/** A bundled worker: its code and the source files it holds (esbuild's metafile inputs). */
export interface Bundle {
  code: string;
  inputs: string[];
}

/**
 * Maps korero's runtime-detecting default transport to the workerd one (source mode), or
 * `mod.ts` and `src/lite/mod.ts` to the npm package's `.` and `./lite` (package mode).
 */
function koreroPlugin(mode: BuildMode): Plugin {
  const detect = join(ROOT, "src/transport/defaults/detect.ts");
  const workerd = join(ROOT, "src/transport/defaults/workerd.ts");
  const entries = new Map([
    [join(ROOT, "mod.ts"), "@korero/mqtt"],
    [join(ROOT, "src/lite/mod.ts"), "@korero/mqtt/lite"],
  ]);
  return {
    name: "korero-for-workerd",
    setup(build) {
      build.onResolve({ filter: /(defaults\/detect|\/mod)\.ts$/ }, async (args) => {
        if (args.pluginData === "korero") return undefined;
        const { kind, resolveDir } = args;
        const resolved = await build.resolve(args.path, { kind, resolveDir, pluginData: "korero" });
        if (mode === "source") return resolved.path === detect ? { path: workerd } : resolved;
        const specifier = entries.get(resolved.path);
        if (specifier === undefined) return resolved;
        const pkg = await build.resolve(specifier, { kind, resolveDir: PACKAGE_PROJECT });
        if (pkg.errors.length > 0) throw new Error(pkg.errors.map((e) => e.text).join("\n"));
        return { path: pkg.path };
      });
    },
  };
}

/**
 * Bundles `entry` (a path from the repository root) for workerd as wrangler does: ESM, the
 * `workerd,worker,browser` conditions, `cloudflare:*` external.
 */
export async function bundleWorker(entry: string, mode: BuildMode = BUILD_MODE): Promise<Bundle> {
  const esbuild = await load<Esbuild>("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    write: false,
    metafile: true,
    outfile: "worker.js",
    logLevel: "error",
    plugins: [koreroPlugin(mode)],
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

/** Transpiles one TypeScript file to JavaScript, its `.ts` imports renamed `.js` (no bundling). */
export async function transpile(path: string): Promise<string> {
  const esbuild = await load<Esbuild>("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(ROOT, path)],
    bundle: false,
    format: "esm",
    target: "es2022",
    write: false,
    outfile: "out.js",
    logLevel: "error",
  });
  return result.outputFiles[0]!.text.replace(/(from |import\()"(\.[^"]+)\.ts"/g, '$1"$2.js"');
}

/** How a worker is started. */
export interface WorkerOptions {
  /** Trust the test CA for outgoing TLS (workerd's network service `trustedCertificates`). */
  trustTestCa?: boolean;
  /** The worker's variables (its `env`). */
  bindings?: Record<string, string>;
}

/** Starts one ES module, or several (the first is the main one), in workerd. */
export async function startWorker(
  modules: string | { path: string; contents: string }[],
  options: WorkerOptions = {},
): Promise<Worker> {
  const { Miniflare } = await load<MiniflareModule>("miniflare");
  const list = typeof modules === "string" ? [{ path: "worker.js", contents: modules }] : modules;
  const ca = readFileSync(join(ROOT, "tests/_helpers/certs/ca.pem"), "utf8");
  return new Miniflare({
    modules: list.map(({ path, contents }) => ({ type: "ESModule", path, contents })),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: [],
    bindings: options.bindings ?? {},
    ...(options.trustTestCa && {
      outboundService: {
        network: { allow: ["public", "private"], tlsOptions: { trustedCertificates: [ca] } },
      },
    }),
  });
}
