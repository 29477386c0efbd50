/**
 * The korero command line's arguments: `--help` lists every flag, and a command line mosquitto
 * refuses is refused with mosquitto's message and exit code (no broker needed).
 */

import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { parseArguments } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { finished, it, killAll, korero, mosquitto, succeeds } from "./_cli.ts";

/** The first line of `text` that is not blank. */
const firstLine = (text: string) => text.split("\n").find((line) => line.trim() !== "");

/** The flags of issue 10 each `--help` must list. */
const COMMON = [
  "-h",
  "-p",
  "-L",
  "-i",
  "-I",
  "-u",
  "-P",
  "-k",
  "-V",
  "-c",
  "-d",
  "-x",
  "-D",
  "--will-topic",
  "--will-payload",
  "--will-qos",
  "--will-retain",
  "--cafile",
  "--cert",
  "--key",
  "--insecure",
  "--tls-use-os-certs",
  "--quiet",
  "--help",
];
const FLAGS: Record<string, string[]> = {
  pub: [...COMMON, "-t", "-m", "-f", "-l", "-n", "-s", "-q", "-r", "--repeat"],
  sub: [
    ...COMMON,
    "-t",
    "-q",
    "-C",
    "-W",
    "-v",
    "-N",
    "-R",
    "-T",
    "-U",
    "-E",
    "-F",
    "--retained-only",
    "--remove-retained",
    "--pretty",
  ],
  req: [...COMMON, "-t", "-m", "-f", "-n", "-s", "-e", "-q", "-W", "-v", "-N", "-F"],
};
const FIELDS = ["%t", "%p", "%q", "%r", "%l", "%U", "%I", "%x", "%j", "%J", "%P", "\\n", "\\t"];

/** Command lines mosquitto_pub / mosquitto_sub refuse before connecting. */
const REFUSED: [tool: "pub" | "sub", args: string[]][] = [
  ["pub", ["-t", "a", "-m", "b", "-q", "3"]],
  ["pub", ["-t", "a", "-m", "b", "-z"]],
  ["pub", ["-t", "a"]],
  ["pub", ["-t", "a/#", "-m", "b"]],
  ["pub", ["-t", "a", "-m", "b", "-n"]],
  ["pub", ["-t", "a", "-m", "b", "-c"]],
  ["pub", ["-t", "a", "-m", "b", "-k", "2"]],
  ["pub", ["-t", "a", "-m", "b", "-V", "4"]],
  ["pub", ["-t", "a", "-m", "b", "-D", "publish", "bogus-property", "1"]],
  ["pub", ["-t", "a", "-m", "b", "-D", "connect", "content-type", "x"]],
  ["pub", ["-t", "a", "-m", "b", "-D", "publish", "user-property", "k"]],
  ["pub", ["-t", "a", "-m", "b", "--will-payload", "x"]],
  ["pub", ["-t", "a", "-m", "b", "--cert", "c.pem"]],
  ["pub", ["-t", "a", "-m", "b", "-C", "1"]],
  ["sub", ["-t", "a/#/b"]],
  ["sub", ["-t", "a", "-C", "0"]],
  ["sub", ["-t", "a", "-W", "0"]],
  ["sub", ["-t", "a", "-F", "%z"]],
  ["sub", ["-t", "a", "-F", "abc\\q"]],
  ["sub", ["-t", "a", "-F", "%"]],
  ["sub", ["-t", "a", "-m", "x"]],
  ["sub", []],
  ["sub", ["-t", "a", "-x", "soon"]],
  ["sub", ["-t", "a", "-V", "5", "-c"]],
  ["sub", ["-t", "a", "-i", "x", "-I", "y"]],
];

describe("korero command line arguments", () => {
  after(() => killAll());

  it("--help lists the flags of each command and exits 0", async () => {
    for (const command of ["pub", "sub", "req"]) {
      const help = await succeeds(korero([command, "--help"]));
      for (const flag of FLAGS[command]!) {
        assert.match(
          help.text,
          new RegExp(`(^|[\\s\\[{,(])${flag.replace(/-/g, "\\-")}\\b`, "m"),
          `${command} --help lacks ${flag}`,
        );
      }
      if (command !== "pub") {
        for (const field of FIELDS) assert.ok(help.text.includes(field), field);
      }
    }
    const top = await succeeds(korero(["--help"]));
    for (const command of ["pub", "sub", "req"]) {
      assert.match(top.text, new RegExp(`korero ${command}`));
    }
    const none = await finished(korero([]));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No command given/);
  });

  it("refuses what mosquitto_pub / mosquitto_sub refuse, with their message (checked in-process)", async () => {
    const outcomes = await Promise.all(
      REFUSED.map(async ([tool, args]) => ({
        tool,
        args,
        theirs: await finished(mosquitto(tool, args)),
      })),
    );
    for (const { tool, args, theirs } of outcomes) {
      const what = `${tool} ${args.join(" ")}`;
      assert.equal(theirs.code, 1, `mosquitto_${what}`);
      let message: string | undefined;
      try {
        const parsed = parseArguments(tool, args);
        // Arguments that parse can still lack a message (pub), found when the command runs.
        if (parsed.kind === "run" && parsed.config.publishMode === "none") {
          message = "Error: Both topic and message must be supplied.";
        }
      } catch (error) {
        assert.ok(error instanceof UsageError, `${what}: ${error}`);
        message = error.message;
      }
      assert.equal(message, firstLine(theirs.stderr), what);
    }
  });

  it("a refused command line exits 1 with mosquitto's message and the hint to see --help", async () => {
    const cases = REFUSED.filter((_, index) => index % 8 === 0);
    const outcomes = await Promise.all(
      cases.map(async ([tool, args]) => ({
        tool,
        args,
        mine: await finished(korero([tool, ...args])),
        theirs: await finished(mosquitto(tool, args)),
      })),
    );
    for (const { tool, args, mine, theirs } of outcomes) {
      const what = `${tool} ${args.join(" ")}`;
      assert.equal(mine.code, 1, `${what}: ${mine.stderr}`);
      assert.equal(firstLine(mine.stderr), firstLine(theirs.stderr), what);
      assert.match(mine.stderr, new RegExp(`Use 'korero ${tool} --help' to see usage`), what);
    }
  });

  it("flags korero does not offer are refused by name (exit 1), not ignored", async () => {
    const proxy = await finished(korero(["sub", "-t", "a", "--proxy", "ftp://proxy.example"]));
    assert.equal(proxy.code, 1);
    assert.match(proxy.stderr, /--proxy must be socks5:\/\/ or http:\/\//);
    const unsupported = [
      ["--capath", /CA directory/],
      ["--ciphers", /choosing TLS ciphers/],
      ["--tls-version", /choosing the TLS version/],
      ["--tls-engine", /TLS engines/],
      ["--keyform", /only PEM keys/],
      ["--psk", /TLS-PSK/],
      ["--psk-identity", /TLS-PSK/],
    ] as const;
    for (const [flag, reason] of unsupported) {
      for (const command of ["pub", "sub"] as const) {
        const args = command === "pub" ? ["-t", "a", "-m", "b"] : ["-t", "a"];
        assert.throws(
          () => parseArguments(command, [...args, flag, "x"]),
          (error: unknown) =>
            error instanceof UsageError &&
            error.message.startsWith(`Error: ${flag}: `) && reason.test(error.message),
          `${command} ${flag}`,
        );
      }
    }
    // The command exits 1 with that error, before connecting (there is no broker here).
    const refused = await Promise.all(
      unsupported.map(([flag]) => finished(korero(["pub", "-t", "a", "-m", "b", flag, "x"]))),
    );
    for (const [index, outcome] of refused.entries()) {
      const [flag, reason] = unsupported[index]!;
      assert.equal(outcome.code, 1, flag);
      assert.match(
        firstLine(outcome.stderr)!,
        new RegExp(`^Error: ${flag}: .*${reason.source}.*\\.$`),
      );
    }
    // -S looks the -h domain's brokers up in DNS; a domain without SRV records is an error.
    const srv = await finished(
      korero(["pub", "-S", "-h", "korero-missing.invalid", "-t", "a", "-m", "b"]),
    );
    assert.equal(srv.code, 1);
    assert.match(srv.stderr, /No MQTT brokers found for korero-missing\.invalid/);
  });
});
