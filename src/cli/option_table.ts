/**
 * {@link OPTIONS}: every option of mosquitto_pub, mosquitto_sub and mosquitto_rr 2.0 as one table
 * — its names, the commands that take it, how it is read, and how it is stored in a
 * {@link Config}, with mosquitto's checks and error messages (`client_config_line_proc`). The
 * values' own checks are in `option_values.ts`; `args.ts` walks a command line with the table.
 *
 * @module
 */

import type { Command, Config } from "./config.ts";
import {
  count,
  filterOut,
  keepalive,
  maxInflight,
  port,
  qos,
  randomFilter,
  repeat,
  repeatDelay,
  responseTopic,
  sessionExpiry,
  timeout,
  unsubscribeFilter,
  version,
  willQos,
  willTopic,
} from "./option_values.ts";
import { checkFormat } from "./format_syntax.ts";
import { UsageError } from "./usage_error.ts";
import { addTopic, readUrl } from "./topic_arguments.ts";

/**
 * How an option is read: `flag` takes no value, `value` the next word, `property` `-D`'s words;
 * `help` and `version` end the reading.
 */
export type OptionKind = "flag" | "value" | "property" | "help" | "version";

/** One option of the table. */
export interface OptionSpec {
  /** Its names; the first is the one mosquitto's missing-value error names. */
  readonly names: readonly string[];
  /** The commands that take it; the others refuse it as an unknown option. */
  readonly commands: readonly Command[];
  readonly kind: OptionKind;
  /** What its value is called when it is missing ("file", "port", …); `value` options only. */
  readonly what?: string;
  /** A check made before the value is read (its error comes first, as in mosquitto). */
  readonly before?: (config: Config) => void;
  /** Stores the option and its value (checked) in `config`. */
  readonly store: (config: Config, value: string) => void;
}

const ALL: readonly Command[] = ["pub", "sub", "req"];
const PUB: readonly Command[] = ["pub"];
const SUB: readonly Command[] = ["sub"];
const REQ: readonly Command[] = ["req"];
/** The commands that send a message: mosquitto_pub and mosquitto_rr. */
const SENDERS: readonly Command[] = ["pub", "req"];
/** The commands that print messages: mosquitto_sub and mosquitto_rr. */
const PRINTERS: readonly Command[] = ["sub", "req"];

const encoder = new TextEncoder();

/** Every option, grouped by what it concerns; looked up by each of its names. */
export const OPTIONS: ReadonlyMap<string, OptionSpec> = byName([
  // Connecting
  value(["-h", "--host"], ALL, "host", (c, host) => c.host = host),
  value(["-p", "--port"], ALL, "port", (c, text) => c.port = port(text)),
  value(["-L", "--url"], ALL, "URL", readUrl),
  value(["--unix"], ALL, "socket path", (c, path) => {
    c.unixSocket = path;
    c.port = 0;
  }),
  flag(["-S"], ALL, (c) => c.srv = true),
  value(["-A"], ALL, "address", (c, address) => c.bindAddress = address),
  value(["--proxy"], ALL, "url", (c, url) => c.proxy = url),
  flag(["--nodelay"], ALL, () => {}), // korero's TCP transports already send without delay
  // The session
  value(["-i", "--id"], ALL, "id", (c, id) => c.clientId = id, (c) => {
    if (c.clientIdPrefix !== undefined) throw idAndPrefix();
  }),
  value(["-I", "--id-prefix"], ALL, "id prefix", (c, prefix) => c.clientIdPrefix = prefix, (c) => {
    if (c.clientId !== undefined) throw idAndPrefix();
  }),
  value(["-u", "--username"], ALL, "username", (c, username) => c.username = username),
  value(["-P", "--pw"], ALL, "password", (c, password) => c.password = password),
  value(["-k", "--keepalive"], ALL, "keepalive", (c, text) => c.keepalive = keepalive(text)),
  flag(["-c", "--disable-clean-session"], ALL, (c) => c.clean = false),
  value(["-x"], ALL, "session expiry interval", (c, t) => c.sessionExpiry = sessionExpiry(t)),
  // mosquitto names the long form when the value is missing.
  value(["--protocol-version", "-V"], ALL, "version", (c, v) => c.protocolVersion = version(v)),
  value(["-M"], ALL, "max_inflight", (c, text) => c.maxInflight = maxInflight(text)),
  {
    names: ["-D", "--property"],
    commands: ALL,
    kind: "property",
    store: (c) => c.protocolVersion = 5,
  },
  // Topics and messages
  value(["-t", "--topic"], ALL, "topic", (c, topic) => addTopic(c, topic, "-t")),
  value(["-q", "--qos"], ALL, "QoS", (c, text) => c.qos = qos(text)),
  flag(["-r", "--retain"], PUB, (c) => c.retain = true),
  value(["-m", "--message"], SENDERS, "message", (c, message) => {
    c.message = encoder.encode(message);
    c.publishMode = "message";
  }, oneMessage),
  value(["-f", "--file"], SENDERS, "file", (c, file) => {
    c.file = file;
    c.publishMode = "file";
  }, oneMessage),
  flag(["-s", "--stdin-file"], SENDERS, (c) => c.publishMode = "stdin", oneMessage),
  flag(["-l", "--stdin-line"], PUB, (c) => c.publishMode = "lines", oneMessage),
  flag(["-n", "--null-message"], SENDERS, (c) => c.publishMode = "null", oneMessage),
  value(["--repeat"], PUB, "count", (c, text) => c.repeat = repeat(text)),
  value(["--repeat-delay"], PUB, "time", (c, text) => c.repeatDelay = repeatDelay(text)),
  value(["-e"], REQ, "response topic", (c, topic) => c.responseTopic = responseTopic(topic)),
  // Subscribing and printing
  value(["-C"], SUB, "count", (c, text) => c.count = count(text)),
  flag(["-E"], SUB, (c) => c.exitAfterSubscribe = true),
  value(["-T", "--filter-out"], SUB, "topic filter", (c, f) => c.filterOut.push(filterOut(f))),
  value(["-U", "--unsubscribe"], SUB, "unsubscribe topic", (c, filter) => {
    c.unsubscribe.push(unsubscribeFilter(filter));
  }),
  value(["--random-filter"], SUB, "chance", (c, text) => c.randomFilter = randomFilter(text)),
  flag(["--remove-retained"], SUB, (c) => c.removeRetained = true),
  flag(["--retained-only"], SUB, (c) => c.retainedOnly = true),
  flag(["-R"], PRINTERS, (c) => c.noRetained = true),
  flag(["--retain-as-published"], PRINTERS, (c) => c.retainAsPublished = true),
  value(["-W"], PRINTERS, "timeout", (c, text) => c.timeout = timeout(text)),
  flag(["-v", "--verbose"], PRINTERS, (c) => c.verbose = true),
  value(["-F"], PRINTERS, "format", (c, format) => {
    c.format = format;
    checkFormat(format);
  }),
  flag(["-N"], PRINTERS, (c) => c.eol = false),
  flag(["--pretty"], PRINTERS, (c) => c.pretty = true),
  // Output
  flag(["-d", "--debug"], ALL, (c) => c.debug = true),
  flag(["--quiet"], ALL, (c) => c.quiet = true),
  { names: ["--help"], commands: ALL, kind: "help", store: () => {} },
  { names: ["--version"], commands: ALL, kind: "version", store: () => {} },
  // The will
  value(["--will-topic"], ALL, "will topic", (c, topic) => c.willTopic = willTopic(topic)),
  value(["--will-payload"], ALL, "will payload", (c, payload) => c.willPayload = payload),
  value(["--will-qos"], ALL, "will QoS", (c, text) => c.willQos = willQos(text)),
  flag(["--will-retain"], ALL, (c) => c.willRetain = true),
  // TLS
  value(["--cafile"], ALL, "file", (c, file) => c.cafile = file),
  value(["--cert"], ALL, "file", (c, file) => c.cert = file),
  value(["--key"], ALL, "file", (c, file) => c.key = file),
  flag(["--tls-use-os-certs"], ALL, (c) => c.tlsUseOsCerts = true),
  flag(["--insecure"], ALL, (c) => c.insecure = true),
  value(["--tls-alpn"], ALL, "protocol", (c, protocol) => c.alpn = protocol),
  // mosquitto flags korero does not offer: read with their value, then refused (rather than
  // ignored, which would connect differently than asked).
  unsupported("--capath", "a CA directory is not supported: use --cafile"),
  unsupported("--ciphers", "choosing TLS ciphers is not supported"),
  unsupported("--tls-version", "choosing the TLS version is not supported"),
  unsupported("--tls-engine", "TLS engines are not supported"),
  unsupported("--keyform", "only PEM keys are supported"),
  unsupported("--tls-engine-kpass-sha1", "TLS engines are not supported"),
  unsupported("--psk", "TLS-PSK is not supported"),
  unsupported("--psk-identity", "TLS-PSK is not supported"),
]);

/** An option without a value. */
function flag(
  names: readonly string[],
  commands: readonly Command[],
  store: (config: Config) => unknown,
  before?: (config: Config) => void,
): OptionSpec {
  return before === undefined
    ? { names, commands, kind: "flag", store }
    : { names, commands, kind: "flag", store, before };
}

/** An option with one value, called `what` when it is missing. */
function value(
  names: readonly string[],
  commands: readonly Command[],
  what: string,
  store: (config: Config, value: string) => unknown,
  before?: (config: Config) => void,
): OptionSpec {
  return before === undefined
    ? { names, commands, kind: "value", what, store }
    : { names, commands, kind: "value", what, store, before };
}

/** A mosquitto option korero refuses, with `reason`, once its value was read. */
function unsupported(name: string, reason: string): OptionSpec {
  return value([name], ALL, "value", () => {
    throw new UsageError(`Error: ${name}: ${reason}.`);
  });
}

/** `-m`, `-f`, `-s`, `-l` and `-n` exclude one another. */
function oneMessage(config: Config): void {
  if (config.publishMode !== "none") {
    throw new UsageError("Error: Only one type of message can be sent at once.");
  }
}

function idAndPrefix(): UsageError {
  return new UsageError("Error: -i and -I argument cannot be used together.");
}

function byName(specs: readonly OptionSpec[]): ReadonlyMap<string, OptionSpec> {
  const table = new Map<string, OptionSpec>();
  for (const spec of specs) for (const name of spec.names) table.set(name, spec);
  return table;
}
