/**
 * The `korero` command line: `pub`, `sub` and `req` with mosquitto_pub / mosquitto_sub /
 * mosquitto_rr's flags and exit codes, on the korero client.
 *
 * ```sh
 * deno run -A src/cli/main.ts pub -t hello -m world -q 1
 * bun src/cli/main.ts sub -t 'hello/#' -v -C 1
 * deno run -A src/cli/main.ts req -t service/echo -m ping -W 5
 * deno run -A src/cli/main.ts --help
 * ```
 *
 * @module
 */

import { commandLineArguments, exit, ProcessOutput } from "./io.ts";
import { run } from "./run.ts";

const output = new ProcessOutput();
let code: number;
try {
  code = await run(commandLineArguments(), output);
} catch (error) {
  output.errAlways(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
await exit(output, code);
