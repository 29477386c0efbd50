/**
 * One entry of the `servers` option: a broker's URL with TLS settings of its own (the other
 * options are shared by every server).
 *
 * @module
 */

import type { TlsOptions } from "../transport/types.ts";

/**
 * One broker of the `servers` list: its URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`, …) and any
 * of the TLS settings (`ca`, `cert`, `key`, `servername`, `alpnProtocols`, `insecure`,
 * `rejectUnauthorized`, `passphrase`, `minVersion`, `maxVersion`, `ciphers`), which override the
 * client's own for this server.
 *
 * @example
 * ```ts
 * import { MqttClient } from "@korero/mqtt";
 *
 * const client = new MqttClient({
 *   servers: [
 *     { url: "mqtts://primary.example:8883", servername: "mqtt.example", minVersion: "TLSv1.3" },
 *     "mqtts://backup.example:8883",
 *   ],
 *   clientId: "sensor-17",
 * });
 * ```
 */
export interface ServerOptions extends TlsOptions {
  /** Its URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`, …). */
  url: string;
}
