/**
 * Observing what the client re-throws outside its loop (a callback that threw).
 *
 * @module
 */

import process from "node:process";

/** bun test counts any uncaught error as a failure of the test, even one it listens for. */
export const skipOnBun: { skip: string | false } = {
  skip: "Bun" in globalThis ? "bun test cannot observe an uncaught error" : false,
};

/** Runs `body` while collecting the uncaught exceptions into the array it receives. */
export async function withUncaught(body: (uncaught: unknown[]) => Promise<void>): Promise<void> {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  try {
    await body(uncaught);
  } finally {
    process.off("uncaughtException", onUncaught);
  }
}
