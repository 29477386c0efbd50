/**
 * What a settlement that waits on written bytes becomes: a QoS 0 publish settles "on write", so
 * the QoS 0 messages pushed between two flushes share one promise and one frozen result
 * ({@link Qos0Batch}), and when a connection closes before the bytes were written such a success
 * becomes a failure ({@link unwritten}, {@link notWritten}); every other settlement stands.
 *
 * @module
 */

import { ConnectionClosedError } from "../errors.ts";
import type { PublishResult } from "../session/types.ts";
import type { Settlement } from "./_pending_calls.ts";

/**
 * What a QoS 0 publish resolves with. QoS 0 messages written together share one promise and
 * this one frozen result, so a publisher's loop keeps no object per message alive until the write.
 */
export const QOS0_RESULT: PublishResult = Object.freeze({ mid: 0, reasonCode: 0 });

/** Why a QoS 0 publish whose bytes never reached the transport fails. */
export function notWritten(): ConnectionClosedError {
  return new ConnectionClosedError(
    "The connection ended before the QoS 0 message was written; it was not sent",
  );
}

/**
 * `settlement` for a connection that closed before the bytes it waits on were written: a success
 * that meant "written" (a QoS 0 publish) becomes a failure; anything else stands.
 */
export function unwritten(settlement: Settlement): Settlement {
  if (settlement.type === "resolve" && settlement.onWrite === true) {
    return { type: "reject", token: settlement.token, error: notWritten() };
  }
  return settlement;
}

/** The one promise of the QoS 0 messages pushed between two flushes. */
export class Qos0Batch {
  readonly promise: Promise<PublishResult>;
  resolve!: (value: PublishResult) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<PublishResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
