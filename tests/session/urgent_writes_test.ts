/**
 * Which writes the session marks `urgent` (acknowledgements and PINGREQ, which the driver may
 * send ahead of unsent PUBLISH bytes) and which it does not (everything whose order relative to
 * the PUBLISHes matters).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePacket, encodePacket } from "../../src/codec/mod.ts";
import { Session } from "../../src/session/session.ts";
import type { SessionAction } from "../../src/session/types.ts";
import { baseOptions, frames } from "./_harness.ts";

/** `"<packet type>"` or `"<packet type>!"` (urgent) for every write in `actions`. */
function writes(actions: SessionAction[]): string[] {
  return actions.flatMap((action) =>
    action.type === "write"
      ? frames(action.bytes).map((bytes) =>
        `${decodePacket(bytes, 5).type}${action.urgent === true ? "!" : ""}`
      )
      : []
  );
}

function connected(keepalive = 0): Session {
  const session = new Session(baseOptions({ keepalive }), () => 0.5);
  session.connect(1, 0);
  session.transportOpened(0);
  assert.deepEqual(writes(session.drain()), ["connect"]);
  session.receive(encodePacket({ type: "connack", sessionPresent: false, reasonCode: 0 }, 5), 0);
  session.drain();
  return session;
}

describe("Session urgent writes", () => {
  it("Session marks PUBACK, PUBREC and PUBCOMP urgent, and no other write", () => {
    const session = connected();
    session.subscribe(2, [{ topicFilter: "a/#", qos: 2 }], undefined, 0);
    session.publish(3, { topic: "a/b", payload: new Uint8Array(1), qos: 1, retain: false }, 0);
    assert.deepEqual(writes(session.drain()), ["subscribe", "publish"]);
    const incoming = {
      type: "publish",
      topic: "a/b",
      payload: new Uint8Array(1),
      retain: false,
    } as const;
    session.receive(encodePacket({ ...incoming, qos: 1, dup: false, packetId: 7 } as const, 5), 0);
    session.receive(encodePacket({ ...incoming, qos: 2, dup: false, packetId: 8 } as const, 5), 0);
    for (const action of session.drain()) {
      if (action.type === "message") session.ack(action.message.receipt, 0, 0);
    }
    session.receive(encodePacket({ type: "pubrel", packetId: 8, reasonCode: 0 }, 5), 0);
    assert.deepEqual(writes(session.drain()), ["puback!", "pubrec!", "pubcomp!"]);
    session.unsubscribe(4, ["a/#"], undefined, 0);
    session.disconnect(5, {}, 0);
    assert.deepEqual(writes(session.drain()), ["unsubscribe", "disconnect"]);
  });

  it("Session marks the PUBREL that answers a PUBREC urgent", () => {
    const session = connected();
    session.publish(2, { topic: "a", payload: new Uint8Array(1), qos: 2, retain: false }, 0);
    const [write] = session.drain();
    assert.equal(write?.type === "write" && write.urgent, undefined);
    const packetId = write?.type === "write" ? decodePacket(write.bytes, 5) : undefined;
    assert.equal(packetId?.type, "publish");
    const id = packetId?.type === "publish" ? packetId.packetId! : 0;
    session.receive(encodePacket({ type: "pubrec", packetId: id, reasonCode: 0 }, 5), 0);
    assert.deepEqual(writes(session.drain()), ["pubrel!"]);
  });

  it("Session marks PINGREQ urgent", () => {
    const session = connected(10);
    const due = session.nextDeadline()!;
    session.handleTimer(due);
    assert.deepEqual(writes(session.drain()), ["pingreq!"]);
  });
});
