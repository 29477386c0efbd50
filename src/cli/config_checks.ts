/**
 * {@link checkConfig}: the checks mosquitto's clients make once every argument is read
 * (`client_config_load`), with their error messages.
 *
 * @module
 */

import type { Config } from "./config.ts";
import { UsageError } from "./usage_error.ts";

/** The largest Session Expiry Interval: "never expires". */
export const UINT32_MAX = 0xffff_ffff;

/** Throws the error mosquitto gives for a command line whose arguments do not fit together. */
/** The checks mosquitto makes once every argument is read (`client_config_load`). */
export function checkConfig(config: Config): void {
  if (config.willPayload !== undefined && config.willTopic === undefined) {
    throw new UsageError("Error: Will payload given, but no will topic given.");
  }
  if (config.willRetain && config.willTopic === undefined) {
    throw new UsageError("Error: Will retain given, but no will topic given.");
  }
  if ((config.cert === undefined) !== (config.key === undefined)) {
    throw new UsageError(
      "Error: Both certfile and keyfile must be provided if one of them is set.",
    );
  }
  const noFixedId = config.clientIdPrefix !== undefined || config.clientId === undefined;
  if (config.protocolVersion === 5) {
    if (!config.clean && config.sessionExpiry === -1) config.sessionExpiry = UINT32_MAX;
    if (config.sessionExpiry === UINT32_MAX && noFixedId) {
      throw new UsageError(
        "Error: You must provide a client id if you are using an infinite session expiry " +
          "interval.",
      );
    }
  } else if (!config.clean && noFixedId) {
    throw new UsageError("Error: You must provide a client id if you are using the -c option.");
  }
  if (config.command === "sub" && config.topics.length === 0) {
    throw new UsageError("Error: You must specify a topic to subscribe to.");
  }
}
