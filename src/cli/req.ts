/**
 * `korero req`: MQTT 5 request/response with plain publish and subscribe (mosquitto_rr, with
 * correlation data): subscribes to the response topic, publishes the request naming it and
 * carrying correlation data, prints the first message on the response topic that carries the
 * same correlation data, and exits.
 *
 * @module
 */

import type { Message } from "../client/message.ts";
import { specName } from "../codec/reason_codes.ts";
import type { Properties } from "../codec/types.ts";
import { topicMatches } from "../topic.ts";
import { clientOptions } from "./client_options.ts";
import type { Config } from "./config.ts";
import { close, openClient } from "./connection.ts";
import { ConnectionClosedError } from "../errors.ts";
import { BEFORE_CONNACK, CONNECTION_LOST, FAILURE, SUCCESS, TIMED_OUT } from "./exit_codes.ts";
import { formatMessage, printSettings } from "./format.ts";
import { onInterrupt, type Output, readStdin } from "./io.ts";
import { readFileSync } from "node:fs";
import { wallTime } from "./strftime.ts";
import { Finish } from "./finish.ts";
import { UsageError } from "./usage_error.ts";

/** DISCONNECT "with will message" (0x04), as mosquitto_rr leaves on a timeout. */
const WITH_WILL = 0x04;

/** `bytes` in lower-case hex. */
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether two byte arrays hold the same bytes. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** The request's payload: `-m`, `-f`, `-s` or `-n`. */
async function requestPayload(config: Config): Promise<Uint8Array> {
  switch (config.publishMode) {
    case "message":
      return config.message!;
    case "file":
      try {
        return new Uint8Array(readFileSync(config.file!));
      } catch {
        throw new UsageError(`Error loading input file "${config.file}".`);
      }
    case "stdin":
      return await readStdin();
    default:
      return new Uint8Array(0);
  }
}

/** Runs `korero req` for `config`; resolves with the exit code. */
export async function runReq(config: Config, output: Output): Promise<number> {
  if (config.topic === undefined || config.publishMode === "none") {
    throw new UsageError("Error: Both topic and message must be supplied.");
  }
  if (config.protocolVersion !== 5) {
    throw new UsageError(
      "Error: req needs MQTT 5 (-V 5): MQTT 3.1/3.1.1 messages carry no response topic or " +
        "correlation data.",
    );
  }
  const payload = await requestPayload(config);
  const given = config.properties.publish ?? {};
  if (given.responseTopic !== undefined && config.responseTopic !== undefined) {
    throw new UsageError("Error in PUBLISH properties: Duplicate response topic.");
  }
  const correlationData = given.correlationData ??
    crypto.getRandomValues(new Uint8Array(16));
  const settings = printSettings(config);
  const finish = new Finish();
  let connected = false;
  let responseTopic = config.responseTopic ?? given.responseTopic;
  const connecting = new AbortController();
  const timer = config.timeout > 0
    ? setTimeout(() => {
      if (!connected) connecting.abort();
      output.err("Timed out\n");
      finish.end(connected ? TIMED_OUT : BEFORE_CONNACK, WITH_WILL);
    }, config.timeout * 1000)
    : undefined;
  const stopListening = onInterrupt(() => {
    if (!connected) connecting.abort();
    finish.end(connected ? SUCCESS : BEFORE_CONNACK, WITH_WILL);
  });

  const handle = (message: Message) => {
    if (!finish.running || responseTopic === undefined) return;
    if (!topicMatches(responseTopic, message.topic)) return;
    if (!sameBytes(message.properties?.correlationData, correlationData)) {
      if (config.debug) {
        output.out(`Ignored a message on ${message.topic} without our correlation data\n`);
      }
      return;
    }
    if (message.retain && config.noRetained) return;
    output.out(formatMessage(settings, message, wallTime(), (text) => output.err(text)));
    finish.end(SUCCESS);
  };

  try {
    const options = await clientOptions(config, {
      reconnect: false,
      ...(config.debug ? { logger: (line: string) => output.out(`${line}\n`) } : {}),
    });
    /** The connection ended before the response came: mosquitto_rr's MOSQ_ERR_CONN_LOST. */
    const lost = () => {
      if (!finish.running) return;
      output.err("Error: The connection was lost.\n");
      finish.end(CONNECTION_LOST);
    };
    const opened = await openClient(options, output, (client) => {
      client.onMessage = ({ message }) => handle(message);
      client.onDisconnect = () => lost();
    }, connecting.signal);
    if (opened.client === undefined) return finish.result?.code ?? opened.code;
    connected = true;
    const client = opened.client;
    responseTopic ??= `${client.clientId}/responses/${
      hex(crypto.getRandomValues(new Uint8Array(8)))
    }`;
    const work = (async () => {
      const granted = await client.subscribe(responseTopic, {
        qos: config.qos,
        ...(config.properties.subscribe !== undefined
          ? { properties: config.properties.subscribe }
          : {}),
      });
      const code = granted.reasonCodes[0] ?? 0x80;
      if (code >= 0x80) {
        output.err(`${specName(code, "suback")}\n`);
        return finish.end(FAILURE);
      }
      const properties: Properties = { ...given, responseTopic, correlationData };
      await client.publish(config.topic!, payload, { qos: config.qos, properties });
    })();
    work.catch((error) => {
      if (error instanceof ConnectionClosedError) return lost();
      if (!finish.running) return;
      output.err(`Error: ${(error as Error).message}\n`);
      finish.end(FAILURE);
    });
    await finish.done;
    await close(client, config, finish.result!.reasonCode);
    return finish.result!.code;
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}
