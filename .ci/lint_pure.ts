/**
 * Fails when the pure layers (src/codec/, src/session/) mention a runtime global, a clock,
 * randomness, asynchrony (`Promise`, `queueMicrotask`) or `crypto` / `globalThis`, or when
 * anything in src/ writes to the console (logging goes through `onLog`; a doc comment's line, as
 * in an `@example`, writes nothing).
 * Run with `deno task lint:pure`.
 */
const PURE_DIRS = ["src/codec", "src/session", "src/broker/core"];
const FORBIDDEN =
  /\b(Deno|Bun|process|setTimeout|setInterval|Date\.now|performance|Math\.random|queueMicrotask|Promise|crypto|globalThis)\b/;

const NO_CONSOLE = /\bconsole\./;
/** A line of a doc comment (`/** … *\/`), e.g. of an `@example`. */
const DOC_LINE = /^\s*\*(?!\/)/;

let failures = 0;
let files = 0;
for await (const path of walk("src")) {
  const lines = (await Deno.readTextFile(path)).split("\n");
  lines.forEach((line, index) => {
    if (NO_CONSOLE.test(line) && !DOC_LINE.test(line)) {
      failures++;
      console.error(`${path}:${index + 1}: no console in src/ (use the logger)`);
    }
  });
}
for (const dir of PURE_DIRS) {
  for await (const path of walk(dir)) {
    files++;
    const lines = (await Deno.readTextFile(path)).split("\n");
    lines.forEach((line, index) => {
      const match = FORBIDDEN.exec(line);
      if (match) {
        failures++;
        console.error(`${path}:${index + 1}: "${match[0]}" is not allowed in a pure layer`);
      }
    });
  }
}
if (failures > 0) Deno.exit(1);
console.log(
  `lint:pure: no console in src/; ${files} files in ${
    PURE_DIRS.join(", ")
  } are free of runtime globals`,
);

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}
