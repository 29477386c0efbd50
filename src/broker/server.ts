/**
 * `BrokerServer`: the broker core with real time — the one timer that serves every deadline
 * the core returns, the authentication hook's promises, and `accept` for the listeners.
 *
 * @module
 */

import { BrokerCore } from "./core/broker_core.ts";
import type { CoreHooks } from "./core/types.ts";
import type { Accept, Peer } from "./listener.ts";
import type { BrokerOptions } from "./options.ts";

/** The longest delay `setTimeout` takes (2^31 - 1 ms); a later deadline is re-checked then. */
const MAX_DELAY_MS = 0x7fffffff;

/** The core, a clock and a timer. */
export class BrokerServer {
  /** The broker's state machine. */
  readonly core: BrokerCore;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline: number | undefined;
  #closed = false;

  /**
   * A server for `options`' limits and hooks.
   *
   * @throws {TypeError | RangeError} a limit of the wrong type or out of range.
   */
  constructor(options: BrokerOptions) {
    const hooks: CoreHooks = {};
    const { authenticate, onLog } = options;
    if (onLog !== undefined) {
      hooks.log = (level, message) => {
        try {
          onLog(level, message);
        } catch {
          // a failing log hook must not break the broker
        }
      };
    }
    if (authenticate !== undefined) {
      hooks.authenticate = (request, done) => {
        const failed = (error: unknown) => {
          hooks.log?.("error", `The authenticate hook failed: ${error}`);
          done(0x80, Date.now());
          this.#schedule();
        };
        try {
          const result = authenticate(request);
          if (typeof result === "boolean" || typeof result === "number") {
            return done(result, Date.now());
          }
          Promise.resolve(result).then((value) => {
            done(value, Date.now());
            this.#schedule();
          }, failed);
        } catch (error) {
          failed(error);
        }
      };
    }
    this.core = new BrokerCore(options, hooks);
  }

  /** Takes a connection from a listener. */
  accept: Accept = (link) => {
    if (this.#closed) {
      link.close();
      return { data() {}, closed() {} };
    }
    const connection = this.core.open(link, Date.now());
    this.#schedule();
    const peer: Peer = {
      data: (bytes) => {
        connection.data(bytes, Date.now());
        this.#schedule();
      },
      closed: () => {
        connection.closed(Date.now());
        this.#schedule();
      },
    };
    return peer;
  };

  /** Disconnects every client (DISCONNECT 0x8B on MQTT 5) and stops the timer. */
  shutdown(): void {
    this.#closed = true;
    this.core.shutdown(Date.now());
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sets the one timer to the core's next deadline. */
  #schedule(): void {
    if (this.#closed) return;
    const deadline = this.core.nextDeadline();
    // A timer due sooner stays: when it fires, the core does nothing early and it is set again.
    if (deadline === undefined || (this.#timer !== undefined && this.#deadline! <= deadline)) {
      return;
    }
    clearTimeout(this.#timer);
    this.#deadline = deadline;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#deadline = undefined;
      this.core.timer(Date.now());
      this.#schedule();
    }, Math.min(MAX_DELAY_MS, Math.max(0, deadline - Date.now())));
  }

  /** Runs the timer's work now, e.g. after a publish from the broker itself. */
  poke(): void {
    this.#schedule();
  }
}
