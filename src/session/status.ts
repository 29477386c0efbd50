/**
 * The session's status: one value that says both where the session is (its coarse
 * {@link SessionState}) and where its transport is.
 *
 * ```
 * idle ──connect()──► connecting/opening ──opened──► connecting/handshake ──CONNACK──► connected
 *   (a failed first attempt, disconnect() or a cancelled connect: closed; with
 *   retryFirstConnect a failed attempt waits in connecting/waiting ──delay──► connecting/opening)
 * connected ──lost──► reconnecting/waiting ──delay──► reconnecting/opening ──► …/handshake ──► connected
 *   (without a reconnect policy, or on disconnect(): closed; connect() from closed starts over;
 *   reconnect() goes from connected, or from an attempt under way, straight to …/opening)
 * ```
 *
 * @module
 */

import type { SessionState } from "./types.ts";

/** Where the transport is: none, open requested, CONNECT sent, CONNACK accepted. */
export type TransportPhase = "none" | "opening" | "handshake" | "up";

/** Every status the session can be in. */
export type Status =
  | "idle"
  | "connecting/opening"
  | "connecting/handshake"
  | "connecting/waiting"
  | "connected"
  | "reconnecting/waiting"
  | "reconnecting/opening"
  | "reconnecting/handshake"
  | "closed";

/** The coarse state and the transport phase of each status. */
export const STATUS: Readonly<Record<Status, { state: SessionState; phase: TransportPhase }>> = {
  "idle": { state: "idle", phase: "none" },
  "connecting/opening": { state: "connecting", phase: "opening" },
  "connecting/handshake": { state: "connecting", phase: "handshake" },
  "connecting/waiting": { state: "connecting", phase: "none" },
  "connected": { state: "connected", phase: "up" },
  "reconnecting/waiting": { state: "reconnecting", phase: "none" },
  "reconnecting/opening": { state: "reconnecting", phase: "opening" },
  "reconnecting/handshake": { state: "reconnecting", phase: "handshake" },
  "closed": { state: "closed", phase: "none" },
};

/**
 * The status whose transport is at `phase` in the same attempt series as `status`: a connection
 * of this `connect()` succeeded (connected, reconnecting) → reconnecting; else connecting.
 */
export function statusAfter(status: Status, phase: "opening" | "handshake"): Status {
  const state = STATUS[status].state;
  const again = state === "connected" || state === "reconnecting";
  return again ? `reconnecting/${phase}` : `connecting/${phase}`;
}
