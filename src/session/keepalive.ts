/**
 * Keepalive arithmetic ([MQTT-3.1.2-20] in MQTT 5, [MQTT-3.1.2-23] in 3.1.1): the client sends
 * PINGREQ when it has sent nothing for the keepalive interval — and also, as paho-mqtt does,
 * when it has received nothing for that long, so a client that only publishes still notices a
 * server that went silent (a half-open connection) — and treats the connection as lost when no
 * PINGRESP arrives within half a keepalive interval after that PINGREQ.
 *
 * Pong timeout choice: half the keepalive interval after the PINGREQ — or after the last bytes
 * received, when later: any packet from the server proves the link alive, and a broker busy with
 * a burst may answer acknowledgements long before the PINGRESP. So a dead idle link is noticed
 * 1.5 intervals after the server was last heard, the same grace the spec gives a server for a
 * silent client ([MQTT-3.1.2-22]), while a live broker still has half an interval (at least
 * {@link MIN_PONG_WAIT_MS}) to answer.
 *
 * Time is whatever the caller passes as `now` (milliseconds).
 *
 * @module
 */

/** The shortest wait for a PINGRESP, for keepalives of a second or two on a busy machine. */
export const MIN_PONG_WAIT_MS = 500;

/** What the keepalive needs at a given time. */
export type KeepAliveDue = "ping" | "timeout" | undefined;

/** Tracks the last packet sent, the last bytes received and an outstanding PINGREQ. */
export class KeepAlive {
  #interval = 0;
  #lastSent = 0;
  #lastReceived = 0;
  #pingSentAt: number | undefined;

  /** The active interval in milliseconds; 0 = keepalive off. */
  get interval(): number {
    return this.#interval;
  }

  /**
   * Starts tracking with `seconds` (0 = off); `lastSent` is when the last packet was written,
   * `lastReceived` when the last one arrived.
   */
  start(seconds: number, lastSent: number, lastReceived: number): void {
    this.#interval = seconds * 1000;
    this.#lastSent = lastSent;
    this.#lastReceived = lastReceived;
    this.#pingSentAt = undefined;
  }

  /** Stops tracking (connection gone). */
  stop(): void {
    this.#interval = 0;
    this.#pingSentAt = undefined;
  }

  /** Records that a packet was written at `now`. */
  sent(now: number): void {
    this.#lastSent = now;
  }

  /** Records that bytes arrived at `now`. */
  received(now: number): void {
    this.#lastReceived = now;
  }

  /** Records that a PINGREQ was written at `now`. */
  pingSent(now: number): void {
    this.#lastSent = now;
    this.#pingSentAt = now;
  }

  /** Records a PINGRESP. */
  pongReceived(): void {
    this.#pingSentAt = undefined;
  }

  /** When `due` next has something to say, or undefined when keepalive is off. */
  deadline(): number | undefined {
    if (this.#interval === 0) return undefined;
    if (this.#pingSentAt !== undefined) return this.#lastHeard() + this.#pongWait();
    return Math.min(this.#lastSent, this.#lastReceived) + this.#interval;
  }

  /** "timeout" when the PINGRESP is overdue, "ping" when a PINGREQ is due, else undefined. */
  due(now: number): KeepAliveDue {
    if (this.#interval === 0) return undefined;
    if (this.#pingSentAt !== undefined) {
      return now >= this.#lastHeard() + this.#pongWait() ? "timeout" : undefined;
    }
    return now >= Math.min(this.#lastSent, this.#lastReceived) + this.#interval
      ? "ping"
      : undefined;
  }

  /** How long a PINGREQ waits for the server to be heard (milliseconds). */
  get pongWait(): number {
    return this.#pongWait();
  }

  #pongWait(): number {
    return Math.max(Math.ceil(this.#interval / 2), Math.min(MIN_PONG_WAIT_MS, this.#interval));
  }

  /** Since when the server has been silent while a PINGREQ is outstanding. */
  #lastHeard(): number {
    return Math.max(this.#pingSentAt ?? 0, this.#lastReceived);
  }
}
