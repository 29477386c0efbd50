/**
 * The values of single options, read and checked as mosquitto's clients do: numbers in their
 * range, topics and filters, QoS, protocol version and session expiry — each returns the value
 * to store or throws {@link UsageError} with mosquitto's message.
 *
 * @module
 */

import type { ProtocolVersion, QoS } from "../codec/types.ts";
import { isValidTopicFilter, isValidTopicName } from "../topic.ts";
import { UINT32_MAX } from "./config_checks.ts";
import { atof, atoi, strtol } from "./numbers.ts";
import { UsageError } from "./usage_error.ts";

/** `-p`: 0 to 65535. */
export function port(text: string): number {
  const port = atoi(text);
  if (port < 0 || port > 65535) throw new UsageError(`Error: Invalid port given: ${port}`);
  return port;
}

/** `-k`: 5 to 65535 seconds. */
export function keepalive(text: string): number {
  const keepalive = atoi(text);
  if (keepalive < 5 || keepalive > 65535) {
    throw new UsageError(
      "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.",
    );
  }
  return keepalive;
}

/** `-M`: at least 1. */
export function maxInflight(text: string): number {
  const inflight = atoi(text);
  if (inflight < 1) {
    throw new UsageError("Error: Maximum inflight messages must be greater than 0.");
  }
  return inflight;
}

/** `-V`: mosquitto's names of the three versions. */
export function version(text: string): ProtocolVersion {
  if (text === "mqttv31" || text === "31") return 3;
  if (text === "mqttv311" || text === "311") return 4;
  if (text === "mqttv5" || text === "5") return 5;
  throw new UsageError("Error: Invalid protocol version argument given.");
}

/** `-x`: seconds, -1 or "∞" for never. */
export function sessionExpiry(text: string): number {
  if (text === "∞") return UINT32_MAX;
  const value = strtol(text);
  if (value === undefined) throw new UsageError("Error: session-expiry-interval not a number.");
  if (value > UINT32_MAX || value < -1) {
    throw new UsageError("Error: session-expiry-interval out of range.");
  }
  return value === -1 ? UINT32_MAX : value;
}

/** `-q`: 0, 1 or 2. */
export function qos(text: string): QoS {
  return checkQos(atoi(text), `Error: Invalid QoS given: `, "");
}

/** `--will-qos`: 0, 1 or 2. */
export function willQos(text: string): QoS {
  return checkQos(atoi(text), `Error: Invalid will QoS `, ".");
}

function checkQos(value: number, before: string, after: string): QoS {
  if (value !== 0 && value !== 1 && value !== 2) throw new UsageError(before + value + after);
  return value;
}

/** `--repeat`: at least once. */
export function repeat(text: string): number {
  const repeat = atoi(text);
  if (repeat < 1) throw new UsageError("Error: --repeat argument must be >0.");
  return repeat;
}

/** `--repeat-delay`: seconds, not negative. */
export function repeatDelay(text: string): number {
  const delay = atof(text);
  if (delay < 0) throw new UsageError("Error: --repeat-delay argument must be >=0.0.");
  return delay;
}

/** `-e`: a topic name. */
export function responseTopic(topic: string): string {
  if (!isValidTopicName(topic)) {
    throw new UsageError(`Error: Invalid response topic '${topic}', does it contain '+' or '#'?`);
  }
  return topic;
}

/** `--will-topic`: a topic name. */
export function willTopic(topic: string): string {
  if (!isValidTopicName(topic)) {
    throw new UsageError(`Error: Invalid will topic '${topic}', does it contain '+' or '#'?`);
  }
  return topic;
}

/** `-C`: at least one message. */
export function count(text: string): number {
  const count = atoi(text);
  if (count < 1) throw new UsageError(`Error: Invalid message count "${count}".`);
  return count;
}

/** `-W`: at least one second. */
export function timeout(text: string): number {
  const timeout = atoi(text);
  if (timeout < 1) throw new UsageError(`Error: Invalid timeout "${timeout}".`);
  return timeout;
}

/** `-T`: a topic filter. */
export function filterOut(filter: string): string {
  if (!isValidTopicFilter(filter)) {
    throw new UsageError(
      `Error: Invalid filter topic '${filter}', are all '+' and '#' wildcards correct?`,
    );
  }
  return filter;
}

/** `-U`: a topic filter. */
export function unsubscribeFilter(filter: string): string {
  if (!isValidTopicFilter(filter)) {
    throw new UsageError(
      `Error: Invalid unsubscribe topic '${filter}', are all '+' and '#' wildcards correct?`,
    );
  }
  return filter;
}

/**
 * `--random-filter`: a percentage from 0.1 to 100, kept in hundredths. (As mosquitto_sub's help
 * says; mosquitto 2.0.11 itself takes a tenth of it: its 50 prints 5 % of the messages, and its
 * 100 only 10 %.)
 */
export function randomFilter(text: string): number {
  const chance = atof(text);
  if (!(chance >= 0.1 && chance <= 100)) {
    throw new UsageError("Error: --random-filter chance must be between 0.1-100.0");
  }
  return Math.round(100 * chance);
}
