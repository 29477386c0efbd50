/**
 * The options of the one-shot helpers (`publish.ts`, `subscribe.ts`), in the shape of paho's
 * `paho.mqtt.publish` / `paho.mqtt.subscribe` parameters, and how they become a client's
 * options, a bounded lifetime (`timeout`, `signal`) and paho's refusal message.
 *
 * @module
 */

import type { QoS } from "../codec/types.ts";
import { connackString } from "../codec/paho.ts";
import { V3_CONNACK_TO_REASON_CODE } from "../codec/reason_codes.ts";
import { ConnectionRefusedError, TimeoutError } from "../errors.ts";
import { MqttClient } from "../client/client.ts";
import type { ClientOptions } from "../client/options.ts";
import type { Payload } from "../client/payload.ts";
import { describe } from "../format.ts";

/** A will, as paho's `will` dict. */
export interface OneShotWill {
  /** The will's topic. */
  topic: string;
  /** Its payload. */
  payload?: Payload;
  /**
   * Its QoS.
   * @default 0
   */
  qos?: QoS;
  /**
   * Whether it is retained.
   * @default false
   */
  retain?: boolean;
}

/** TLS settings, as paho's `tls` dict (`true`: TLS with the system's trust store). */
export interface OneShotTls {
  /** PEM CA certificate(s) to trust (paho's `ca_certs`, as text). */
  ca?: string | string[];
  /** PEM client certificate (paho's `certfile`, as text). */
  cert?: string;
  /** PEM client key (paho's `keyfile`, as text). */
  key?: string;
  /** The name to verify the server's certificate against. */
  servername?: string;
}

/** The connection settings every one-shot helper takes (paho's parameters, in TypeScript). */
export interface OneShotOptions {
  /** The broker's host name. @default "localhost" */
  hostname?: string;
  /** The broker's port. @default 1883 (8883 with `tls`, 80 / 443 over WebSockets) */
  port?: number;
  /**
   * The broker as a URL (korero's way; replaces `hostname`, `port` and `transport`, and its scheme
   * says whether TLS is used: a `tls` object still gives the certificates).
   */
  url?: string;
  /** The client identifier; "" lets the broker (or korero) choose one. @default "" */
  clientId?: string;
  /** Keepalive in seconds. @default 60 */
  keepalive?: number;
  /** A will the broker publishes if the connection is lost. */
  will?: OneShotWill;
  /** Credentials; a username is required. */
  auth?: { username: string; password?: string };
  /** TLS (`true`, or its settings). */
  tls?: true | OneShotTls;
  /** 3 (MQTT 3.1), 4 (3.1.1) or 5. @default 4 */
  protocolVersion?: 3 | 4 | 5;
  /** "tcp" or "websockets" (path /mqtt). @default "tcp" */
  transport?: "tcp" | "websockets";
  /** Any other client option (e.g. `properties`, `logger`, `transport` openers are refused). */
  client?: Omit<ClientOptions, "url" | "host" | "port">;
  /** Gives up (the promise rejects with the reason) when aborted. */
  signal?: AbortSignal;
  /** Gives up with a `TimeoutError` after this many milliseconds (0 = never). @default 0 */
  timeout?: number;
}

const NAMES: Record<keyof OneShotOptions, true> = {
  hostname: true,
  port: true,
  url: true,
  clientId: true,
  keepalive: true,
  will: true,
  auth: true,
  tls: true,
  protocolVersion: true,
  transport: true,
  client: true,
  signal: true,
  timeout: true,
};

/** The client options for `options`, checked (TypeError / RangeError naming the field). */
export function clientOptions(options: OneShotOptions, clean = true): ClientOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(key in NAMES)) throw new TypeError(`Unknown option ${describe(key)}`);
  }
  const o = options;
  const result: ClientOptions = { ...o.client, clean };
  if (o.url !== undefined) {
    result.url = o.url;
  } else {
    const tls = o.tls !== undefined;
    const ws = o.transport === "websockets";
    if (o.transport !== undefined && o.transport !== "tcp" && !ws) {
      throw new RangeError(
        `options.transport must be "tcp" or "websockets", got ${describe(o.transport)}`,
      );
    }
    const scheme = ws ? (tls ? "wss" : "ws") : (tls ? "mqtts" : "mqtt");
    const host = o.hostname ?? "localhost";
    if (typeof host !== "string" || host === "") {
      throw new TypeError(`options.hostname must be a non-empty string, got ${describe(host)}`);
    }
    const port = o.port ?? (ws ? (tls ? 443 : 80) : (tls ? 8883 : 1883));
    const hostPart = host.includes(":") ? `[${host}]` : host;
    result.url = `${scheme}://${hostPart}:${port}${ws ? "/mqtt" : ""}`;
  }
  // With a url too: its scheme says whether TLS is used, these say with which certificates.
  if (typeof o.tls === "object") {
    const { ca, cert, key, servername } = o.tls;
    if (ca !== undefined) result.ca = ca;
    if (cert !== undefined) result.cert = cert;
    if (key !== undefined) result.key = key;
    if (servername !== undefined) result.servername = servername;
  }
  result.clientId = o.clientId ?? "";
  result.keepalive = o.keepalive ?? 60;
  result.protocolVersion = o.protocolVersion ?? 4;
  if (result.clientId === "" && result.protocolVersion !== 5) delete result.clientId; // generated
  if (o.auth !== undefined) {
    if (typeof o.auth !== "object" || o.auth === null || typeof o.auth.username !== "string") {
      throw new TypeError("options.auth needs a username (a string), as paho's auth dict does");
    }
    result.username = o.auth.username;
    if (o.auth.password !== undefined) result.password = o.auth.password;
  }
  if (o.will !== undefined) {
    const will: NonNullable<ClientOptions["will"]> = { topic: o.will.topic };
    if (o.will.payload !== undefined) will.payload = o.will.payload;
    if (o.will.qos !== undefined) will.qos = o.will.qos;
    if (o.will.retain !== undefined) will.retain = o.will.retain;
    result.will = will;
  }
  return result;
}

/**
 * Runs `body` with a client connected for `options`, bounded by `options.timeout` and
 * `options.signal`, and disconnects it at the end whatever happens. A refused connection
 * rejects with `ConnectionRefusedError` whose message is paho's `connack_string`.
 */
export async function withClient<T>(
  options: OneShotOptions,
  clean: boolean,
  body: (client: MqttClient, stopped: Promise<never>) => Promise<T>,
): Promise<T> {
  const client = new MqttClient(clientOptions(options, clean));
  const timeout = options.timeout ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 2_147_483_647) {
    throw new RangeError(
      `options.timeout must be an integer of milliseconds ≥ 0, got ${describe(timeout)}`,
    );
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    if (timeout > 0) {
      timer = setTimeout(
        () => reject(new TimeoutError(`Gave up after the timeout of ${timeout} ms`)),
        timeout,
      );
    }
    if (signal !== undefined) {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  stopped.catch(() => {});
  try {
    try {
      await Promise.race([client.connect(), stopped]);
    } catch (error) {
      if (error instanceof ConnectionRefusedError) {
        const code = error.reasonCode;
        const version = client.protocolVersion;
        // Before MQTT 5 paho names the CONNACK's return code, which the error carries as a
        // reason code: map it back.
        const returned = version === 5 ? code : Number(
          Object.entries(V3_CONNACK_TO_REASON_CODE).find(([, reason]) => reason === code)?.[0] ??
            code,
        );
        throw new ConnectionRefusedError(connackString(returned, version), {
          reasonCode: code,
          reasonName: error.reasonName,
          cause: error,
        });
      }
      throw error;
    }
    return await Promise.race([body(client, stopped), stopped]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    await client.disconnect().catch(() => {});
  }
}
