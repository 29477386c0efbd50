/**
 * The options of `startBroker`: where it listens, the limits it announces, and its hooks.
 *
 * @module
 */

import type { AuthRequest, AuthResult, LogLevel } from "./core/types.ts";
import type { BrokerLimits } from "./core/limits.ts";

/**
 * Decides whether a client may connect: `true` accepts; `false` refuses with "bad user name or
 * password" (MQTT 5 0x86, 3.1.1 return code 4); a number ≥ 0x80 refuses with that MQTT 5
 * CONNACK reason code (e.g. 0x87 Not authorized, 0x85 Client Identifier not valid). May return
 * a promise; a hook that throws or rejects refuses with 0x80.
 */
export type AuthHook = (request: AuthRequest) => AuthResult | Promise<AuthResult>;

/** Receives the broker's log lines (connections, refusals, protocol errors, drops). */
export type BrokerLogHook = (level: LogLevel, message: string) => void;

/** Options of `startBroker`; the limits are announced to MQTT 5 clients in CONNACK. */
export interface BrokerOptions extends BrokerLimits {
  /**
   * The host name or address the TCP (and WebSocket) listener binds.
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * The TCP port; 0 = a free one (read it from `broker.port`).
   * @default 1883
   */
  port?: number;
  /**
   * Whether to listen on TCP at all; `false` gives a broker reached only in memory, through
   * `broker.opener` (no port, works in browsers and workers).
   * @default true
   */
  tcp?: boolean;
  /**
   * Also listen for MQTT over WebSocket (Deno and Bun): `true` on a free port, or that port.
   * Read the URL from `broker.wsUrl`.
   * @default false
   */
  websocket?: boolean | number;
  /** Decides every CONNECT; absent = every client is accepted. */
  authenticate?: AuthHook;
  /** Receives the broker's log lines; absent = silent. */
  onLog?: BrokerLogHook;
}
