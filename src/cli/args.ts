/**
 * {@link parseArguments}: a command line read the way mosquitto_pub, mosquitto_sub and
 * mosquitto_rr 2.0 read theirs (`client_config_line_proc` and `client_config_load`): the same
 * flags, the same checks, the same error messages.
 *
 * @module
 */

import type { QoS } from "../codec/types.ts";
import { isValidTopicFilter, isValidTopicName } from "../topic.ts";
import { type Command, type Config, defaultConfig } from "./config.ts";
import { checkFormat } from "./format.ts";
import { atof, atoi, strtol } from "./numbers.ts";
import { PropertyArguments } from "./properties.ts";
import { UsageError } from "./usage_error.ts";
import { checkConfig } from "./config_checks.ts";
import { addTopic, readUrl } from "./topic_arguments.ts";

/** What a command line asks for: to run, or to show `--help` (`--version`). */
export type Parsed = { kind: "run"; config: Config } | { kind: "help" } | { kind: "version" };

import { UINT32_MAX } from "./config_checks.ts";
const encoder = new TextEncoder();

/**
 * mosquitto flags korero does not offer: accepted by name, then refused with this reason
 * (rather than ignored, which would connect differently than asked).
 */
const UNSUPPORTED: Record<string, { value: boolean; reason: string }> = {
  "--capath": { value: true, reason: "a CA directory is not supported: use --cafile" },
  "--ciphers": { value: true, reason: "choosing TLS ciphers is not supported" },
  "--tls-version": { value: true, reason: "choosing the TLS version is not supported" },
  "--tls-engine": { value: true, reason: "TLS engines are not supported" },
  "--keyform": { value: true, reason: "only PEM keys are supported" },
  "--tls-engine-kpass-sha1": { value: true, reason: "TLS engines are not supported" },
  "--psk": { value: true, reason: "TLS-PSK is not supported" },
  "--psk-identity": { value: true, reason: "TLS-PSK is not supported" },
};

/**
 * Reads `args` (without the command word) for `command`.
 *
 * @throws {UsageError} with mosquitto's message for anything mosquitto would refuse
 */
export function parseArguments(command: Command, args: readonly string[]): Parsed {
  const config = defaultConfig(command);
  const properties = new PropertyArguments();
  const pub = command === "pub";
  const sub = command === "sub";
  const req = command === "req";

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    /** The word after the flag, or the error mosquitto gives when there is none. */
    const next = (what: string, flag = arg): string => {
      if (i === args.length - 1) {
        throw new UsageError(`Error: ${flag} argument given but no ${what} specified.`);
      }
      return args[++i]!;
    };
    const unknown = () => new UsageError(`Error: Unknown option '${arg}'.`);
    const oneMessage = () => {
      if (config.publishMode !== "none") {
        throw new UsageError("Error: Only one type of message can be sent at once.");
      }
    };

    const unsupported = UNSUPPORTED[arg];
    if (unsupported !== undefined) {
      if (unsupported.value) next("value");
      throw new UsageError(`Error: ${arg}: ${unsupported.reason}.`);
    }

    switch (arg) {
      case "--cafile":
        config.cafile = next("file");
        break;
      case "--cert":
        config.cert = next("file");
        break;
      case "--key":
        config.key = next("file");
        break;
      case "--tls-use-os-certs":
        config.tlsUseOsCerts = true;
        break;
      case "--insecure":
        config.insecure = true;
        break;
      case "--tls-alpn":
        config.alpn = next("protocol");
        break;
      case "-A":
        config.bindAddress = next("address");
        break;
      case "--proxy":
        config.proxy = next("url");
        break;
      case "-S":
        config.srv = true;
        break;
      case "-C": {
        if (!sub) throw unknown();
        config.count = atoi(next("count"));
        if (config.count < 1) {
          throw new UsageError(`Error: Invalid message count "${config.count}".`);
        }
        break;
      }
      case "-c":
      case "--disable-clean-session":
        config.clean = false;
        break;
      case "-d":
      case "--debug":
        config.debug = true;
        break;
      case "-D":
      case "--property":
        i += properties.parse(args, i + 1);
        config.protocolVersion = 5;
        break;
      case "-e": {
        if (!req) throw unknown();
        const topic = next("response topic", "-e");
        if (!isValidTopicName(topic)) {
          throw new UsageError(
            `Error: Invalid response topic '${topic}', does it contain '+' or '#'?`,
          );
        }
        config.responseTopic = topic;
        break;
      }
      case "-E":
        if (!sub) throw unknown();
        config.exitAfterSubscribe = true;
        break;
      case "-f":
      case "--file":
        if (sub) throw unknown();
        oneMessage();
        config.file = next("file", "-f");
        config.publishMode = "file";
        break;
      case "-F":
        if (pub) throw unknown();
        config.format = next("format", "-F");
        checkFormat(config.format);
        break;
      case "--help":
        return { kind: "help" };
      case "--version":
        return { kind: "version" };
      case "-h":
      case "--host":
        config.host = next("host", "-h");
        break;
      case "-i":
      case "--id":
        if (config.clientIdPrefix !== undefined) {
          throw new UsageError("Error: -i and -I argument cannot be used together.");
        }
        config.clientId = next("id", "-i");
        break;
      case "-I":
      case "--id-prefix":
        if (config.clientId !== undefined) {
          throw new UsageError("Error: -i and -I argument cannot be used together.");
        }
        config.clientIdPrefix = next("id prefix", "-I");
        break;
      case "-k":
      case "--keepalive":
        config.keepalive = atoi(next("keepalive", "-k"));
        if (config.keepalive < 5 || config.keepalive > 65535) {
          throw new UsageError(
            "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.",
          );
        }
        break;
      case "-L":
      case "--url":
        readUrl(config, next("URL", "-L"));
        break;
      case "-l":
      case "--stdin-line":
        if (!pub) throw unknown();
        oneMessage();
        config.publishMode = "lines";
        break;
      case "-m":
      case "--message":
        if (sub) throw unknown();
        oneMessage();
        config.message = encoder.encode(next("message", "-m"));
        config.publishMode = "message";
        break;
      case "-M": {
        const inflight = atoi(next("max_inflight", "-M"));
        if (inflight < 1) {
          throw new UsageError("Error: Maximum inflight messages must be greater than 0.");
        }
        config.maxInflight = inflight;
        break;
      }
      case "--nodelay":
        break; // korero's TCP transports already send without delay
      case "-n":
      case "--null-message":
        if (sub) throw unknown();
        oneMessage();
        config.publishMode = "null";
        break;
      case "-N":
        if (pub) throw unknown();
        config.eol = false;
        break;
      case "-p":
      case "--port":
        config.port = atoi(next("port", "-p"));
        if (config.port < 0 || config.port > 65535) {
          throw new UsageError(`Error: Invalid port given: ${config.port}`);
        }
        break;
      case "--pretty":
        if (pub) throw unknown();
        config.pretty = true;
        break;
      case "-P":
      case "--pw":
        config.password = next("password", "-P");
        break;
      case "-q":
      case "--qos":
        config.qos = qos(atoi(next("QoS", "-q")), (n) => `Error: Invalid QoS given: ${n}`);
        break;
      case "--quiet":
        config.quiet = true;
        break;
      case "-r":
      case "--retain":
        if (!pub) throw unknown();
        config.retain = true;
        break;
      case "-R":
        if (pub) throw unknown();
        config.noRetained = true;
        break;
      case "--random-filter": {
        if (!sub) throw unknown();
        // A percentage, as mosquitto_sub's help says (mosquitto 2.0.11 itself takes a tenth of
        // it: its 50 prints 5 % of the messages, and its 100 only 10 %).
        const chance = atof(next("chance", "--random-filter"));
        if (!(chance >= 0.1 && chance <= 100)) {
          throw new UsageError("Error: --random-filter chance must be between 0.1-100.0");
        }
        config.randomFilter = Math.round(100 * chance);
        break;
      }
      case "--remove-retained":
        if (!sub) throw unknown();
        config.removeRetained = true;
        break;
      case "--repeat":
        if (!pub) throw unknown();
        config.repeat = atoi(next("count", "--repeat"));
        if (config.repeat < 1) throw new UsageError("Error: --repeat argument must be >0.");
        break;
      case "--repeat-delay":
        if (!pub) throw unknown();
        config.repeatDelay = atof(next("time", "--repeat-delay"));
        if (config.repeatDelay < 0) {
          throw new UsageError("Error: --repeat-delay argument must be >=0.0.");
        }
        break;
      case "--retain-as-published":
        if (pub) throw unknown();
        config.retainAsPublished = true;
        break;
      case "--retained-only":
        if (!sub) throw unknown();
        config.retainedOnly = true;
        break;
      case "-s":
      case "--stdin-file":
        if (sub) throw unknown();
        oneMessage();
        config.publishMode = "stdin";
        break;
      case "-t":
      case "--topic":
        addTopic(config, next("topic", "-t"), "-t");
        break;
      case "-T":
      case "--filter-out": {
        if (!sub) throw unknown();
        const filter = next("topic filter", "-T");
        if (!isValidTopicFilter(filter)) {
          throw new UsageError(
            `Error: Invalid filter topic '${filter}', are all '+' and '#' wildcards correct?`,
          );
        }
        config.filterOut.push(filter);
        break;
      }
      case "-U":
      case "--unsubscribe": {
        if (!sub) throw unknown();
        const filter = next("unsubscribe topic", "-U");
        if (!isValidTopicFilter(filter)) {
          throw new UsageError(
            `Error: Invalid unsubscribe topic '${filter}', are all '+' and '#' wildcards correct?`,
          );
        }
        config.unsubscribe.push(filter);
        break;
      }
      case "-u":
      case "--username":
        config.username = next("username", "-u");
        break;
      case "--unix":
        config.unixSocket = next("socket path", "--unix");
        config.port = 0;
        break;
      case "-V":
      case "--protocol-version": {
        const version = next("version", "--protocol-version");
        if (version === "mqttv31" || version === "31") config.protocolVersion = 3;
        else if (version === "mqttv311" || version === "311") config.protocolVersion = 4;
        else if (version === "mqttv5" || version === "5") config.protocolVersion = 5;
        else throw new UsageError("Error: Invalid protocol version argument given.");
        break;
      }
      case "-v":
      case "--verbose":
        if (pub) throw unknown();
        config.verbose = true;
        break;
      case "-W": {
        if (pub) throw unknown();
        const timeout = atoi(next("timeout", "-W"));
        if (timeout < 1) throw new UsageError(`Error: Invalid timeout "${timeout}".`);
        config.timeout = timeout;
        break;
      }
      case "--will-payload":
        config.willPayload = next("will payload", "--will-payload");
        break;
      case "--will-qos":
        config.willQos = qos(
          atoi(next("will QoS", "--will-qos")),
          (n) => `Error: Invalid will QoS ${n}.`,
        );
        break;
      case "--will-retain":
        config.willRetain = true;
        break;
      case "--will-topic": {
        const topic = next("will topic", "--will-topic");
        if (!isValidTopicName(topic)) {
          throw new UsageError(`Error: Invalid will topic '${topic}', does it contain '+' or '#'?`);
        }
        config.willTopic = topic;
        break;
      }
      case "-x":
        config.sessionExpiry = sessionExpiry(next("session expiry interval", "-x"));
        break;
      default:
        throw unknown();
    }
  }
  config.properties = properties.properties;
  checkConfig(config);
  return { kind: "run", config };
}

/** A QoS argument, or the error `message` gives for it. */
function qos(value: number, message: (value: number) => string): QoS {
  if (value !== 0 && value !== 1 && value !== 2) throw new UsageError(message(value));
  return value;
}

/** `-x`: seconds, -1 or "∞" for never. */
function sessionExpiry(text: string): number {
  if (text === "∞") return UINT32_MAX;
  const value = strtol(text);
  if (value === undefined) throw new UsageError("Error: session-expiry-interval not a number.");
  if (value > UINT32_MAX || value < -1) {
    throw new UsageError("Error: session-expiry-interval out of range.");
  }
  return value === -1 ? UINT32_MAX : value;
}
