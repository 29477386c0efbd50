/**
 * Read pacing for socket adapters: under a dense incoming stream, wait one timer tick between
 * reads so the bytes of many packets arrive in one read, instead of waking up for every packet.
 *
 * Why: a broker writes each packet on its own, so a reader that keeps up wakes once per packet
 * or two (~60 bytes a read). Each wake-up costs kernel time (epoll_wait + recvfrom +
 * scheduling), which on a small machine is CPU the broker and the publisher do not get (figures
 * in bench/README.md).
 *
 * Cost: while pacing, bytes wait up to one timer tick (1–2 ms on Deno) before they are read.
 * Pacing therefore starts only when reads come fast (≥ {@link BURST_READS} reads within
 * {@link BURST_MS} ms) and lasts only while each pause gathers what {@link USEFUL_READS} reads
 * of the burst brought (at least {@link MIN_USEFUL_BYTES}), or {@link USEFUL_BYTES}: a stream of
 * small packets (~8,000 reads a second or more) or of ≥ ~1 MB/s. Pauses that gather less
 * (request/response traffic, a slowing stream) end pacing, and the next attempt waits a
 * cool-down that starts at {@link MIN_COOLDOWN_MS} and doubles up to {@link MAX_COOLDOWN_MS}
 * until a pause is useful again, so ping-pong traffic soon loses at most two ticks every few
 * seconds. A read that fills the whole buffer, whatever its size, never pauses:
 * more bytes are already waiting.
 *
 * @module
 */

/** Reads that must complete within {@link BURST_MS} before pacing is tried. */
const BURST_READS = 32;
/** 32 reads in 4 ms: more than 8,000 reads a second. */
const BURST_MS = 4;
/** A pause that gathers this many bytes is useful, whatever the reads before it brought. */
const USEFUL_BYTES = 2048;
/** A pause that gathers what this many reads of the burst brought on average is useful too. */
const USEFUL_READS = 8;
/** ... but never fewer bytes than this (a pause costs a timer tick of latency). */
const MIN_USEFUL_BYTES = 256;
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
  /** Bytes a pause must gather to count as useful (set when pacing starts). */
  #useful = USEFUL_BYTES;
  #cooldownUntil = 0;
  #cooldown = MIN_COOLDOWN_MS;
  readonly #now: () => number;
  readonly #tick: () => Promise<void>;

  /** `now` and `tick` (wait one timer tick) are replaceable for tests. */
  constructor(now: () => number = performanceNow, tick: () => Promise<void> = timerTick) {
    this.#now = now;
    this.#tick = tick;
  }

  /**
   * Called after each read of `n` bytes (`full`: it filled the read buffer); returns a promise
   * to await before the next read, or undefined to read at once.
   */
  afterRead(n: number, full: boolean): Promise<void> | undefined {
    if (full) return undefined;
    if (this.#pacing) {
      if (n >= this.#useful) {
        if (this.#credit < MAX_CREDIT) this.#credit++;
        this.#cooldown = MIN_COOLDOWN_MS;
        return this.#tick();
      }
      // (The first read after the first pause is often short, so one miss is forgiven.)
      if (--this.#credit >= 0) return this.#tick();
      // The pauses did not pay: stop, and wait longer before trying again.
      this.#pacing = false;
      this.#credit = 1;
      this.#cooldownUntil = this.#now() + this.#cooldown;
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
    if (now - this.#burstStart > BURST_MS || now < this.#cooldownUntil) return undefined;
    const perRead = this.#burstBytes / BURST_READS;
    this.#useful = Math.min(USEFUL_BYTES, Math.max(MIN_USEFUL_BYTES, USEFUL_READS * perRead));
    this.#pacing = true;
    return this.#tick();
  }
}

function performanceNow(): number {
  return performance.now();
}

function timerTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}
