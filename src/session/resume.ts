/**
 * What happens to the outgoing session state when a CONNACK is accepted.
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
 * settled (cancelled, timed out, rejected by `disconnect()`) are dropped. Then, with
 * `resubscribe`, the remembered subscriptions are sent again before the queue.
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

import { encodedLength } from "../codec/mod.ts";
import { MqttError } from "../errors.ts";
import { publishViolation } from "./limits.ts";
import type { Outgoing } from "./outgoing.ts";
import { props } from "./outgoing.ts";
import type { SubscribeWork, Work } from "./outbound.ts";
import type { ResubscribeGroup } from "./subscriptions.ts";

/** Session present: resend PUBREL (PUBREC order), then in-flight PUBLISH (DUP, sent order). */
export function resumeSession(outgoing: Outgoing): void {
  const { host, outbound, pending } = outgoing;
  const limits = host.limits();
  outbound.clearResend();
  const works = [...outbound.inflightPublishes()];
  const released = works.filter((work) => work.stage === "released")
    .sort((a, b) => a.releasedOrder! - b.releasedOrder!);
  for (const work of released) host.write(host.wire.encodeAck("pubrel", work.packetId, 0));
  let room = outbound.window - released.length;
  let resent = released.length;
  let held = 0;
  for (const work of works) {
    if (work.stage === "released") continue;
    // The new CONNACK may have lowered Maximum QoS or withdrawn Retain Available: such a
    // message is finished and rejected as a fresh publish would be.
    const violation = publishViolation(limits, work.message);
    if (violation !== undefined) {
      outbound.finish(work);
      pending.reject(work, new MqttError(violation[0], { reasonCode: violation[1] }));
      host.log("warn", `Not resent: ${violation[0]}`);
    } else if (room > 0) {
      room--;
      outgoing.resendPublish(work);
      resent++;
    } else {
      outbound.hold(work);
      held++;
    }
  }
  if (resent + held > 0) {
    const wait = held > 0 ? `, ${held} wait for room in the window` : "";
    host.log("info", `Session resumed: resent ${resent} unacknowledged packets${wait}`);
  }
}

/** Session not present: discard protocol state, re-publish accepted messages, resubscribe. */
export function discardSessionState(outgoing: Outgoing): void {
  const { host, outbound, pending } = outgoing;
  const republish: Work[] = [];
  for (const work of outbound.takeInflightPublishes()) {
    if (work.token === undefined) {
      work.stage = "done";
    } else if (work.stage === "released") {
      work.stage = "done";
      pending.resolve(work, { reasonCode: 0 });
    } else {
      republish.push(work);
    }
  }
  if (republish.length > 0) {
    host.log("warn", `No session on the server: publishing ${republish.length} messages again`);
  }
  const resubscribes = host.options.resubscribe ? resubscribeWork(outgoing) : [];
  outgoing.startResubscribes(resubscribes, republish);
}

/**
 * The SUBSCRIBE work that makes the remembered subscriptions again: one per set of SUBSCRIBE
 * properties, split into one per filter if it would exceed the server's Maximum Packet Size.
 */
function resubscribeWork(outgoing: Outgoing): SubscribeWork[] {
  const { host } = outgoing;
  const works: SubscribeWork[] = [];
  const max = host.limits().maximumPacketSize;
  let filters = 0;
  for (const group of outgoing.subscriptions.groups()) {
    let packets: ResubscribeGroup[] = [group];
    if (max !== undefined && group.subscriptions.length > 1) {
      const size = encodedLength(
        {
          type: "subscribe",
          packetId: 1,
          subscriptions: group.subscriptions,
          ...props(group.properties),
        },
        host.options.protocolVersion,
      );
      if (size > max) {
        packets = group.entries.map((entry) => ({
          subscriptions: [entry.subscription],
          properties: group.properties,
          entries: [entry],
        }));
      }
    }
    for (const { subscriptions, properties, entries } of packets) {
      filters += subscriptions.length;
      works.push({
        kind: "subscribe",
        token: undefined,
        packetId: 0,
        stage: "new",
        cost: 0,
        subscriptions,
        properties,
        entries,
      });
    }
  }
  if (filters > 0) host.log("info", `Resubscribing to ${filters} topic filters`);
  return works;
}
