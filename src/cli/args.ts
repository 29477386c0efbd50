/**
 * {@link parseArguments}: a command line read the way mosquitto_pub, mosquitto_sub and
 * mosquitto_rr 2.0 read theirs (`client_config_line_proc` and `client_config_load`): the same
 * flags, the same checks, the same error messages. The options are the table of
 * `option_table.ts`; this walks the words with it.
 *
 * @module
 */

import { type Command, type Config, defaultConfig } from "./config.ts";
import { checkConfig } from "./config_checks.ts";
import { OPTIONS } from "./option_table.ts";
import { PropertyArguments } from "./properties.ts";
import { UsageError } from "./usage_error.ts";

/** What a command line asks for: to run, or to show `--help` (`--version`). */
export type Parsed = { kind: "run"; config: Config } | { kind: "help" } | { kind: "version" };

/**
 * Reads `args` (without the command word) for `command`.
 *
 * @throws {UsageError} with mosquitto's message for anything mosquitto would refuse
 */
export function parseArguments(command: Command, args: readonly string[]): Parsed {
  const config = defaultConfig(command);
  const properties = new PropertyArguments();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const option = OPTIONS.get(arg);
    if (option === undefined || !option.commands.includes(command)) {
      throw new UsageError(`Error: Unknown option '${arg}'.`);
    }
    switch (option.kind) {
      case "help":
      case "version":
        return { kind: option.kind };
      case "property":
        i += properties.parse(args, i + 1);
        option.store(config, "");
        break;
      case "flag":
        option.before?.(config);
        option.store(config, "");
        break;
      case "value": {
        option.before?.(config);
        if (i === args.length - 1) {
          const flag = option.names[0];
          throw new UsageError(`Error: ${flag} argument given but no ${option.what} specified.`);
        }
        option.store(config, args[++i]!);
        break;
      }
    }
  }
  config.properties = properties.properties;
  checkConfig(config);
  return { kind: "run", config };
}
