/**
 * `korero pub`: mosquitto_pub. Publishes `-m`, `-f`, `-s` or `-n` (`--repeat` times), or each
 * line of standard input (`-l`), then disconnects.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { PublishOptions } from "../client/call_options.ts";
import { ConnectionClosedError, MqttError } from "../errors.ts";
import { clientOptions } from "./client_options.ts";
import type { Config } from "./config.ts";
import { close, openClient } from "./connection.ts";
import { CONNECTION_LOST, FAILURE, SUCCESS } from "./exit_codes.ts";
import { type Output, readStdin, stdinLines } from "./io.ts";
import { UsageError } from "./usage_error.ts";

/** The payload of `-m`, `-f`, `-s` or `-n` (undefined for `-l`, read as it comes). */
async function loadPayload(config: Config): Promise<Uint8Array | undefined> {
  switch (config.publishMode) {
    case "message":
      return config.message;
    case "null":
      return new Uint8Array(0);
    case "file":
      try {
        return new Uint8Array(readFileSync(config.file!));
      } catch {
        throw new UsageError(`Error loading input file "${config.file}".`);
      }
    case "stdin":
      try {
        return await readStdin();
      } catch {
        throw new UsageError("Error loading input from stdin.");
      }
    default:
      return undefined;
  }
}

/** Runs `korero pub` for `config`; resolves with the exit code. */
export async function runPub(config: Config, output: Output): Promise<number> {
  if (config.topic === undefined || config.publishMode === "none") {
    throw new UsageError("Error: Both topic and message must be supplied.");
  }
  const payload = await loadPayload(config);
  const lines = config.publishMode === "lines";
  const options = await clientOptions(config, {
    reconnect: lines,
    ...(config.debug ? { logger: (line: string) => output.out(`${line}\n`) } : {}),
  });
  if (lines) options.queueQoS0Offline = true;
  const opened = await openClient(options, output, () => {}, undefined, (version) =>
    // mosquitto_pub's loop then ends with this error too (MOSQ_ERR_CONN_REFUSED, or on MQTT 5
    // MOSQ_ERR_PROTOCOL) and prints it.
    version === 5
      ? "Error: A network protocol error occurred when communicating with the broker.\n"
      : "Error: The connection was refused.\n");
  if (opened.client === undefined) return opened.code;
  const client = opened.client;

  const publishOptions: PublishOptions = { qos: config.qos, retain: config.retain };
  if (config.protocolVersion === 5 && config.properties.publish !== undefined) {
    publishOptions.properties = config.properties.publish;
  }
  let code = SUCCESS;
  /** Reports a failed publish as mosquitto does; a lost connection ends the program. */
  const failed = (error: unknown) => {
    if (error instanceof ConnectionClosedError) {
      if (code === SUCCESS) output.err("Error: The connection was lost.\n");
      code = CONNECTION_LOST;
    } else if (error instanceof MqttError) {
      output.err(`Warning: Publish failed: ${error.message}.\n`);
    } else {
      output.err(`Error: ${(error as Error).message}\n`);
      code = FAILURE;
    }
  };
  const publish = (bytes: Uint8Array): Promise<void> =>
    client.publish(config.topic!, bytes, publishOptions).then(() => {}, failed);

  if (lines) {
    const sent: Promise<void>[] = [];
    for await (const line of stdinLines()) {
      if (code !== SUCCESS) break;
      sent.push(publish(line));
    }
    await Promise.all(sent);
  } else {
    for (let round = 0; round < config.repeat && code === SUCCESS; round++) {
      if (round > 0 && config.repeatDelay > 0) await delay(config.repeatDelay * 1000);
      await publish(payload!);
    }
  }
  await close(client, config);
  return code;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
