/**
 * One entry of the `servers` option: a broker's URL with TLS settings of its own (the other
 * options are shared by every server).
 *
 * @module
 */

/** One broker of the `servers` list, with TLS settings of its own. */
export interface ServerOptions {
  /** Its URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`, …). */
  url: string;
  /** PEM CA certificate(s) to trust for this server. */
  ca?: string | string[];
  /** PEM client certificate for this server. */
  cert?: string;
  /** PEM client key for this server. */
  key?: string;
  /** The name to verify this server's certificate against. */
  servername?: string;
  /** ALPN protocols to offer this server. */
  alpnProtocols?: string[];
  /** Do not check that this server's certificate names its host. */
  insecure?: boolean;
  /** false: accept any certificate from this server. */
  rejectUnauthorized?: boolean;
  /** The passphrase of this server's encrypted client key. */
  passphrase?: string;
}
