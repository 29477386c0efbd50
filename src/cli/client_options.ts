/**
 * {@link clientOptions}: the korero client options a command line asks for (what mosquitto's
 * `client_opts_set` and `client_connect` set on libmosquitto), reading the TLS files.
 *
 * @module
 */

import { parseProxyUrl } from "../client/proxy_options.ts";
import { srvServers } from "../client/srv.ts";
import { readFileSync } from "node:fs";
import type { ClientOptions } from "../client/options.ts";
import type { Properties } from "../codec/types.ts";
import type { Config } from "./config.ts";
import { processId } from "./io.ts";
import { UsageError } from "./usage_error.ts";

/** What else a command wants of its client. */
export interface ClientNeeds {
  /** Reconnect after a lost connection (sub, and pub -l), as libmosquitto's loop does. */
  reconnect: boolean;
  /** Receives the client's log lines (`-d`). */
  logger?: (message: string) => void;
}

/** The PEM text of `path`, or mosquitto's error when it cannot be read. */
function pem(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new UsageError("Error: Problem setting TLS options: File not found.");
  }
}

/**
 * The options of the client for `config`.
 *
 * @throws {UsageError} when a TLS file cannot be read or two options say the same thing
 */
export async function clientOptions(
  config: Config,
  needs: ClientNeeds,
): Promise<ClientOptions> {
  const options: ClientOptions = {
    protocolVersion: config.protocolVersion,
    clean: config.clean,
    keepalive: config.keepalive,
    maxInflight: config.maxInflight,
    reconnect: needs.reconnect ? { minDelay: 1000, maxDelay: 30_000 } : false,
    // libmosquitto's order: an incoming QoS 2 message is handed over on PUBREL, so a QoS 2
    // message and a later QoS 0/1 one print in the order mosquitto_sub prints them.
    qos2Delivery: "pubrel",
  };
  if (config.unixSocket !== undefined) {
    options.unixSocket = config.unixSocket;
  } else if (config.srv) {
    // -S: the -h domain's SRV records say where (mosquitto's `connect_srv`).
    const tls = config.cafile !== undefined || config.tlsUseOsCerts;
    if (tls) options.tls = true;
    try {
      options.servers = await srvServers(config.host, { tls });
    } catch (error) {
      throw new UsageError(`Error: ${(error as Error).message}`);
    }
  } else {
    options.host = config.host;
    options.port = config.port ?? (config.cafile !== undefined ? 8883 : 1883);
    // libmosquitto turns TLS on for a CA file, for the OS's CAs, and for port 8883.
    if (config.cafile !== undefined || config.tlsUseOsCerts || config.port === 8883) {
      options.tls = true;
    }
  }
  if (config.cafile !== undefined) options.ca = pem(config.cafile);
  if (config.cert !== undefined) options.cert = pem(config.cert);
  if (config.key !== undefined) options.key = pem(config.key);
  if (config.insecure) options.insecure = true;
  if (config.alpn !== undefined) options.alpnProtocols = [config.alpn];
  if (config.bindAddress !== undefined) options.bindAddress = config.bindAddress;
  if (config.proxy !== undefined) options.proxy = parseProxyUrl(config.proxy, "--proxy");

  if (config.clientIdPrefix !== undefined) {
    options.clientId = `${config.clientIdPrefix}${processId()}`;
  } else if (config.clientId !== undefined) {
    options.clientId = config.clientId;
  }
  if (config.username !== undefined) options.username = config.username;
  if (config.password !== undefined) options.password = config.password;

  if (config.protocolVersion === 5) {
    const properties: Properties = { ...config.properties.connect };
    if (config.sessionExpiry > 0) {
      if (properties.sessionExpiryInterval !== undefined) {
        throw new UsageError(
          "Error in CONNECT properties: Duplicate property in property list",
        );
      }
      properties.sessionExpiryInterval = config.sessionExpiry;
    }
    if (Object.keys(properties).length > 0) options.properties = properties;
  }

  if (config.willTopic !== undefined) {
    options.will = {
      topic: config.willTopic,
      payload: config.willPayload ?? "",
      qos: config.willQos,
      retain: config.willRetain,
    };
    if (config.protocolVersion === 5 && config.properties.will !== undefined) {
      options.will.properties = config.properties.will;
    }
  }

  if (needs.logger !== undefined) {
    const logger = needs.logger;
    options.trace = true;
    options.logger = (_level, message) => logger(message);
  }
  return options;
}
