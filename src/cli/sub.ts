/**
 * `korero sub`: mosquitto_sub. Subscribes to every `-t` filter and prints each message until
 * `-C` messages were printed, `-W` seconds passed, `--retained-only` met a live message, `-E`
 * saw the SUBACK, or SIGINT / SIGTERM.
 *
 * @module
 */

import type { MqttClient } from "../client/client.ts";
import type { SubscribeOptions } from "../client/call_options.ts";
import type { Message } from "../client/message.ts";
import { specName } from "../codec/reason_codes.ts";
import { topicMatches } from "../topic.ts";
import { clientOptions } from "./client_options.ts";
import type { Config } from "./config.ts";
import { close, openClient } from "./connection.ts";
import { BEFORE_CONNACK, SUCCESS, TIMED_OUT } from "./exit_codes.ts";
import { formatMessage, printSettings } from "./format.ts";
import { Finish } from "./finish.ts";
import { onInterrupt, type Output } from "./io.ts";
import { wallTime } from "./strftime.ts";

/** DISCONNECT "with will message" (0x04): how mosquitto_sub leaves on a signal or timeout. */
const WITH_WILL = 0x04;

/** Runs `korero sub` for `config`; resolves with the exit code. */
export async function runSub(config: Config, output: Output): Promise<number> {
  const finish = new Finish();
  const settings = printSettings(config);
  const removals: Promise<unknown>[] = [];
  let counted = 0; // messages handled, for -C (printed or not, as mosquitto counts)
  let connected = false;
  const connecting = new AbortController();
  const timer = config.timeout > 0
    ? setTimeout(() => {
      if (!connected) connecting.abort();
      output.err("Timed out\n");
      finish.end(connected ? TIMED_OUT : BEFORE_CONNACK, WITH_WILL);
    }, config.timeout * 1000)
    : undefined;
  output.onBroken = () => finish.end(SUCCESS);
  const stopListening = onInterrupt(() => {
    if (!connected) connecting.abort();
    finish.end(connected ? SUCCESS : BEFORE_CONNACK, WITH_WILL);
  });

  const handle = (client: MqttClient, message: Message) => {
    if (!finish.running) return;
    if (config.retainedOnly && !message.retain) return finish.end(SUCCESS);
    if (message.retain && config.noRetained) return;
    if (config.filterOut.some((filter) => topicMatches(filter, message.topic))) return;
    if (config.removeRetained && message.retain) {
      removals.push(
        client.publish(message.topic, null, { qos: 1, retain: true }).catch(() => {}),
      );
    }
    if (config.randomFilter >= 10_000 || Math.random() * 10_000 < config.randomFilter) {
      output.out(formatMessage(settings, message, wallTime(), (text) => output.err(text)));
    }
    if (config.count > 0 && ++counted === config.count) finish.end(SUCCESS);
  };

  try {
    const options = await clientOptions(config, {
      reconnect: true,
      ...(config.debug ? { logger: (line: string) => output.out(`${line}\n`) } : {}),
    });
    const opened = await openClient(options, output, (client) => {
      client.onMessage = ({ message }) => handle(client, message);
    }, connecting.signal);
    if (opened.client === undefined) return finish.result?.code ?? opened.code;
    connected = true;
    const client = opened.client;
    if (!finish.running) {
      await close(client, config, finish.result!.reasonCode);
      return finish.result!.code;
    }
    void subscribe(client, config, output, finish);
    await finish.done;
    await Promise.all(removals);
    await close(client, config, finish.result!.reasonCode);
    return finish.result!.code;
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

/** Subscribes (then `-U` unsubscribes) as mosquitto_sub's on-connect callback does. */
async function subscribe(
  client: MqttClient,
  config: Config,
  output: Output,
  finish: Finish,
): Promise<void> {
  const options: SubscribeOptions = { qos: config.qos };
  if (config.protocolVersion === 5) {
    if (config.noRetained) options.retainHandling = 2;
    if (config.retainAsPublished) options.retainAsPublished = true;
    if (config.properties.subscribe !== undefined) {
      options.properties = config.properties.subscribe;
    }
  }
  try {
    const result = await client.subscribe(config.topics, options);
    if (config.debug && !config.quiet) {
      output.out(`Subscribed (mid: ${result.mid}): ${result.reasonCodes.join(", ")}\n`);
    }
    if (result.reasonCodes.every((code) => code >= 0x80)) {
      output.err("All subscription requests were denied.\n");
      if (config.debug) {
        output.err(`(${result.reasonCodes.map((code) => specName(code, "suback")).join(", ")})\n`);
      }
      return finish.end(SUCCESS);
    }
    if (config.exitAfterSubscribe) return finish.end(SUCCESS);
    const unsubscribeOptions = config.protocolVersion === 5 &&
        config.properties.unsubscribe !== undefined
      ? { properties: config.properties.unsubscribe }
      : {};
    for (const filter of config.unsubscribe) {
      await client.unsubscribe(filter, unsubscribeOptions);
    }
  } catch (error) {
    if (!finish.running) return;
    output.err(`Error: ${(error as Error).message}\n`);
    finish.end(1);
  }
}
