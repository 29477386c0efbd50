/**
 * The in-flight table: outgoing work that was sent and awaits its acknowledgement, by packet
 * identifier, and the window that bounds it.
 *
 * - QoS 1/2 PUBLISH by packet identifier, each numbered in the order it was sent (the resend
 *   order on session resume), and SUBSCRIBE / UNSUBSCRIBE by packet identifier. All share one
 *   {@link PacketIds} space. Identifiers are allocated counting up, so the PUBLISH table is a
 *   {@link TokenTable} (an array window) rather than a `Map`: a lookup per PUBACK and an insert and
 *   a delete per message, without hashing (see bench/README.md).
 * - The window: at most `window` QoS 1/2 PUBLISH in flight (min(maxInflight, server Receive
 *   Maximum), [MQTT-3.3.4-7]); a QoS 2 message counts until its PUBCOMP.
 * - The held resends: after a session resume, in-flight PUBLISH beyond the new window keep their
 *   packet identifiers but wait (stage `resend`, in their original order) until acknowledgements
 *   free the window; no new QoS 1/2 PUBLISH starts before they have all gone out again.
 *
 * Every step is O(1) (amortised), but listing the PUBLISH in flight in order (a resume) sorts them.
 *
 * @module
 */

import { Fifo } from "./_fifo.ts";
import type { Journal } from "./journal.ts";
import { PacketIds } from "./packet_ids.ts";
import { TokenTable } from "./_token_table.ts";
import type { ControlWork, PublishWork, Work } from "./work.ts";

/** Work in flight, its packet identifiers and the window. */
export class InflightTable {
  /** Packet identifiers of everything in flight. */
  readonly ids: PacketIds = new PacketIds();
  #window: number;
  // Both made on first use (an idle connection that never published keeps neither).
  #publishes: TokenTable<PublishWork> | undefined;
  /** The `sentOrder` of the next PUBLISH taken in flight. */
  #sent = 0;
  #controls: Map<number, ControlWork> | undefined;
  /** Made by the first resume that holds a resend back. */
  #resend: Fifo<PublishWork> | undefined;
  #resendCount = 0;
  #releases = 0;
  readonly #journal: Journal;

  /** `journal` hears of every PUBLISH sent, released and finished. */
  constructor(window: number, journal: Journal) {
    this.#window = window;
    this.#journal = journal;
  }

  /** Maximum QoS 1/2 PUBLISH in flight. */
  get window(): number {
    return this.#window;
  }

  /** QoS 1/2 PUBLISH in flight. */
  get size(): number {
    return this.#publishes?.size ?? 0;
  }

  /** Sets the window for a new connection: min(maxInflight, the server's Receive Maximum). */
  setWindow(window: number): void {
    this.#window = window;
  }

  /** The PUBLISH in flight with `packetId`. */
  publish(packetId: number): PublishWork | undefined {
    return this.#publishes?.get(packetId);
  }

  /** The SUBSCRIBE / UNSUBSCRIBE in flight with `packetId`. */
  control(packetId: number): ControlWork | undefined {
    return this.#controls?.get(packetId);
  }

  /** Whether `work` may be sent now (window and packet identifiers permitting). */
  canStart(work: Work): boolean {
    if (work.type === "publish") return work.message.qos === 0 || this.open;
    return this.ids.available;
  }

  /** Whether a new QoS 1/2 PUBLISH may be sent now (no held resends, window and identifiers). */
  get open(): boolean {
    return this.#resendCount === 0 && this.size < this.#window && this.ids.available;
  }

  /**
   * Marks `work` as sent: assigns its packet identifier and records it in flight. Only after
   * {@link canStart} said yes (the identifier allocation throws when none is free).
   */
  start(work: Work): void {
    if (work.type === "publish" && work.message.qos === 0) {
      work.stage = "done";
      return;
    }
    work.packetId = this.ids.allocate();
    work.stage = "inflight";
    if (work.type === "publish") {
      work.sentOrder = this.#sent++;
      (this.#publishes ??= new TokenTable()).set(work.packetId, work);
      this.#journal.sent(work);
    } else (this.#controls ??= new Map()).set(work.packetId, work);
  }

  /**
   * Takes restored `work` in flight with the packet identifier it has (`released`: past its
   * PUBREC); false when that identifier is taken already.
   */
  adopt(work: PublishWork, released: boolean): boolean {
    if (!this.ids.take(work.packetId)) return false;
    work.sentOrder = this.#sent++;
    (this.#publishes ??= new TokenTable()).set(work.packetId, work);
    work.stage = "inflight";
    if (released) {
      work.releasedOrder = this.#releases++;
      work.stage = "released";
    }
    return true;
  }

  /** Removes finished in-flight `work` and frees its identifier. */
  finish(work: Work): void {
    if (work.stage === "resend") this.#resendCount--;
    if (work.type === "publish") {
      this.#publishes?.delete(work.packetId);
      this.#journal.done(work);
    } else if (this.#controls?.delete(work.packetId) && this.#controls.size === 0) {
      this.#controls = undefined; // an idle client keeps no map
    }
    this.ids.release(work.packetId);
    work.stage = "done";
  }

  /** QoS 2 `work` got its PUBREC: PUBREL sent, PUBCOMP awaited. */
  release(work: PublishWork): void {
    if (work.stage === "resend") this.#resendCount--;
    if (work.stage !== "released") {
      work.releasedOrder = this.#releases++;
      this.#journal.released(work);
    }
    work.stage = "released";
  }

  /** Forgets the held resends (their work stays in flight), before a resume decides again. */
  clearResend(): void {
    const resend = this.#resend;
    if (resend !== undefined) {
      for (const work of resend.takeAll()) if (work.stage === "resend") work.stage = "inflight";
    }
    this.#resendCount = 0;
  }

  /** Holds in-flight `work` back on resume: it goes out again once the window has room. */
  hold(work: PublishWork): void {
    work.stage = "resend";
    (this.#resend ??= new Fifo()).push(work);
    this.#resendCount++;
  }

  /**
   * The first held resend, taken (stage `inflight` again), when the window has room for it;
   * undefined when none is held or the window is full.
   */
  nextResend(): PublishWork | undefined {
    const resend = this.#resend;
    if (resend === undefined) return undefined;
    let head = resend.peek();
    while (head !== undefined && head.stage !== "resend") {
      resend.shift();
      head = resend.peek();
    }
    if (head === undefined || this.size - this.#resendCount >= this.#window) {
      return undefined;
    }
    resend.shift();
    this.#resendCount--;
    head.stage = "inflight";
    return head;
  }

  /** The QoS 1/2 PUBLISH in flight, in the order they were first sent. */
  publishes(): IterableIterator<PublishWork> {
    const all = this.#publishes === undefined ? [] : [...this.#publishes.values()];
    return all.sort((a, b) => a.sentOrder! - b.sentOrder!).values();
  }

  /** Removes every in-flight PUBLISH (order kept) and frees their identifiers. */
  takePublishes(): PublishWork[] {
    this.clearResend();
    const all = [...this.publishes()];
    for (const work of all) this.ids.release(work.packetId);
    this.#publishes = undefined;
    return all;
  }

  /** Removes every in-flight SUBSCRIBE / UNSUBSCRIBE (order kept) and frees their identifiers. */
  takeControls(): ControlWork[] {
    const all = this.#controls === undefined ? [] : [...this.#controls.values()];
    for (const work of all) this.ids.release(work.packetId);
    this.#controls = undefined;
    return all;
  }
}
