/**
 * What the pure broker core exchanges with its host: the server end of a connection it writes
 * to, the hooks it calls, and the log levels.
 *
 * @module
 */

import type { ProtocolVersion } from "../../codec/types.ts";

/** The severity of a broker log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The server end of one connection, as the core writes to it. */
export interface Link {
  /** Sends bytes (one whole packet) to the client, after those sent before. */
  write(bytes: Uint8Array): void;
  /** Closes the connection once the bytes written before have gone out. */
  close(): void;
}

/** What a client presented in its CONNECT, for the authentication hook. */
export interface AuthRequest {
  /** The client identifier (as sent; empty when the broker will assign one). */
  clientId: string;
  /** The user name, if any. */
  username?: string;
  /** The password, if any. */
  password?: Uint8Array;
  /** The protocol level: 3, 4 or 5. */
  protocolVersion: ProtocolVersion;
}

/**
 * What the authentication hook decides: `true` accepts; `false` refuses with "bad user name or
 * password" (0x86, 3.1.1 return code 4); a number refuses with that MQTT 5 CONNACK reason code
 * (≥ 0x80; mapped to the nearest 3.1.1 return code for older clients).
 */
export type AuthResult = boolean | number;

/** The core's calls out to its host. */
export interface CoreHooks {
  /**
   * Decides a CONNECT; calls `done` once (at once or later) with the result and the time.
   * Absent = everyone is accepted.
   */
  authenticate?: (
    request: AuthRequest,
    done: (result: AuthResult, now: number) => void,
  ) => void;
  /** Receives the broker's log lines. */
  log?: (level: LogLevel, message: string) => void;
}
