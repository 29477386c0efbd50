/**
 * The shared transport suite against the Deno adapter, with a node:net server on a free port.
 * Skipped under other runtimes (the adapter is imported only under Deno).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Recorder, transportSuite } from "./transport_suite.ts";
import { tlsSuite } from "./tls_suite.ts";
import { socketSettingsSuite } from "./socket_settings_suite.ts";
import { receiverCanAskToReadOn, useNodeServer } from "./_node_server.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

describe("openDeno", { skip: !isDeno }, () => {
  const harness = useNodeServer(async (target, handlers, signal) => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    return openDeno(target, handlers, signal);
  });
  if (isDeno) transportSuite("openDeno", () => harness);

  it("openDeno reads on without pacing after an onData that returned true", async () => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    await receiverCanAskToReadOn(openDeno);
  });
});

describe("openDeno over a unix socket", { skip: !isDeno }, () => {
  it("openDeno connects to a unix socket path and exchanges bytes", async () => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/korero-`);
    const path = `${dir}/broker.sock`;
    const server = net.createServer((socket) => socket.on("data", (d) => socket.write(d)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const recorder = new Recorder();
      const transport = await openDeno({ kind: "unix", host: "", port: 0, path }, recorder);
      await transport.write(new Uint8Array([1, 2, 3]));
      await recorder.until(() => recorder.received === 3);
      assert.deepEqual(recorder.bytes(), new Uint8Array([1, 2, 3]));
      transport.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// rustls refuses a CA certificate as the server's own (see src/transport/deno.ts).
if (isDeno) {
  tlsSuite("openDeno", async (target, handlers, options) => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    return openDeno(target, handlers, options);
  }, { trustsCaAsLeaf: false });
  socketSettingsSuite("openDeno", async (target, handlers, options) => {
    const { openDeno } = await import("../../src/transport/deno.ts");
    return openDeno(target, handlers, options);
  }, { noVerification: false, bind: false, versions: false, runtime: "Deno" });
}
