/**
 * {@link openClient}: creates the client of a command and connects it, reporting a failure the
 * way mosquitto's clients do (its message on standard error, its exit code).
 *
 * @module
 */

import { MqttClient } from "../client/client.ts";
import type { ClientOptions } from "../client/options.ts";
import { connackString } from "../codec/paho.ts";
import { specName, V3_CONNACK_TO_REASON_CODE } from "../codec/reason_codes.ts";
import type { ProtocolVersion } from "../codec/types.ts";
import { ConnectionRefusedError } from "../errors.ts";
import { FAILURE } from "./exit_codes.ts";
import type { Output } from "./io.ts";
import type { Config } from "./config.ts";

/** A connected client, or the exit code of the failure (already reported). */
export type Opened = { client: MqttClient; code?: undefined } | {
  client?: undefined;
  code: number;
};

/** The MQTT 3.1.1 return code korero's `reasonCode` stands for. */
function v3ReturnCode(reasonCode: number): number {
  for (const [code, mapped] of Object.entries(V3_CONNACK_TO_REASON_CODE)) {
    if (mapped === reasonCode) return Number(code);
  }
  return FAILURE;
}

/** mosquitto's message for a refused connection. */
export function refusalMessage(code: number, protocolVersion: ProtocolVersion): string {
  if (protocolVersion === 5) {
    const name = specName(code, "connack");
    return code === 0x84
      ? `Connection error: ${name}. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.\n`
      : `Connection error: ${name}\n`;
  }
  return `Connection error: ${connackString(code, protocolVersion)}\n`;
}

/**
 * Creates the client (`prepare` sets its callbacks before it connects) and connects. A refused
 * connection exits with the CONNACK's code (mosquitto's `connack_result`), any other failure
 * with 1. `afterRefusal` gives what else mosquitto prints after a refusal (mosquitto_pub adds
 * its loop's error).
 */
export async function openClient(
  options: ClientOptions,
  output: Output,
  prepare: (client: MqttClient) => void,
  signal?: AbortSignal,
  afterRefusal?: (protocolVersion: ProtocolVersion) => string,
): Promise<Opened> {
  let client: MqttClient;
  try {
    client = new MqttClient(options);
  } catch (error) {
    output.err(`Error: ${(error as Error).message}\n`);
    return { code: FAILURE };
  }
  let refusedWith: number | undefined;
  prepare(client);
  const onConnect = client.onConnect;
  client.onConnect = (event) => {
    if (event.reasonCode !== 0) refusedWith = event.connack.reasonCode;
    onConnect?.(event);
  };
  try {
    await client.connect(signal === undefined ? {} : { signal });
    return { client };
  } catch (error) {
    if (signal?.aborted) return { code: FAILURE }; // the caller gave up and reports why
    const version = options.protocolVersion ?? 4;
    if (error instanceof ConnectionRefusedError) {
      const code = refusedWith ??
        (version === 5 ? error.reasonCode : v3ReturnCode(error.reasonCode));
      output.err(refusalMessage(code, version) + (afterRefusal?.(version) ?? ""));
      return { code };
    }
    output.err(`Error: ${(error as Error).message}\n`);
    return { code: FAILURE };
  }
}

/** Disconnects with the `-D disconnect` properties. */
export async function close(client: MqttClient, config: Config, reasonCode = 0): Promise<void> {
  const properties = config.protocolVersion === 5 ? config.properties.disconnect : undefined;
  try {
    await client.disconnect({
      ...(properties !== undefined ? { properties } : {}),
      ...(reasonCode !== 0 && config.protocolVersion === 5 ? { reasonCode } : {}),
    });
  } catch {
    // already gone: nothing left to close
  }
}
