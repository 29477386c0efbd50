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
 * {@link BURST_MS} ms) and lasts only while the pauses gather at least {@link USEFUL_BYTES}
 * each (a stream of ≥ ~1 MB/s). Pauses that gather less (request/response traffic, a slowing
 * stream) end pacing, and the next attempt waits a cool-down that doubles up to
 * {@link MAX_COOLDOWN_MS}, so ping-pong traffic loses at most one tick every few seconds. A read
 * that fills the whole buffer never pauses: more bytes are already waiting.
 *
 * @module
 */

/** Reads that must complete within {@link BURST_MS} before pacing is tried. */
const BURST_READS = 32;
/** 32 reads in 4 ms: more than 8,000 reads a second. */
const BURST_MS = 4;
/** A pause that gathers fewer bytes than this ends pacing. */
const USEFUL_BYTES = 2048;
/** Consecutive pauses that gathered too little before pacing stops. */
const MAX_MISSES = 2;
const MIN_COOLDOWN_MS = 250;
const MAX_COOLDOWN_MS = 8000;

/** Decides, after each read, whether to wait a tick before the next one. */
export class ReadPacer {
  #pacing = false;
  #misses = 0;
  #burstStart = 0;
  #burstReads = 0;
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
      if (n >= USEFUL_BYTES) {
        this.#misses = 0;
        this.#cooldown = MIN_COOLDOWN_MS;
        return this.#tick();
      }
      // (The first read after the first pause is often short, so one miss is forgiven.)
      if (++this.#misses < MAX_MISSES) return this.#tick();
      // The pauses did not pay: stop, and wait longer before trying again.
      this.#pacing = false;
      this.#misses = 0;
      this.#cooldownUntil = this.#now() + this.#cooldown;
      this.#cooldown = Math.min(this.#cooldown * 2, MAX_COOLDOWN_MS);
      return undefined;
    }
    if (this.#burstReads++ === 0) {
      this.#burstStart = this.#now();
      return undefined;
    }
    if (this.#burstReads < BURST_READS) return undefined;
    this.#burstReads = 0;
    const now = this.#now();
    if (now - this.#burstStart > BURST_MS || now < this.#cooldownUntil) return undefined;
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
