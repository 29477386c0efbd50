/**
 * Read pacing for socket adapters: under a dense incoming stream, pause ~2 ms between reads so
 * the bytes of many packets arrive in one read, instead of waking up for every packet.
 *
 * Why: a broker writes each packet on its own, so a reader that keeps up wakes once per packet
 * or two (~60 bytes a read). Each wake-up costs kernel time (epoll_wait + recvfrom +
 * scheduling), which on a small machine is CPU the broker and the publisher do not get (figures
 * in bench/README.md).
 *
 * Cost: while pacing, bytes wait up to one pause ({@link PAUSE_MS} ms) before they are read.
 * Pacing therefore starts only when reads come fast (≥ {@link BURST_READS} reads within
 * {@link BURST_MS} ms, 4,000 a second or more) and lasts only while it does not slow the stream:
 * each pause must gather {@link KEEP_RATE} of what the stream brought in as long before pacing
 * began (or {@link USEFUL_BYTES}). A stream the sender paces itself (QoS 0, a broker relaying a
 * publisher) brings as much per pause as it did before; traffic that waits on the client's own
 * replies brings less (request/response), and pacing ends, and the next attempt waits a
 * cool-down that starts at {@link MIN_COOLDOWN_MS} and doubles up to {@link MAX_COOLDOWN_MS}
 * until a pause is useful again, so such traffic soon loses at most two pauses every few
 * seconds. Never paused: a read that filled the whole buffer, whatever its size (more bytes are
 * already waiting), and one the receiver wants followed at once (the client, while its in-flight
 * window is full: the acknowledgements it reads next let its queued messages go; paced, a
 * publisher with `maxInflight: 20` sent one window a pause).
 *
 * @module
 */

/**
 * How long a pause lasts, about: the longer, the more packets one read takes, and the longer a
 * packet of a dense stream may wait. (A QoS 2 subscriber on Bun, whose 1 ms timer fires after
 * 1.1 ms: 41 µs/msg with 1 ms pauses, 31 with 2; Deno's 1 ms timer fires after ~2.1 ms.)
 */
const PAUSE_MS = 2;
/** Reads that must complete within {@link BURST_MS} before pacing is tried. */
const BURST_READS = 32;
/** 32 reads in 8 ms: 4,000 reads a second or more. */
const BURST_MS = 8;
/**
 * A pause is useful when the read after it brought at least this share of what the stream
 * brought in the same time before pacing began: pacing then costs the stream little or nothing
 * (traffic that waits on the client's replies brings much less per pause, and is then better
 * read as it comes).
 */
const KEEP_RATE = 0.7;
/** A pause that gathers this many bytes is useful, whatever the stream brought before. */
const USEFUL_BYTES = 2048;
/**
 * Pacing keeps a credit of pauses: it starts at 1, a useful pause adds one (up to this), a pause
 * that gathered too little takes one, and pacing stops below 0. So two misses in a row stop it
 * at first, and up to this many more once a stream was paced (a short read now and then, right
 * after a large one, is no reason to stop).
 */
const MAX_CREDIT = 4;
/**
 * The first cool-down is short: a QoS 2 stream stalls now and then (the broker waits for
 * acknowledgements), and each stall that ends pacing would otherwise leave the rest of a dense
 * stream unpaced for a quarter of a second. Ping-pong traffic backs off to the maximum within a
 * few seconds anyway.
 */
const MIN_COOLDOWN_MS = 16;
const MAX_COOLDOWN_MS = 8000;

/** Decides, after each read, whether to wait a tick before the next one. */
export class ReadPacer {
  #pacing = false;
  #credit = 1;
  #burstStart = 0;
  #burstReads = 0;
  #burstBytes = 0;
  /** Bytes a millisecond the stream brought before pacing began (set when it begins). */
  #rate = 0;
  /** When the current pause began. */
  #pausedAt = 0;
  #cooldownUntil = 0;
  #cooldown = MIN_COOLDOWN_MS;
  readonly #pauseMs: number;
  readonly #now: () => number;
  readonly #wait: (ms: number) => Promise<void>;

  /**
   * `pauseMs`: the delay asked of the runtime's timer for a pause, so that a pause lasts about
   * {@link PAUSE_MS} there (Deno's timers fire a millisecond late: 1 waits ~2 ms). `now` and
   * `wait` are replaceable for tests.
   */
  constructor(
    pauseMs: number = PAUSE_MS,
    now: () => number = performanceNow,
    wait: (ms: number) => Promise<void> = timerWait,
  ) {
    this.#pauseMs = pauseMs;
    this.#now = now;
    this.#wait = wait;
  }

  /**
   * Called after each read of `n` bytes; returns a promise to await before the next read, or
   * undefined to read at once. `readOn`: read at once whatever the stream, as the read filled
   * the buffer (more is waiting) or the receiver asked for the next bytes without delay.
   */
  afterRead(n: number, readOn: boolean): Promise<void> | undefined {
    if (readOn) return undefined;
    if (this.#pacing) {
      const now = this.#now();
      const expected = Math.min(USEFUL_BYTES, KEEP_RATE * this.#rate * (now - this.#pausedAt));
      if (n >= expected) {
        if (this.#credit < MAX_CREDIT) this.#credit++;
        this.#cooldown = MIN_COOLDOWN_MS;
        return this.#pause(now);
      }
      // (The first read after the first pause is often short, so one miss is forgiven.)
      if (--this.#credit >= 0) return this.#pause(now);
      // The pauses did not pay: stop, and wait longer before trying again.
      this.#pacing = false;
      this.#credit = 1;
      this.#cooldownUntil = now + this.#cooldown;
      this.#cooldown = Math.min(this.#cooldown * 2, MAX_COOLDOWN_MS);
      return undefined;
    }
    if (this.#burstReads++ === 0) {
      this.#burstStart = this.#now();
      this.#burstBytes = n;
      return undefined;
    }
    this.#burstBytes += n;
    if (this.#burstReads < BURST_READS) return undefined;
    this.#burstReads = 0;
    const now = this.#now();
    const elapsed = now - this.#burstStart;
    if (elapsed > BURST_MS || now < this.#cooldownUntil) return undefined;
    // (The first read's bytes arrived before the burst's clock started: a slight overestimate.)
    this.#rate = this.#burstBytes / Math.max(elapsed, 0.001);
    this.#pacing = true;
    return this.#pause(now);
  }

  #pause(now: number): Promise<void> {
    this.#pausedAt = now;
    return this.#wait(this.#pauseMs);
  }
}

function performanceNow(): number {
  return performance.now();
}

function timerWait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
