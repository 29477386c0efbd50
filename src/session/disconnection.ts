/**
 * `disconnect()` and the acknowledgements of delivered messages, the two inputs that end or
 * complete what is under way.
 *
 * A graceful `disconnect()` lets incoming QoS 2 exchanges under way finish first — the
 * server's PUBRELs are answered with PUBCOMP — for up to `disconnectTimeout`, then sends
 * DISCONNECT; `force` (or nothing to wait for) sends it at once. Pending outgoing operations
 * reject right away either way, and a connection lost meanwhile ends the session without a
 * reconnect.
 *
 * @module
 */

import { isValidReasonCode } from "../codec/reason_codes.ts";
import type { DisconnectPacket } from "../codec/types.ts";
import { ConnectionClosedError } from "../errors.ts";
import { describe } from "../format.ts";
import type { Effects } from "./effects.ts";
import type { SessionParts } from "./session_parts.ts";
import type { DisconnectRequest, Token } from "./types.ts";

/** A DISCONNECT encoded for sending: its bytes, and the packet (for the trace). */
interface EncodedDisconnect {
  bytes: Uint8Array;
  packet: DisconnectPacket;
}

interface Waiting {
  tokens: Token[];
  disconnect: EncodedDisconnect;
  deadline: number;
}

/** The `disconnect()` of one session, while it waits for incoming exchanges to end. */
export class Disconnection {
  #waiting: Waiting | undefined;

  /** When a waiting `disconnect()` gives up waiting. */
  get deadline(): number | undefined {
    return this.#waiting?.deadline;
  }

  /** `disconnect(request)` at `fx.now`; throws (and changes nothing) for a bad request. */
  request(fx: Effects, token: Token, request: DisconnectRequest, parts: SessionParts): void {
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      waiting.tokens.push(token);
      if (request.force === true) waiting.deadline = fx.now;
      return this.continue(fx, parts);
    }
    const { life, publishIn, options } = parts;
    let disconnect: EncodedDisconnect | undefined;
    if (life.link.state === "connected") {
      const packet: DisconnectPacket = { type: "disconnect", reasonCode: request.reasonCode ?? 0 };
      if (request.properties !== undefined) packet.properties = request.properties;
      const bytes = fx.encodeWithin(packet, life.link.limits.maximumPacketSize); // throws if bad
      disconnect = { bytes, packet };
    }
    const wait = options.disconnectTimeout;
    const exchanges = publishIn.awaitingRelease;
    if (disconnect !== undefined && request.force !== true && wait > 0 && exchanges > 0) {
      life.attempts.stop(); // a loss while waiting ends the session
      this.#waiting = { tokens: [token], disconnect, deadline: fx.now + wait };
      parts.outbox.failAll(fx, new ConnectionClosedError("The client disconnected"));
      fx.log(
        "info",
        `Disconnecting once ${exchanges} incoming QoS 2 exchanges end (${wait} ms at most)`,
      );
      return;
    }
    disconnectNow(fx, [token], disconnect, parts);
  }

  /** After an input: ends a waiting disconnect when nothing is awaited, time is up, or the link ended. */
  continue(fx: Effects, parts: SessionParts): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    const up = parts.life.link.state === "connected";
    if (up && parts.publishIn.awaitingRelease > 0 && fx.now < waiting.deadline) return;
    this.#waiting = undefined;
    if (up) return disconnectNow(fx, waiting.tokens, waiting.disconnect, parts);
    for (const token of waiting.tokens) fx.resolve(token, undefined); // it ended anyway
  }
}

/** Sends `disconnect` (when given), closes, and settles everything that waited on the session. */
function disconnectNow(
  fx: Effects,
  tokens: Token[],
  disconnect: EncodedDisconnect | undefined,
  { life, outbox }: SessionParts,
): void {
  const error = new ConnectionClosedError("The client disconnected");
  if (disconnect !== undefined) fx.write(disconnect.bytes, false, disconnect.packet);
  life.close(fx, "closed");
  life.attempts.rejectAll(fx, error);
  if (disconnect !== undefined) fx.emit({ type: "disconnected", reasonCode: 0 });
  outbox.failAll(fx, error);
  fx.log("info", "Disconnected by the client");
  for (const token of tokens) fx.resolve(token, undefined);
}

/**
 * Acknowledges the delivered message of `receipt` (see `SessionApi.ack`); false, with a debug
 * log, when there is nothing to acknowledge.
 *
 * @throws {RangeError} for a reason code a PUBACK / PUBREC cannot carry (MQTT 5)
 */
export function acknowledge(
  fx: Effects,
  receipt: number,
  reasonCode: number,
  parts: SessionParts,
): boolean {
  if (parts.options.protocolVersion === 5 && !isValidReasonCode(reasonCode, "puback")) {
    throw new RangeError(
      `ack reasonCode must be a PUBACK / PUBREC reason code, got ${describe(reasonCode)}`,
    );
  }
  const done = parts.life.link.state === "connected" &&
    parts.publishIn.ack(fx, receipt, reasonCode);
  if (!done) {
    fx.log(
      "debug",
      "Ignored an acknowledgement: not needed, sent already, or its connection ended",
    );
  }
  return done;
}
