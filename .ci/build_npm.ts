/**
 * Builds the npm package into `dist/npm/`: ESM JavaScript and `.d.ts` files compiled from the
 * same sources JSR publishes, a `package.json` with the same name and version as `deno.json`,
 * the README and the LICENSE.
 *
 * The JavaScript is bundled by esbuild: one file per export (and per default transport), their
 * shared code in `chunks/`, each runtime adapter in a chunk of its own that only its runtime
 * loads. `import "@korero/mqtt"` then loads ~20 files instead of ~120 (Node 22: 86 → 42 ms,
 * Node 24: 152 → 53 ms on the 2-core VM). The types stay one `.d.ts` per source file (tsc).
 *
 * The runtime's default transport is chosen by the package's `imports` map (subpath imports with
 * export conditions): `#default-transport` resolves to `src/transport/defaults/<runtime>.js` for
 * the `workerd`, `browser`, `bun`, `deno` and `node` conditions, and to the run-time detection
 * for any other host. So a browser or Workers bundle never contains the Deno, Bun or Node
 * adapters, and no code sniffs the runtime where a bundler already knows it.
 *
 * ```sh
 * deno task build:npm            # then: npm pack dist/npm
 * ```
 *
 * @module
 */

import ts from "npm:typescript@5.9.3";
import * as esbuild from "npm:esbuild@0.28.2";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "npm");
const deno = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));

/** The import the client makes for its default transport, and what the build maps it to. */
const DETECT = join(root, "src/transport/defaults/detect.ts");
const DEFAULT_TRANSPORT = "#default-transport";
/** A relative specifier ending in `.ts`, in quotes. */
const RELATIVE_TS = /(["'])(\.{1,2}\/[^"']*?)\.ts\1/g;
const CONDITIONS = ["workerd", "browser", "bun", "deno", "node"] as const;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const program = ts.createProgram({
  rootNames: ["mod.ts", ...sources("src")].map((path) => join(root, path)),
  options: {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
    strict: true,
    declaration: true,
    emitDeclarationOnly: true,
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    // The sources are type-checked by `deno check` (and by `tsc --strict` in .ci/pack); the
    // emit needs no second check, and Deno's and Node's ambient types are not loaded here.
    noCheck: true,
    rootDir: root,
    outDir: out,
    newLine: ts.NewLineKind.LineFeed,
  },
});
const emitted = program.emit(undefined, (fileName, text) => {
  // Declaration emit keeps the sources' `.ts` specifiers; the package ships `.d.ts` beside `.js`.
  text = text.replace(RELATIVE_TS, "$1$2.js$1");
  mkdirSync(dirname(fileName), { recursive: true });
  writeFileSync(fileName, text);
});
const problems = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics)
  .filter((d) => d.category === ts.DiagnosticCategory.Error);
if (problems.length > 0 || emitted.emitSkipped) {
  console.error(ts.formatDiagnostics(problems, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  }));
  Deno.exit(1);
}

/** The client's import of the run-time detection becomes the package's `#default-transport`. */
const defaultTransport: esbuild.Plugin = {
  name: "default-transport",
  setup(build) {
    let seen = false;
    build.onResolve({ filter: /\/defaults\/detect\.ts$/ }, (args) => {
      if (args.kind === "entry-point" || join(args.resolveDir, args.path) !== DETECT) return;
      seen = true;
      return { path: DEFAULT_TRANSPORT, external: true };
    });
    build.onEnd(() => {
      if (!seen) throw new Error(`nothing imports ${relative(root, DETECT)} any more`);
    });
  },
};
const exported = Object.values(deno.exports as Record<string, string>);
const defaultTransports = [...CONDITIONS, "detect"].map((name) =>
  `./src/transport/defaults/${name}.ts`
);
const bundled = await esbuild.build({
  entryPoints: [...exported, ...defaultTransports].map((path) => join(root, path)),
  outbase: root,
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  chunkNames: "chunks/[name]-[hash]",
  external: ["node:*", "cloudflare:*"],
  plugins: [defaultTransport],
  logLevel: "warning",
  write: false,
});
for (const file of bundled.outputFiles) {
  let text = file.text;
  // The command line runs as the package's `korero` bin.
  if (relative(out, file.path) === join("src", "cli", "main.js")) {
    text = `#!/usr/bin/env node\n${text}`;
  }
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
}
esbuild.stop();

/** `./src/codec/mod.ts` → `{ types: "./src/codec/mod.d.ts", default: "./src/codec/mod.js" }`. */
function entry(path: string) {
  const base = path.replace(/\.ts$/, "");
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

const defaults = (name: string) => `./src/transport/defaults/${name}.js`;
const pkg = {
  name: deno.name,
  version: deno.version,
  description: "An MQTT 3.1, 3.1.1 and 5.0 client with no dependencies, native on Node, Deno, " +
    "Bun, browsers and Cloudflare Workers.",
  keywords: ["mqtt", "mqtt5", "iot", "client", "deno", "bun", "cloudflare-workers", "websocket"],
  license: "MIT",
  type: "module",
  sideEffects: false,
  engines: { node: ">=20.16" },
  bin: { korero: "./src/cli/main.js" },
  exports: Object.fromEntries(
    Object.entries(deno.exports as Record<string, string>).map(([key, path]) => [key, entry(path)]),
  ),
  imports: {
    [DEFAULT_TRANSPORT]: {
      ...Object.fromEntries(CONDITIONS.map((condition) => [condition, defaults(condition)])),
      default: defaults("detect"),
    },
  },
};
writeFileSync(join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(out, "README.md"));
copyFileSync(join(root, "LICENSE"), join(out, "LICENSE"));

const files = readdirSync(out, { recursive: true }).length;
console.log(`built ${pkg.name}@${pkg.version} into ${relative(root, out)}/ (${files} entries)`);
