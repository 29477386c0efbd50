import { transportSuite } from "./transport_suite.ts";
import type { ServerSide, SuiteHarness } from "./transport_suite.ts";
import { type MemoryConnection, memoryPair } from "../../src/transport/memory.ts";

function serverSide(connection: MemoryConnection): ServerSide {
  const received: Uint8Array[] = [];
  let waiting: (() => void) | undefined;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  connection.onData = (bytes) => {
    received.push(bytes);
    waiting?.();
  };
  connection.onClose = () => endedResolve();
  const total = () => received.reduce((sum, chunk) => sum + chunk.length, 0);
  return {
    write: (bytes) => connection.write(bytes),
    async read(n) {
      while (total() < n) await new Promise<void>((resolve) => (waiting = resolve));
      const all = new Uint8Array(total());
      let offset = 0;
      for (const chunk of received) {
        all.set(chunk, offset);
        offset += chunk.length;
      }
      return all.subarray(0, n);
    },
    end: () => connection.close(),
    ended,
  };
}

function harness(): SuiteHarness {
  const { opener, server } = memoryPair();
  let accepted: ((side: ServerSide) => void) | undefined;
  server.onOpen = (target) =>
    target.host === "refused"
      ? new Error(`Connection refused by ${target.host}:${target.port}`) // the server's reason
      : undefined;
  server.onConnection = (connection) => accepted?.(serverSide(connection));
  return {
    opener,
    target: () => ({ kind: "tcp", host: "memory", port: 1883 }),
    refusedTarget: () => ({ kind: "tcp", host: "refused", port: 1883 }),
    accept: () => new Promise((resolve) => (accepted = resolve)),
  };
}

transportSuite("memoryPair", harness);
