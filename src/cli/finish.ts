/**
 * {@link Finish}: how a long-running command (`sub`, `req`) learns it is done, and with which
 * exit code.
 *
 * @module
 */

/** A place to wait for the end of a command, with its exit code and DISCONNECT reason. */
export class Finish {
  /** Whether messages are still handled (mosquitto's `process_messages`). */
  running = true;
  /** The exit code and DISCONNECT reason code of the first {@link end}. */
  result: { code: number; reasonCode: number } | undefined;
  readonly done: Promise<void>;
  #resolve!: () => void;

  constructor() {
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Stops handling messages; the first call sets the outcome. */
  end(code: number, reasonCode = 0): void {
    this.running = false;
    this.result ??= { code, reasonCode };
    this.#resolve();
  }
}
