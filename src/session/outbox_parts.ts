/**
 * The parts an outbox is made of — the in-flight table, the send queue, the operations, the
 * PUBLISH and SUBSCRIBE flows and the journal — built for one session, and handed as one record
 * to the functions of `resume.ts` and `restore.ts`.
 *
 * @module
 */

import { InflightTable } from "./inflight.ts";
import type { Journal } from "./journal.ts";
import { Operations } from "./operations.ts";
import { PublishOut } from "./publish_out.ts";
import { SendQueue } from "./send_queue.ts";
import { SubscribeOut } from "./subscribe_out.ts";
import type { SessionOptions } from "./types.ts";

/** The parts of one outbox. */
export interface OutboxParts {
  readonly options: SessionOptions;
  readonly inflight: InflightTable;
  readonly queue: SendQueue;
  readonly ops: Operations;
  readonly publishes: PublishOut;
  readonly subscribes: SubscribeOut;
  readonly journal: Journal;
}

/** The parts of an outbox for `options`; `journal` hears of every change a session store keeps. */
export function outboxParts(options: SessionOptions, journal: Journal): OutboxParts {
  const v = options.protocolVersion;
  const inflight = new InflightTable(options.maxInflight, journal);
  const queue = new SendQueue(options.maxQueued, options.maxQueuedBytes);
  const ops = new Operations(options.operationTimeout);
  const publishes = new PublishOut(v, options.topicAliases, inflight, ops, journal);
  const subscribes = new SubscribeOut(v, inflight, ops, journal);
  return { options, inflight, queue, ops, publishes, subscribes, journal };
}
