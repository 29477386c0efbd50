/**
 * The behaviour every transport adapter shares, run against each adapter with a harness that
 * gives the test the server side of the connection.
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type {
  Transport,
  TransportHandlers,
  TransportOpener,
  TransportTarget,
} from "../../src/transport/types.ts";

/** The server end of one accepted connection, as the suite needs it. */
export interface ServerSide {
  /** Sends bytes to the client. */
  write(bytes: Uint8Array): void;
  /** Resolves with the first `n` bytes received from the client (waiting for them). */
  read(n: number): Promise<Uint8Array>;
  /** Closes the connection cleanly. */
  end(): void;
  /** Resolves when the client closed the connection. */
  readonly ended: Promise<void>;
}

/** What an adapter's test file provides. */
export interface SuiteHarness {
  opener: TransportOpener;
  /** A target a server listens on. */
  target(): TransportTarget;
  /** A target where nothing listens (the attempt fails). */
  refusedTarget(): TransportTarget;
  /** Resolves with the server side of the next connection. */
  accept(): Promise<ServerSide>;
}

/** Records what a transport reports. */
export class Recorder implements TransportHandlers {
  chunks: Uint8Array[] = [];
  closes: (Error | undefined)[] = [];
  #waiters: (() => void)[] = [];
  onData = (chunk: Uint8Array): void => {
    this.chunks.push(chunk);
    this.#wake();
  };
  onClose = (error?: Error): void => {
    this.closes.push(error);
    this.#wake();
  };
  get received(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }
  bytes(): Uint8Array {
    const all = new Uint8Array(this.received);
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }
  /**
   * Resolves when `condition()` holds, re-checking after every event; rejects if it does not
   * hold within `limitMs` (a bound for a broken transport, not a wait that decides an outcome).
   */
  async until(condition: () => boolean, limitMs = 10_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Recorder: condition not met within ${limitMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** `length` bytes of a pattern that differs by `seed`. */
export function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** A turn of the event loop, so events that were going to happen have happened. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Registers the shared transport tests under `name`. */
export function transportSuite(name: string, harness: () => SuiteHarness): void {
  describe(`${name} transport`, () => {
    async function open(h: SuiteHarness, recorder: Recorder): Promise<[Transport, ServerSide]> {
      const accepted = h.accept();
      const transport = await h.opener(h.target(), recorder);
      return [transport, await accepted];
    }

    it(`${name} opener delivers server bytes to onData in order`, async () => {
      const h = harness();
      const recorder = new Recorder();
      const [transport, server] = await open(h, recorder);
      const sent = [pattern(10, 1), pattern(70_000, 2), pattern(3, 3)];
      for (const chunk of sent) server.write(chunk);
      await recorder.until(() => recorder.received === 70_013);
      // Chunks already handed over must not have been overwritten by later reads.
      assert.deepEqual(recorder.bytes(), new Uint8Array([...sent[0]!, ...sent[1]!, ...sent[2]!]));
      transport.close();
    });

    it(`${name} delivers a burst, then small chunks one by one, then a burst, in order`, async () => {
      // (The Deno adapter starts with a small read buffer and grows it under a burst.)
      const h = harness();
      const recorder = new Recorder();
      const [transport, server] = await open(h, recorder);
      const sent = [pattern(200_000, 1)];
      server.write(sent[0]!);
      let expected = 200_000;
      await recorder.until(() => recorder.received === expected);
      for (let i = 0; i < 12; i++) {
        const chunk = pattern(5 + i, 30 + i);
        sent.push(chunk);
        server.write(chunk);
        expected += chunk.length;
        await recorder.until(() => recorder.received === expected);
      }
      sent.push(pattern(150_000, 2));
      server.write(sent.at(-1)!);
      expected += 150_000;
      await recorder.until(() => recorder.received === expected);
      assert.deepEqual(recorder.bytes(), new Uint8Array(sent.flatMap((chunk) => [...chunk])));
      transport.close();
    });

    it(`${name} connections reading at once each get their own bytes`, async () => {
      // (The Node adapter reads every connection into one shared buffer.)
      const h = harness();
      const recorders = [new Recorder(), new Recorder(), new Recorder()];
      const opened = [];
      for (const recorder of recorders) opened.push(await open(h, recorder));
      const sizes = [100_000, 5, 70_000];
      opened.forEach(([, server], i) => server.write(pattern(sizes[i]!, 10 + i)));
      opened.forEach(([, server], i) => server.write(pattern(3, 20 + i)));
      await Promise.all(
        recorders.map((recorder, i) => recorder.until(() => recorder.received === sizes[i]! + 3)),
      );
      recorders.forEach((recorder, i) =>
        assert.deepEqual(
          recorder.bytes(),
          new Uint8Array([...pattern(sizes[i]!, 10 + i), ...pattern(3, 20 + i)]),
        )
      );
      for (const [transport] of opened) transport.close();
    });

    it(`${name} write resolves after the whole chunk was taken, in order`, async () => {
      const h = harness();
      const [transport, server] = await open(h, new Recorder());
      const big = pattern(4 * 1024 * 1024, 7);
      await transport.write(pattern(5, 9));
      await transport.write(big);
      const got = await server.read(5 + big.length);
      assert.deepEqual(got.subarray(0, 5), pattern(5, 9));
      assert.ok(got.subarray(5).every((byte, i) => byte === big[i]));
      transport.close();
    });

    it(`${name} onClose is called once when the server closes`, async () => {
      const h = harness();
      const recorder = new Recorder();
      const [transport, server] = await open(h, recorder);
      server.write(pattern(4, 4));
      server.end();
      await recorder.until(() => recorder.closes.length > 0);
      await macrotask();
      assert.equal(recorder.closes.length, 1);
      assert.deepEqual(recorder.bytes(), pattern(4, 4));
      transport.close();
      await macrotask();
      assert.equal(recorder.closes.length, 1);
    });

    it(`${name} close is idempotent and does not call onClose`, async () => {
      const h = harness();
      const recorder = new Recorder();
      const [transport, server] = await open(h, recorder);
      transport.close();
      transport.close();
      await server.ended;
      await macrotask();
      assert.equal(recorder.closes.length, 0);
    });

    it(`${name} write rejects after close`, async () => {
      const h = harness();
      const [transport] = await open(h, new Recorder());
      transport.close();
      await assert.rejects(transport.write(pattern(1, 1)));
    });

    it(`${name} opener rejects when nothing listens, naming where it tried`, async () => {
      const h = harness();
      const target = h.refusedTarget();
      const where = target.kind === "unix" ? target.path! : `${target.host}:${target.port}`;
      await assert.rejects(h.opener(target, new Recorder()), (error: Error) => {
        assert.match(error.message, new RegExp(where.replace(/[.[\]]/g, "\\$&")));
        return true;
      });
    });

    it(`${name} opener rejects with the reason of an already aborted signal`, async () => {
      const h = harness();
      const reason = new Error("stop");
      await assert.rejects(
        h.opener(h.target(), new Recorder(), { signal: AbortSignal.abort(reason) }),
        (error) => error === reason,
      );
    });

    it(`${name} opener rejects with the abort reason when aborted while connecting`, async () => {
      const h = harness();
      const controller = new AbortController();
      const reason = new Error("give up");
      const opening = h.opener(h.target(), new Recorder(), { signal: controller.signal });
      controller.abort(reason);
      await assert.rejects(opening, (error) => error === reason);
    });
  });
}
