/**
 * The connections a driver's session is done with that still hand over their last bytes (a
 * DISCONNECT, acknowledgements), each until its grace deadline: {@link CLOSE_GRACE_MS} after it
 * started closing, the driver's one timer closes it regardless. With them wait the callers of the
 * driver's `idle()`, until no connection is open or closing. A driver that never closed a
 * connection nor waited for one shares {@link NOT_CLOSING}, so an idle client holds no set of its
 * own.
 *
 * @module
 */

import type { Connection } from "./_connection.ts";
import { CLOSE_GRACE_MS } from "./driver_types.ts";

/** A driver's closing connections. */
export class ClosingConnections extends Set<Connection> {
  #idleWaiters: (() => void)[] | undefined = undefined;

  /** `conn` started closing at `now`: it is closed by its grace deadline at the latest. */
  startedClosing(conn: Connection, now: number): void {
    conn.closeBy = now + CLOSE_GRACE_MS;
    this.add(conn);
  }

  /** The earlier of `deadline` and every grace deadline of these connections. */
  earliest(deadline: number | undefined): number | undefined {
    for (const conn of this) {
      if (deadline === undefined || conn.closeBy < deadline) deadline = conn.closeBy;
    }
    return deadline;
  }

  /** Resolves once `wakeIdle()` finds no connection closing (and none open). */
  waitIdle(): Promise<void> {
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  /** No connection is open: resolves the waiting `idle()` calls if none is closing either. */
  wakeIdle(): void {
    const waiters = this.#idleWaiters;
    if (this.size > 0 || waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const wake of waiters) wake();
  }

  /** Holds (true) or releases (false) the writes of every one (see `WritePipeline.hold`). */
  hold(held: boolean): void {
    for (const conn of this) conn.writes.hold(held);
  }
}

/** The closing connections of every driver closing none: shared, never added to. */
export const NOT_CLOSING: ClosingConnections = new ClosingConnections();
