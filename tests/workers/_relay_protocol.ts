/**
 * What `_relay.ts` (on Node) and `_relay_worker.ts` (in workerd) say to each other over their
 * WebSocket. Text frames are JSON; binary frames carry bytes after a {@link HEADER}-byte header:
 * connection id (u32), write number (u32), and 1 on a write's last frame (a write spans frames).
 *
 * @module
 */

import type { TransportTarget } from "../../src/transport/types.ts";

/**
 * What the test asks. `abort`: abort before calling the opener, or right after it. `ping`: the
 * worker answers `pong` a timer tick later, after every report it made before.
 */
export type RelayCommand =
  | { op: "open"; id: number; target: TransportTarget; abort?: "before" | "after-call" }
  | { op: "abort"; id: number }
  | { op: "close"; id: number }
  | { op: "ping"; id: number };

/** What the worker reports. */
export type RelayEvent =
  | { ev: "opened"; id: number }
  | { ev: "rejected"; id: number; message: string; abortReason: boolean }
  | { ev: "close"; id: number; error: string | null }
  | { ev: "written"; id: number; seq: number }
  | { ev: "writeRejected"; id: number; seq: number; message: string }
  | { ev: "pong"; id: number };

/** The length of a binary frame's header. */
export const HEADER = 9;
