/**
 * The size of browser bundles of a small app, minified and gzip'd, as the npm build's `browser`
 * condition would ship them: `bench/bundle_app.ts` (connect, subscribe, publish QoS 1, read one
 * message, disconnect) with the full `MqttClient` (the default transport is
 * `src/transport/defaults/browser.ts`), and `bench/bundle_app_lite.ts`, the same app with
 * `LiteClient` from `@korero/mqtt/lite` (`src/lite/mod.ts`, WebSocket only). For each app it
 * prints the figures, then the bytes each folder and each input adds to the output, largest
 * first (`--top N`: the N largest inputs; `--top 0`: the figures only). `--metafile PATH` also
 * writes esbuild's metafiles, as `PATH` (the full client's app) and `PATH` with `.lite` before
 * its extension (the lite app's), for `esbuild --analyze`-style tools
 * (https://esbuild.github.io/analyze/).
 *
 *   deno run -A bench/bundle_size.ts [--check] [--top N] [--metafile PATH]
 *
 * `--check` exits with status 1 when the lite app's bundle is over {@link LIMIT_MINIFIED} bytes
 * minified or {@link LIMIT_GZIP} gzip'd (issue 9's bar; the full client's figure is printed for
 * information).
 *
 * @module
 */

import * as esbuild from "npm:esbuild@0.28.2";

/** The bar for the minified bundle, in bytes (issue 9). */
export const LIMIT_MINIFIED = 40 * 1024;
/** The bar for the gzip'd bundle, in bytes (issue 9). */
export const LIMIT_GZIP = 14 * 1024;

const root = new URL("../", import.meta.url);
const detect = new URL("src/transport/defaults/detect.ts", root).pathname;
const browser = new URL("src/transport/defaults/browser.ts", root).pathname;

/** Resolves the runtime-detecting default transport to the browser one, as the npm build does. */
const browserDefaults: esbuild.Plugin = {
  name: "browser-defaults",
  setup(build) {
    build.onResolve({ filter: /\/defaults\/detect\.ts$/ }, (args) => {
      const resolved = new URL(args.path, `file://${args.resolveDir}/`).pathname;
      return { path: resolved === detect ? browser : resolved };
    });
  },
};

/** The apps measured: the full client's, and the lite client's (which `--check` applies to). */
const APPS = [
  { name: "full client (MqttClient)", entry: "bench/bundle_app.ts", checked: false },
  { name: "lite client (LiteClient)", entry: "bench/bundle_app_lite.ts", checked: true },
] as const;

/**
 * Bundles `entry` (a path from the repository root); returns the minified code, the bytes per
 * input and esbuild's metafile.
 */
async function bundle(entry: string): Promise<
  { code: Uint8Array; inputs: [string, number][]; metafile: esbuild.Metafile }
> {
  const result = await esbuild.build({
    entryPoints: [new URL(entry, root).pathname],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    splitting: false,
    write: false,
    metafile: true,
    outfile: "bundle.js",
    logLevel: "error",
    plugins: [browserDefaults],
  });
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {}).map(([path, { bytesInOutput }]) =>
    [path, bytesInOutput] as [string, number]
  );
  inputs.sort((a, b) => b[1] - a[1]);
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"))?.contents;
  if (code === undefined) throw new Error("esbuild wrote no bundle.js");
  return { code, inputs, metafile: result.metafile };
}

/** The length of `bytes` gzip'd (CompressionStream's gzip, the default level). */
async function gzipLength(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The bytes of `inputs` summed per folder (`src/codec/`, …), largest first. */
function byFolder(inputs: [string, number][]): [string, number][] {
  const totals = new Map<string, number>();
  for (const [path, bytes] of inputs) {
    const folder = path.slice(0, path.lastIndexOf("/") + 1) || "./";
    totals.set(folder, (totals.get(folder) ?? 0) + bytes);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** `path` with `.lite` before its extension: `meta.json` → `meta.lite.json`. */
function liteSibling(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/")
    ? `${path.slice(0, dot)}.lite${path.slice(dot)}`
    : `${path}.lite`;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const topIndex = Deno.args.indexOf("--top");
  const top = topIndex >= 0 ? Number(Deno.args[topIndex + 1]) : Infinity;
  const metafileIndex = Deno.args.indexOf("--metafile");
  const metafilePath = metafileIndex >= 0 ? Deno.args[metafileIndex + 1] : undefined;
  try {
    for (const app of APPS) {
      const { code, inputs, metafile } = await bundle(app.entry);
      if (metafilePath !== undefined) {
        const path = app.checked ? liteSibling(metafilePath) : metafilePath;
        await Deno.writeTextFile(path, JSON.stringify(metafile));
      }
      const gzip = await gzipLength(code);
      console.log(
        `browser bundle, ${app.name}, ${app.entry}: ${kb(code.length)} KB minified, ` +
          `${kb(gzip)} KB gzip`,
      );
      const over = code.length > LIMIT_MINIFIED || gzip > LIMIT_GZIP;
      console.log(
        app.checked
          ? `  (bar: ${kb(LIMIT_MINIFIED)} KB minified, ${kb(LIMIT_GZIP)} KB gzip: ` +
            `${over ? "over" : "met"}; ${code.length} / ${gzip} of ${LIMIT_MINIFIED} / ` +
            `${LIMIT_GZIP} bytes)`
          : "  (for information; the bar applies to the lite client's app)",
      );
      if (top > 0) {
        console.log("by folder:");
        for (const [folder, bytes] of byFolder(inputs)) {
          console.log(`${String(bytes).padStart(8)}  ${folder}`);
        }
        console.log("by input:");
      }
      for (const [path, bytes] of inputs.slice(0, top)) {
        console.log(`${String(bytes).padStart(8)}  ${path}`);
      }
      if (check && app.checked && over) {
        console.error(`browser bundle of ${app.entry} is over the bar`);
        Deno.exitCode = 1;
      }
    }
  } finally {
    await esbuild.stop();
  }
}
