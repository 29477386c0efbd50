/**
 * {@link Config}: everything a command line asks for, as `args.ts` reads it (mosquitto's
 * `struct mosq_config`).
 *
 * @module
 */

import type { ProtocolVersion, QoS } from "../codec/types.ts";
import type { CommandProperties } from "./properties.ts";

/** The three commands: mosquitto_pub, mosquitto_sub and mosquitto_rr. */
export type Command = "pub" | "sub" | "req";

/** Where the message of `pub` / `req` comes from: `-m`, `-f`, `-s`, `-l`, `-n`, or not given. */
export type PublishMode = "none" | "message" | "file" | "stdin" | "lines" | "null";

/** A parsed command line. */
export interface Config {
  command: Command;
  /** `-h`, `-L`'s host, or `--unix`'s path; "localhost" when absent. */
  host: string;
  /** `-p` or `-L`'s port; undefined = 1883, or 8883 with `--cafile`. */
  port: number | undefined;
  /** `--unix`: connect to this socket path. */
  unixSocket: string | undefined;
  /** `-t` for `pub` / `req` (the one topic published to). */
  topic: string | undefined;
  /** `-t` for `sub` (every filter subscribed to). */
  topics: string[];
  /** `req -e`: the response topic. */
  responseTopic: string | undefined;
  publishMode: PublishMode;
  /** `-m`: the message. */
  message: Uint8Array | undefined;
  /** `-f`: the file whose bytes are the message. */
  file: string | undefined;
  qos: QoS;
  retain: boolean;
  clientId: string | undefined;
  clientIdPrefix: string | undefined;
  username: string | undefined;
  password: string | undefined;
  keepalive: number;
  protocolVersion: ProtocolVersion;
  clean: boolean;
  /** `-x`; -1 = not given. */
  sessionExpiry: number;
  debug: boolean;
  quiet: boolean;
  /** `-C`; 0 = unlimited. */
  count: number;
  /** `-W` in seconds; 0 = none. */
  timeout: number;
  verbose: boolean;
  /** Not `-N`: print a newline after each message. */
  eol: boolean;
  /** `-R`. */
  noRetained: boolean;
  retainedOnly: boolean;
  removeRetained: boolean;
  /** `-E`. */
  exitAfterSubscribe: boolean;
  retainAsPublished: boolean;
  /** `-T`. */
  filterOut: string[];
  /** `-U`. */
  unsubscribe: string[];
  /** `-F`. */
  format: string | undefined;
  pretty: boolean;
  /** `--random-filter`, in 1/10,000 (10,000 = print every message). */
  randomFilter: number;
  /** `--repeat`. */
  repeat: number;
  /** `--repeat-delay`, in seconds. */
  repeatDelay: number;
  /** `-M`. */
  maxInflight: number;
  willTopic: string | undefined;
  willPayload: string | undefined;
  willQos: QoS;
  willRetain: boolean;
  cafile: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  /** `--tls-use-os-certs` (or `-L mqtts://`): TLS trusting the runtime's roots. */
  tlsUseOsCerts: boolean;
  /** `--insecure`: do not check that the server certificate names the host. */
  insecure: boolean;
  /** `--tls-alpn`: the ALPN protocol to offer. */
  alpn: string | undefined;
  /** `-A`: the local address to connect from. */
  bindAddress: string | undefined;
  /** `--proxy socks5h://[user:password@]host:port` (or `http://…`). */
  proxy: string | undefined;
  /** `-S`: the brokers of the `-h` domain from its SRV records. */
  srv: boolean;
  /** `-D`, per packet. */
  properties: CommandProperties;
}

/** The defaults of `command` (mosquitto's `init_config`). */
export function defaultConfig(command: Command): Config {
  return {
    command,
    host: "localhost",
    port: undefined,
    unixSocket: undefined,
    topic: undefined,
    topics: [],
    responseTopic: undefined,
    publishMode: "none",
    message: undefined,
    file: undefined,
    qos: 0,
    retain: false,
    clientId: undefined,
    clientIdPrefix: undefined,
    username: undefined,
    password: undefined,
    keepalive: 60,
    protocolVersion: command === "req" ? 5 : 4,
    clean: true,
    sessionExpiry: -1,
    debug: false,
    quiet: false,
    count: command === "req" ? 1 : 0,
    timeout: 0,
    verbose: false,
    eol: true,
    noRetained: false,
    retainedOnly: false,
    removeRetained: false,
    exitAfterSubscribe: false,
    retainAsPublished: false,
    filterOut: [],
    unsubscribe: [],
    format: undefined,
    pretty: false,
    randomFilter: 10_000,
    repeat: 1,
    repeatDelay: 0,
    maxInflight: 20,
    willTopic: undefined,
    willPayload: undefined,
    willQos: 0,
    willRetain: false,
    cafile: undefined,
    cert: undefined,
    key: undefined,
    tlsUseOsCerts: false,
    insecure: false,
    alpn: undefined,
    bindAddress: undefined,
    proxy: undefined,
    srv: false,
    properties: {},
  };
}
