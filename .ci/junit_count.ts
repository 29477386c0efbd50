/**
 * Counts the test cases of a `deno test --junit-path` report the way Bun counts them: every
 * leaf (a test without steps, or a step without steps of its own), passed or failed; skipped
 * ones are left out. Prints "<passed> <failed>".
 *
 *   deno run --allow-read .ci/junit_count.ts .tmp/deno-junit.xml
 */
const xml = await Deno.readTextFile(Deno.args[0]!);
const unescape = (s: string) =>
  s.replaceAll("&gt;", ">").replaceAll("&lt;", "<").replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
const cases: { name: string; failed: boolean; skipped: boolean }[] = [];
for (const match of xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
  const body = match[2]!;
  cases.push({
    name: unescape(match[1]!),
    failed: /<failure|<error/.test(body),
    skipped: /<skipped/.test(body),
  });
}
const parents = new Set<string>();
for (const { name } of cases) {
  const parts = name.split(" > ");
  for (let i = 1; i < parts.length; i++) parents.add(parts.slice(0, i).join(" > "));
}
let passed = 0;
let failed = 0;
for (const c of cases) {
  if (parents.has(c.name) || c.skipped) continue;
  if (c.failed) failed++;
  else passed++;
}
console.log(`${passed} ${failed}`);
