/**
 * Drives a {@link Session} with a fake clock and a scripted server, and checks the token rule:
 * every token the test hands in is settled at most once, and `assertAllSettled()` says none is
 * left. Written bytes are decoded back into packet objects so tests compare packets.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodePacket, encodePacket } from "../../src/codec/mod.ts";
import type {
  ConnackPacket,
  Packet,
  Properties,
  ProtocolVersion,
  PublishPacket,
  QoS,
  Subscription,
} from "../../src/codec/types.ts";
import { Session } from "../../src/session/session.ts";
import type {
  DisconnectRequest,
  InboundMessage,
  MessageMaker,
  SessionAction,
  SessionOptions,
  Token,
} from "../../src/session/types.ts";

/** A drained action with `write` bytes decoded: `{ type: "write", packet }`. */
export type Step =
  | Exclude<SessionAction, { type: "write" }>
  | { type: "write"; packet: Packet; bytes: Uint8Array };

/** The whole packets in `bytes`, in order (one write may hold several). */
export function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let length = 0;
    let shift = 0;
    let i = at + 1;
    for (;;) {
      const byte = bytes[i++]!;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) break;
    }
    out.push(bytes.subarray(at, i + length));
    at = i + length;
  }
  return out;
}

/** Options every test starts from (MQTT 5, no reconnect, generous limits). */
export function baseOptions(overrides: Partial<SessionOptions> = {}): SessionOptions {
  return {
    protocolVersion: 5,
    clientId: "test-client",
    clean: true,
    keepalive: 0,
    reconnect: false,
    connectTimeout: 10_000,
    operationTimeout: 0,
    maxInflight: 100,
    maxQueued: 100,
    maxQueuedBytes: 1 << 20,
    queueFull: "reject",
    queueQoS0Offline: false,
    resubscribe: true,
    topicAliases: false,
    qos2Delivery: "publish",
    disconnectTimeout: 1000,
    ...overrides,
  };
}

/** A deterministic random source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TokenRecord {
  label: string;
  outcome?: "resolve" | "reject";
  value?: unknown;
  error?: unknown;
}

/** A session, a clock and a token ledger. */
export class Harness {
  readonly session: Session;
  readonly version: ProtocolVersion;
  now = 0;
  readonly #tokens = new Map<Token, TokenRecord>();
  #next = 1;

  /**
   * Acknowledge every delivered QoS 1/2 message as it is drained, as an application that takes
   * each message at once would (set false to acknowledge by hand with `session.ack`).
   */
  autoAck = true;

  /** `messages`: the session's `MessageMaker` (plain messages without). */
  constructor(
    overrides: Partial<SessionOptions> = {},
    random: () => number = () => 0.5,
    messages?: MessageMaker,
  ) {
    const options = baseOptions(overrides);
    this.version = options.protocolVersion;
    this.session = new Session(options, random, messages);
  }

  /** A fresh token, tracked by the ledger. */
  token(label = "op"): Token {
    const token = this.#next++;
    this.#tokens.set(token, { label });
    return token;
  }

  /** Drains the session, decodes writes and records settlements (failing on a second one). */
  drain(): Step[] {
    const actions = [...this.session.drain()];
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      if (this.autoAck && action.type === "message" && action.message.receipt !== 0) {
        this.session.ack(action.message.receipt, 0, this.now);
        actions.splice(i + 1, 0, ...this.session.drain());
      }
    }
    return actions.flatMap((action): Step[] => {
      if (action.type === "resolve" || action.type === "reject") {
        const record = this.#tokens.get(action.token);
        assert.ok(record !== undefined, `token ${action.token} was never handed to the session`);
        assert.equal(
          record.outcome,
          undefined,
          `token ${action.token} (${record.label}) settled twice: ${record.outcome}, then ${action.type}`,
        );
        record.outcome = action.type;
        if (action.type === "resolve") record.value = action.value;
        else record.error = action.error;
      }
      if (action.type === "write") {
        // One step per packet: the session may write several acknowledgements at once.
        return frames(action.bytes).map((bytes) => ({
          type: "write",
          packet: decodePacket(bytes, this.version),
          bytes,
        }));
      }
      return [action];
    });
  }

  /** Drains and returns only the written packets. */
  written(): Packet[] {
    return packets(this.drain());
  }

  /** How `token` was settled so far. */
  outcome(token: Token): TokenRecord {
    const record = this.#tokens.get(token);
    assert.ok(record !== undefined, `unknown token ${token}`);
    return record;
  }

  /** Asserts `token` resolved, and returns its value. */
  resolved(token: Token): unknown {
    const record = this.outcome(token);
    assert.equal(record.outcome, "resolve", `token ${token} (${record.label}) did not resolve`);
    return record.value;
  }

  /** Asserts `token` rejected, and returns its error. */
  rejected(token: Token): unknown {
    const record = this.outcome(token);
    assert.equal(record.outcome, "reject", `token ${token} (${record.label}) did not reject`);
    return record.error;
  }

  /** Asserts `token` is not settled yet. */
  unsettled(token: Token): void {
    const record = this.outcome(token);
    assert.equal(record.outcome, undefined, `token ${token} (${record.label}) is settled`);
  }

  /** Asserts that every token handed out so far has been settled (exactly once). */
  assertAllSettled(): void {
    this.drain();
    const open = [...this.#tokens].filter(([, r]) => r.outcome === undefined);
    assert.deepEqual(open.map(([t, r]) => `${t} (${r.label})`), [], "unsettled tokens");
  }

  // ------------------------------------------------------------ inputs

  /** `connect()` + `transportOpened()`; returns the connect token. CONNECT is left to drain. */
  connect(): Token {
    const token = this.token("connect");
    this.session.connect(token, this.now);
    this.session.transportOpened(this.now);
    return token;
  }

  /** Feeds a packet from the server. */
  serverSends(packet: Packet): void {
    this.session.receive(encodePacket(packet, this.version), this.now);
  }

  /** Feeds a CONNACK. */
  connack(
    sessionPresent = false,
    properties?: Properties,
    reasonCode = 0,
  ): void {
    const packet: ConnackPacket = { type: "connack", sessionPresent, reasonCode };
    if (properties !== undefined) packet.properties = properties;
    this.serverSends(packet);
  }

  /** connect → open → CONNACK; drains and returns the steps. */
  connected(sessionPresent = false, properties?: Properties): Step[] {
    this.connect();
    this.connack(sessionPresent, properties);
    return this.drain();
  }

  /** Moves the clock to `now + ms`, firing `handleTimer` at each deadline on the way. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const deadline = this.session.nextDeadline();
      if (deadline === undefined || deadline > target) break;
      this.now = Math.max(this.now, deadline);
      this.session.handleTimer(this.now);
    }
    this.now = target;
  }

  publish(
    topic: string,
    qos: QoS,
    payload: Uint8Array = new Uint8Array([1]),
    extra: { retain?: boolean; properties?: Properties; label?: string } = {},
  ): Token {
    const token = this.token(extra.label ?? `publish ${topic}`);
    const message = { topic, payload, qos, retain: extra.retain ?? false };
    this.session.publish(
      token,
      extra.properties === undefined ? message : { ...message, properties: extra.properties },
      this.now,
    );
    return token;
  }

  subscribe(subscriptions: Subscription[] | string, properties?: Properties): Token {
    const subs = typeof subscriptions === "string"
      ? [{ topicFilter: subscriptions, qos: 1 as QoS }]
      : subscriptions;
    const token = this.token(`subscribe ${subs.map((s) => s.topicFilter).join(",")}`);
    this.session.subscribe(token, subs, properties, this.now);
    return token;
  }

  unsubscribe(filters: string[], properties?: Properties): Token {
    const token = this.token(`unsubscribe ${filters.join(",")}`);
    this.session.unsubscribe(token, filters, properties, this.now);
    return token;
  }

  disconnect(request: DisconnectRequest = {}): Token {
    const token = this.token("disconnect");
    this.session.disconnect(token, request, this.now);
    return token;
  }

  cancel(token: Token, reason: unknown = new Error("aborted")): void {
    this.session.cancel(token, reason, this.now);
  }
}

/** The packets among `steps`. */
export function packets(steps: Step[]): Packet[] {
  return steps.flatMap((s) => (s.type === "write" ? [s.packet] : []));
}

/** The `type` tags of `steps`, writes shown as `write:<packet type>`, logs left out. */
export function kinds(steps: Step[]): string[] {
  return steps
    .filter((s) => s.type !== "log")
    .map((s) => (s.type === "write" ? `write:${s.packet.type}` : s.type));
}

/** The first step of type `type`. */
export function find<T extends Step["type"]>(
  steps: Step[],
  type: T,
): Extract<Step, { type: T }> {
  const step = steps.find((s) => s.type === type);
  assert.ok(step !== undefined, `no ${type} step in ${JSON.stringify(kinds(steps))}`);
  return step as Extract<Step, { type: T }>;
}

/** `n` bytes of payload. */
export function bytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** The packet-like fields of a delivered message, to compare with the PUBLISH it came in. */
export function delivered(
  message: InboundMessage,
): Omit<PublishPacket, "type" | "packetId"> & { packetId?: number } {
  const { topic, payload, qos, retain, dup, properties, mid } = message;
  const out: Omit<PublishPacket, "type" | "packetId"> & { packetId?: number } = {
    topic,
    payload,
    qos,
    retain,
    dup,
  };
  if (properties !== undefined) out.properties = properties;
  if (qos !== 0) out.packetId = mid;
  return out;
}

/** An incoming PUBLISH (payload `[7]`) for the server to send. */
export function inbound(
  topic: string,
  qos: QoS,
  packetId?: number,
  extra: Partial<PublishPacket> = {},
): PublishPacket {
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: new Uint8Array([7]),
    qos,
    retain: false,
    dup: false,
    ...extra,
  };
  if (packetId !== undefined) packet.packetId = packetId;
  return packet;
}
