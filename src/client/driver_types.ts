/**
 * What a `Driver` is given and what it reports: its options, the events it hands to its
 * owner, and how long a closing connection may take.
 *
 * @module
 */

import type { SessionAction } from "../session/types.ts";
import type { Clock } from "./clock.ts";
import type { OpenSettings } from "./_connection.ts";
import type { SessionStore } from "../store/session_store.ts";

/** The session actions the driver hands to the client. */
export type DriverEvent = Extract<
  SessionAction,
  { type: "connected" | "connectFailed" | "disconnected" | "message" | "log" }
>;

/**
 * How long a closing connection may take to hand over its last bytes (e.g. the DISCONNECT)
 * before it is closed regardless: a peer that stopped reading would otherwise hold the socket,
 * and `disconnect()`, forever.
 */
export const CLOSE_GRACE_MS = 5000;

/** What the driver reports to its owner. */
export interface DriverEvents {
  /** A session event, in the order the session emitted it. */
  event(event: DriverEvent): void;
  /** The session reached state `"closed"`: it will not reconnect unless told to connect again. */
  closed(): void;
  /**
   * A transport is about to be opened for connection attempt `attempt` (see the `open` action);
   * credentials and will set now go into its CONNECT.
   */
  preConnect?(attempt: number): void;
}

/** What a `Driver` runs the session with. */
export interface DriverOptions extends OpenSettings {
  /** Time and the one timer. */
  clock: Clock;
  /** Receives the session's events. */
  events: DriverEvents;
  /** Where the session is kept across processes (the session must have `persist` on). */
  store?: SessionStore;
  /** Unacknowledged outgoing messages from which `ready()` waits (default 1000). */
  highWaterMark?: number;
}
