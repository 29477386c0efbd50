/**
 * {@link run}: a whole command line, from its words to its exit code: `pub`, `sub`, `req`,
 * `--help` and `--version`.
 *
 * @module
 */

import { parseArguments } from "./args.ts";
import type { Command } from "./config.ts";
import { FAILURE, SUCCESS } from "./exit_codes.ts";
import { usage, VERSION } from "./help.ts";
import type { ProcessOutput } from "./io.ts";
import { runPub } from "./pub.ts";
import { runReq } from "./req.ts";
import { runSub } from "./sub.ts";
import { UsageError } from "./usage_error.ts";

const COMMANDS: readonly Command[] = ["pub", "sub", "req"];

/** Runs the command line `args` (the command word first); resolves with the exit code. */
export async function run(args: readonly string[], output: ProcessOutput): Promise<number> {
  const [word, ...rest] = args;
  if (word === "--help" || word === "-h" || word === "help") {
    output.out(usage(undefined));
    return SUCCESS;
  }
  if (word === "--version") {
    output.out(`korero ${VERSION}\n`);
    return SUCCESS;
  }
  const command = COMMANDS.find((name) => name === word);
  if (command === undefined) {
    output.errAlways(
      `${
        word === undefined ? "Error: No command given." : `Error: Unknown command '${word}'.`
      }\n\n` +
        usage(undefined),
    );
    return FAILURE;
  }
  try {
    const parsed = parseArguments(command, rest);
    if (parsed.kind === "help") {
      output.out(usage(command));
      return SUCCESS;
    }
    if (parsed.kind === "version") {
      output.out(`korero ${command} ${VERSION}\n`);
      return SUCCESS;
    }
    output.quiet = parsed.config.quiet;
    const runner = command === "pub" ? runPub : command === "sub" ? runSub : runReq;
    return await runner(parsed.config, output);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.errAlways(`${error.message}\n\nUse 'korero ${command} --help' to see usage.\n`);
    return FAILURE;
  }
}
