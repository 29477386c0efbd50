import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  MalformedPacketError,
  MqttError,
  ProtocolError,
  QueueFullError,
  TimeoutError,
  TlsError,
  WebSocketError,
} from "../src/errors.ts";

describe("error classes", () => {
  const errors: [string, MqttError][] = [
    ["MqttError", new MqttError("m")],
    ["MalformedPacketError", new MalformedPacketError("m")],
    ["ProtocolError", new ProtocolError("m")],
    ["ConnectionRefusedError", new ConnectionRefusedError("m", { reasonName: "Not authorized" })],
    ["ConnectionClosedError", new ConnectionClosedError("m")],
    ["TimeoutError", new TimeoutError("m")],
    ["QueueFullError", new QueueFullError("m")],
    ["TlsError", new TlsError("m")],
    ["WebSocketError", new WebSocketError("m", { status: 401 })],
  ];

  for (const [name, error] of errors) {
    it(`${name} is named by a literal (minifiers rename classes), in name and toString`, () => {
      assert.equal(error.name, name);
      assert.equal(String(error), `${name}: m`);
      assert.ok(error instanceof MqttError && error instanceof Error);
      assert.equal(Object.keys(error).includes("name"), false, "name is not an own property");
    });
  }
});
