/**
 * How the client calls the application's code: callbacks and the logger. A callback that throws
 * does not break the client's loop: the exception is logged and re-thrown outside the loop (in
 * a microtask), unless exceptions are suppressed, as paho's `suppress_exceptions`.
 *
 * @module
 */

import type { LogLevel } from "../session/types.ts";
import type { LogEvent } from "./events.ts";

/** Where the `onLog` callback is read, at each line: the client. */
export interface LogSource {
  readonly onLog: ((event: LogEvent) => void) | undefined;
}

/** Calls the application's callbacks and logger for one client. */
export class UserCalls {
  /** Log a throwing callback and swallow the exception instead of re-throwing it. */
  suppressExceptions = false;
  readonly #logger: ((level: LogLevel, message: string) => void) | undefined;
  readonly #client: LogSource;

  /** `logger` is the logger option; `client`'s current `onLog` gets every line too. */
  constructor(
    logger: ((level: LogLevel, message: string) => void) | undefined,
    client: LogSource,
  ) {
    this.#logger = logger;
    this.#client = client;
  }

  /** Hands a log line to the logger option and to `onLog`. */
  log(level: LogLevel, message: string): void {
    const logger = this.#logger;
    if (logger !== undefined) this.call(() => logger(level, message), undefined, "logger");
    const onLog = this.#client.onLog;
    if (onLog !== undefined) this.call(onLog, { level, message }, "onLog");
  }

  /** Calls `callback` (if set) with `event`; false when it threw. */
  call<E>(callback: ((event: E) => void) | undefined, event: E, name: string): boolean {
    if (callback === undefined) return true;
    try {
      callback(event);
      return true;
    } catch (error) {
      if (name !== "onLog" && name !== "logger") {
        this.log("error", `${name} threw: ${String(error)}`);
      }
      if (!this.suppressExceptions) {
        queueMicrotask(() => {
          throw error;
        });
      }
      return false;
    }
  }

  /** Passes on what `result` resolves to, after calling `hook()` (if set) with it. */
  after<T>(
    result: Promise<T>,
    hook: () => ((value: T) => void) | undefined,
    name: string,
  ): Promise<T> {
    return result.then((value) => {
      this.call(hook(), value, name);
      return value;
    });
  }
}
