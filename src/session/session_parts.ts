/**
 * The parts a session is made of — its effect sink, lifecycle, outbox (and the outbox's own
 * parts), incoming side and disconnection — built for one session, and handed as one record to
 * the modules of its calls (`connect_calls.ts`, `disconnection.ts`, `restore.ts`).
 *
 * @module
 */

import { Disconnection } from "./disconnection.ts";
import { Effects } from "./effects.ts";
import { Journal } from "./journal.ts";
import { Lifecycle } from "./lifecycle.ts";
import { Outbox } from "./outbox.ts";
import { type OutboxParts, outboxParts } from "./outbox_parts.ts";
import { PublishIn } from "./publish_in.ts";
import type { MessageMaker, SessionOptions } from "./types.ts";

/** The parts of one session. */
export interface SessionParts {
  readonly options: SessionOptions;
  readonly fx: Effects;
  readonly life: Lifecycle;
  readonly outbox: Outbox;
  readonly outboxParts: OutboxParts;
  readonly publishIn: PublishIn;
  readonly disconnection: Disconnection;
}

/**
 * The parts of a session for `options`; `random` returns numbers in [0, 1); `messages` makes the
 * messages delivered.
 */
export function sessionParts(
  options: SessionOptions,
  random: () => number,
  messages?: MessageMaker,
): SessionParts {
  const fx = new Effects(options.protocolVersion, options.trace === true);
  const journal = new Journal(fx, options.persist === true);
  const parts = outboxParts(options, journal);
  return {
    options,
    fx,
    life: new Lifecycle(options, random),
    outbox: new Outbox(parts),
    outboxParts: parts,
    publishIn: new PublishIn(options, journal, messages),
    disconnection: new Disconnection(),
  };
}
