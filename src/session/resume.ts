/**
 * What happens to the outgoing session state when a CONNACK is accepted, when a connection is
 * lost to be re-established, and when the session ends.
 *
 * Session present: pending PUBRELs are resent in the order their PUBRECs arrived
 * ([MQTT-4.6.0-3]), then the in-flight PUBLISH with DUP = 1 and their packet identifiers in the
 * order they were first sent ([MQTT-4.4.0-1], [MQTT-4.6.0-1]), within the new
 * connection's window (min(maxInflight, the new CONNACK's Receive Maximum)). A QoS 2 message
 * whose PUBREL is pending still counts toward that window: the client must not have more than
 * Receive Maximum QoS 1/2 PUBLISH for which no PUBACK or PUBCOMP (or failed PUBREC) has arrived
 * ([MQTT-3.3.4-7]; MQTT 5 §4.9: a QoS 2 PUBLISH replenishes the send quota only at PUBCOMP). So
 * every PUBREL is resent, but only `window − pending PUBRELs` PUBLISH; the rest are held in
 * order and resent (same identifier, DUP = 1) as acknowledgements free the window, before any
 * new QoS 1/2 PUBLISH. A PUBLISH the new CONNACK no longer allows (QoS above Maximum QoS,
 * retain without Retain Available, a topic alias above Topic Alias Maximum) is not resent: it is
 * finished and its token rejected with the matching reason code, as a fresh publish would be.
 *
 * Session not present while we hold state ([MQTT-3.2.2-5], [MQTT-4.1.0-1]): the protocol state
 * is discarded (packet identifiers, PUBREL states; the caller clears incoming QoS 2
 * identifiers), but the application messages we accepted are not lost: every unacknowledged
 * QoS 1/2 PUBLISH whose token is still pending is published again as a new message (new packet
 * identifier, DUP = 0) ahead of the queue, and a QoS 2 message whose PUBREC had arrived counts as
 * delivered (the server took ownership at PUBREC) and resolves. Messages whose token was already
 * settled (cancelled, timed out, rejected by `disconnect()`) are dropped; messages restored from
 * a session store (no caller waits for them) are published again like pending ones. Then, with
 * `resubscribe`, the remembered subscriptions are sent again before the queue.
 *
 * A connection lost to be re-established (`suspendOutgoing`): unacknowledged SUBSCRIBE and
 * UNSUBSCRIBE of callers go out again on the next connection, at the front of the queue; queued
 * resubscribe work is dropped (the next CONNACK decides again what to resubscribe).
 *
 * The session closed or stopped (`failOutgoing`): every pending operation is rejected, unsent
 * work and in-flight SUBSCRIBE / UNSUBSCRIBE are dropped; in-flight QoS 1/2 PUBLISH stay
 * (silently) in the session state, to be resent if the session is resumed later.
 *
 * paho-mqtt 2.x does not look at Session Present: `reconnect()` resets every outgoing message
 * before CONNECT (`_messages_reconnect_reset_out`) according to the clean flag it is about to
 * send, and `_handle_connack` then resends all of them with their original packet identifiers
 * (QoS 1 with DUP; QoS 2 as PUBREL past PUBREC unless clean, else as PUBLISH with DUP). That
 * hands protocol state to a server that has none (DUP PUBLISH with identifiers it never saw,
 * PUBRELs it must answer with 0x92), and after a clean start it re-publishes QoS 2 messages the
 * server already owned, which can deliver them twice. korero follows the flag instead.
 *
 * @module
 */

import { MqttError } from "../errors.ts";
import { publishViolation } from "./admission.ts";
import type { Effects } from "./effects.ts";
import type { ServerLimits } from "./limits.ts";
import type { OutboxParts } from "./outbox_parts.ts";
import type { PublishWork, SubscribeWork } from "./work.ts";

/** Session present: resend PUBREL (PUBREC order), then in-flight PUBLISH (DUP, sent order). */
export function resumeSession(fx: Effects, parts: OutboxParts, limits: ServerLimits): void {
  const { inflight, publishes, ops } = parts;
  inflight.clearResend();
  const works = [...inflight.publishes()];
  const released = works.filter((work) => work.stage === "released")
    .sort((a, b) => a.releasedOrder! - b.releasedOrder!);
  for (const work of released) fx.ack("pubrel", work.packetId, 0, false);
  let room = inflight.window - released.length;
  let resent = released.length;
  let held = 0;
  for (const work of works) {
    if (work.stage === "released") continue;
    // The new CONNACK may have lowered Maximum QoS or withdrawn Retain Available: such a
    // message is finished and rejected as a fresh publish would be.
    const violation = publishViolation(limits, work.message);
    if (violation !== undefined) {
      inflight.finish(work);
      ops.reject(fx, work, new MqttError(violation[0], { reasonCode: violation[1] }));
      fx.log("warn", `Not resent: ${violation[0]}`);
    } else if (room > 0) {
      room--;
      publishes.resend(fx, work, limits);
      resent++;
    } else {
      inflight.hold(work);
      held++;
    }
  }
  if (resent + held > 0) {
    const wait = held > 0 ? `, ${held} wait for room in the window` : "";
    fx.log("info", `Session resumed: resent ${resent} unacknowledged packets${wait}`);
  }
}

/**
 * Session not present: discards the protocol state of the PUBLISH in flight, starts the
 * resubscribe work (with `resubscribe`) while identifiers allow, and puts the rest of it, then
 * the messages to publish again, at the front of the queue. Returns the resubscribe work left
 * queued, for {@link suspendOutgoing}.
 */
export function startAfresh(
  fx: Effects,
  parts: OutboxParts,
  limits: ServerLimits,
): SubscribeWork[] | undefined {
  const { inflight, journal, subscribes } = parts;
  journal.reset();
  const republish = discardSessionState(fx, parts);
  const works = parts.options.resubscribe ? subscribes.resubscribeWork(fx, limits) : [];
  let started = 0;
  for (const work of works) {
    if (!inflight.canStart(work)) break;
    subscribes.start(fx, work, limits);
    started++;
  }
  const rest = works.slice(started);
  parts.queue.enqueueFront([...rest, ...republish]);
  return rest.length > 0 ? rest : undefined;
}

/**
 * The connection was lost and will be re-established: drops `queuedResubscribes`, and puts the
 * unacknowledged SUBSCRIBE / UNSUBSCRIBE of callers at the front of the queue.
 */
export function suspendOutgoing(
  parts: OutboxParts,
  queuedResubscribes: readonly SubscribeWork[] | undefined,
): void {
  for (const work of queuedResubscribes ?? []) parts.queue.drop(work);
  const controls = parts.inflight.takeControls().filter((w) => w.token !== undefined);
  parts.queue.enqueueFront(controls);
}

/** The messages to publish again as new ones, in their order; the rest of the state is dropped. */
function discardSessionState(fx: Effects, { inflight, ops, journal }: OutboxParts): PublishWork[] {
  const republish: PublishWork[] = [];
  for (const work of inflight.takePublishes()) {
    if (work.token === undefined && work.restored !== true) {
      work.stage = "done";
      journal.done(work);
    } else if (work.stage === "released") {
      work.stage = "done";
      journal.done(work);
      ops.resolve(fx, work, { mid: work.packetId, reasonCode: 0 });
    } else {
      republish.push(work);
    }
  }
  if (republish.length > 0) {
    fx.log("warn", `No session on the server: publishing ${republish.length} messages again`);
  }
  return republish;
}

/**
 * The session is closed or stopped: rejects every pending operation with `error`, drops unsent
 * work and in-flight SUBSCRIBE / UNSUBSCRIBE; in-flight QoS 1/2 PUBLISH stay for a later resume.
 */
export function failOutgoing(fx: Effects, parts: OutboxParts, error: MqttError): void {
  const { ops, subscribes, journal } = parts;
  for (const work of [...parts.queue.takeAll(), ...parts.inflight.takeControls()]) {
    if (work.type === "subscribe" && work.token !== undefined) subscribes.forget(work);
    if (work.type === "publish") journal.done(work);
    work.stage = "done";
  }
  for (const work of ops.all()) ops.reject(fx, work, error);
}
