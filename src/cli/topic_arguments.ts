/**
 * The arguments that name a topic, read as mosquitto's clients read them: `-t` ({@link addTopic})
 * and `-L`'s URL ({@link readUrl}).
 *
 * @module
 */

import type { Config } from "./config.ts";
import { isValidTopicFilter, isValidTopicName } from "../topic.ts";
import { atoi } from "./numbers.ts";
import { UsageError } from "./usage_error.ts";

/** `-t` (or `-L`'s topic): the topic of `pub` / `req`, or one more filter of `sub`. */
export function addTopic(config: Config, topic: string, flag: string): void {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(topic)) {
    throw new UsageError(`Error: Malformed UTF-8 in ${flag} argument.`);
  }
  if (config.command === "sub") {
    if (!isValidTopicFilter(topic)) {
      throw new UsageError(
        `Error: Invalid subscription topic '${topic}', are all '+' and '#' wildcards correct?`,
      );
    }
    config.topics.push(topic);
  } else {
    if (!isValidTopicName(topic)) {
      throw new UsageError(`Error: Invalid publish topic '${topic}', does it contain '+' or '#'?`);
    }
    config.topic = topic;
  }
}

/** `-L mqtt(s)://[username[:password]@]host[:port]/topic`, read as mosquitto reads it. */
export function readUrl(config: Config, url: string): void {
  let rest: string;
  if (/^mqtt:\/\//i.test(url)) {
    rest = url.slice(7);
    config.port = 1883;
  } else if (/^mqtts:\/\//i.test(url)) {
    rest = url.slice(8);
    config.port = 8883;
    config.tlsUseOsCerts = true;
  } else {
    throw new UsageError("Error: unsupported URL scheme.");
  }
  const slash = rest.indexOf("/");
  if (slash === -1) {
    throw new UsageError("Error: Invalid URL for -L argument specified - topic missing.");
  }
  addTopic(config, rest.slice(slash + 1), "-L topic");
  let authority = rest.slice(0, slash);
  const at = authority.indexOf("@");
  if (at !== -1) {
    const credentials = authority.slice(0, at);
    const colon = credentials.indexOf(":");
    if (colon !== -1) {
      config.password = credentials.slice(colon + 1);
      config.username = credentials.slice(0, colon);
    } else {
      config.username = credentials;
    }
    authority = authority.slice(at + 1);
  }
  const colon = authority.indexOf(":");
  if (colon !== -1) {
    config.port = atoi(authority.slice(colon + 1));
    authority = authority.slice(0, colon);
  }
  config.host = authority;
}
