/**
 * The calls that start, restart or give up connection attempts: `connect()` joins the attempt
 * under way or starts one; `reconnect()` drops the connection (or the attempt under way) and
 * opens a new one at once; `cancel()` lets a `connect()` caller leave — the first connect is
 * given up once nobody waits for it — and hands any other token to the outbox.
 *
 * @module
 */

import { ConnectionClosedError } from "../errors.ts";
import type { Effects } from "./effects.ts";
import type { SessionParts } from "./session_parts.ts";
import type { Token } from "./types.ts";

/** `connect()` at `fx.now`: settles at once when connected, else waits for the attempt. */
export function callConnect(fx: Effects, token: Token, { life }: SessionParts): void {
  const attempts = life.attempts;
  const state = life.link.state;
  if (state === "connected") return fx.resolve(token, attempts.connack);
  attempts.join(token);
  if (state === "idle" || state === "closed") attempts.restart();
  // Joins the attempt under way; while waiting out a backoff delay, attempts it now.
  if (life.phase === "none") life.open(fx);
}

/** `reconnect()` at `fx.now`: `connect()` when idle or closed; refused while disconnecting. */
export function callReconnect(fx: Effects, token: Token, parts: SessionParts): void {
  const { life } = parts;
  const state = life.link.state;
  if (state === "idle" || state === "closed") return callConnect(fx, token, parts);
  if (parts.disconnection.deadline !== undefined) {
    return fx.reject(token, new ConnectionClosedError("Cannot reconnect: disconnecting"));
  }
  life.attempts.join(token);
  life.reconnect(fx, parts.outbox);
}

/** `cancel(token, reason)` at `fx.now`: a `connect()` caller, or an operation of the outbox. */
export function callCancel(fx: Effects, token: Token, reason: unknown, parts: SessionParts): void {
  const { life, outbox } = parts;
  const attempts = life.attempts;
  if (!attempts.leave(token)) return void outbox.cancel(fx, token, reason, life.link);
  fx.reject(token, reason);
  if (attempts.waiting > 0 || life.link.state !== "connecting") return;
  // Nobody waits for the first connect any more: give it up.
  life.close(fx, "closed");
  fx.log("info", "Connect cancelled");
  outbox.failAll(fx, new ConnectionClosedError("Connect was cancelled", { cause: reason }));
}
