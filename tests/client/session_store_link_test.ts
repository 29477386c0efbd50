/**
 * The client with a session store, against a fake broker: a torn record the store found is
 * logged as a warning through the client's log, and a new client object given a `MemoryStore`
 * takes over a dropped client's session (its unacknowledged QoS 1 message is sent again with DUP
 * and the same packet identifier).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore, MemoryStore } from "../../mod.ts";
import { connectedClient, settle } from "../_helpers/fake_broker.ts";

describe("MqttClient with a session store", () => {
  it("logs the store's warning about a torn record (warn), then works with what was kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "korero-link-"));
    try {
      const message = { topic: "t", payload: new Uint8Array([1]), qos: 1 as const, retain: false };
      const damaged = new FileStore(dir);
      await damaged.load("torn");
      damaged.save("torn", [{ op: "publish", seq: 1, message }]);
      damaged.save("torn", [{ op: "publish", seq: 2, message }]);
      damaged.close("torn");
      const path = damaged.pathOf("torn");
      truncateSync(path, statSync(path).size - 3);

      const warnings: string[] = [];
      const { client, conn } = await connectedClient({
        clientId: "torn",
        clean: false,
        store: new FileStore(dir),
        logger: (level, line) => level === "warn" && warnings.push(line),
      });
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0]!, /^Session store: .*torn write/);
      // The record before the damage stands: its message is published.
      const resent = await conn.expect("publish");
      assert.equal(resent.type === "publish" && resent.qos, 1);
      await client.disconnect({ force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a new client object with the same MemoryStore takes over a dropped client's session", async () => {
    const store = new MemoryStore();
    const options = { clientId: "taken-over", clean: false, store };
    const first = await connectedClient(options);
    void first.client.publish("jobs", "one", { qos: 1 }).catch(() => {});
    const sent = await first.conn.expect("publish");
    assert.equal(sent.type === "publish" && sent.dup, false);
    await first.client.disconnect({ force: true }); // no PUBACK came
    await settle();

    const second = await connectedClient(options, { sessionPresent: true });
    const again = await second.conn.expect("publish");
    assert.ok(again.type === "publish" && sent.type === "publish");
    assert.equal(again.dup, true);
    assert.equal(again.packetId, sent.packetId);
    assert.equal(new TextDecoder().decode(again.payload), "one");
    await second.client.disconnect({ force: true });
  });
});
