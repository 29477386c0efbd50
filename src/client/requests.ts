/**
 * MQTT 5 request/response for a client: `request()` publishes with a Response Topic and a
 * Correlation Data of its own and resolves with the message that comes back carrying that
 * Correlation Data; `respond()` answers a request; `handle()` answers every request on a filter.
 *
 * One response subscription per client, made on the first request: a topic under the CONNACK's
 * Response Information when the server gave one (ask with the CONNECT property
 * `requestResponseInformation: true`), else under `<clientId>/responses/`, ending in a random
 * part so that two clients with one identifier do not read each other's responses. Each request
 * gets a correlation id (the random part and a counter); a response nobody waits for any more
 * (after a timeout or an abort) is dropped with a log line.
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";
import { ConnectionClosedError, TimeoutError } from "../errors.ts";
import type { PublishResult } from "../session/types.ts";
import type { AckResult, LogLevel } from "../session/types.ts";
import type { PublishOptions, SubscribeOptions } from "./call_options.ts";
import type { MessageEvent } from "./events.ts";
import type { Message } from "./message.ts";
import type { Payload } from "./payload.ts";

/** Options of `request()`. */
export interface RequestOptions {
  /**
   * QoS of the request, and of the response subscription (made on the first request).
   * @default 1
   */
  qos?: QoS;
  /**
   * Milliseconds to wait for the response; 0 = no limit.
   * @default 30000
   */
  timeout?: number;
  /** Aborting gives up waiting; the promise rejects with the reason. */
  signal?: AbortSignal;
  /** More MQTT 5 PUBLISH properties (Response Topic and Correlation Data are set by korero). */
  properties?: Properties;
}

/** Options of `respond()` (as `publish()`'s; the QoS defaults to the request's). */
export type RespondOptions = Omit<PublishOptions, "retain">;

/** What the requests of one client need from it. */
export interface RequestHost {
  /** The client identifier in use. */
  clientId(): string;
  readonly protocolVersion: number;
  /** The Response Information of the last CONNACK, if the server gave one. */
  responseInformation(): string | undefined;
  publish(topic: string, payload: Payload, options: PublishOptions): Promise<PublishResult>;
  subscribe(filter: string, options: SubscribeOptions): Promise<AckResult>;
  messageCallbackAdd(filter: string, callback: (event: MessageEvent) => void): void;
  messageCallbackRemove(filter: string): void;
  random(): number;
  log(level: LogLevel, message: string): void;
}

interface Pending {
  resolve(message: Message): void;
  reject(error: unknown): void;
  cleanup(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The request/response state of one client. */
export class Requests {
  readonly #host: RequestHost;
  readonly #pending = new Map<string, Pending>();
  #topic: string | undefined;
  #subscribed: Promise<unknown> | undefined;
  readonly #prefix: string;
  #next = 0;

  constructor(host: RequestHost) {
    this.#host = host;
    this.#prefix = Math.floor(host.random() * 0xffffffff).toString(16).padStart(8, "0");
  }

  /** Requests waiting for their response. */
  get pending(): number {
    return this.#pending.size;
  }

  /** The topic responses come to (made on the first request). */
  get responseTopic(): string | undefined {
    return this.#topic;
  }

  /** See `MqttClient.request`. */
  async request(topic: string, payload: Payload, options: RequestOptions = {}): Promise<Message> {
    const host = this.#host;
    if (host.protocolVersion !== 5) {
      throw new RangeError(
        `request() needs MQTT 5 (protocolVersion 5): MQTT ${
          host.protocolVersion === 4 ? "3.1.1" : "3.1"
        } has no response topic or correlation data`,
      );
    }
    const qos = options.qos ?? 1;
    const timeout = options.timeout ?? 30_000;
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 2_147_483_647) {
      throw new RangeError(
        `request timeout must be an integer of milliseconds ≥ 0, got ${timeout}`,
      );
    }
    options.signal?.throwIfAborted();
    const responseTopic = await this.#responses(qos);
    const id = `${this.#prefix}-${(this.#next++).toString(36)}`;
    const response = new Promise<Message>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => settle.reject(options.signal!.reason);
      const settle: Pending = {
        resolve,
        reject,
        cleanup: () => {
          this.#pending.delete(id);
          if (timer !== undefined) clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      };
      settle.resolve = (message) => {
        settle.cleanup();
        resolve(message);
      };
      settle.reject = (error) => {
        settle.cleanup();
        reject(error);
      };
      this.#pending.set(id, settle);
      if (timeout > 0) {
        timer = setTimeout(() => {
          settle.reject(
            new TimeoutError(`No response to the request on "${topic}" within ${timeout} ms`),
          );
        }, timeout);
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    const properties: Properties = {
      ...options.properties,
      responseTopic,
      correlationData: encoder.encode(id),
    };
    const publishOptions: PublishOptions = { qos, properties };
    if (options.signal !== undefined) publishOptions.signal = options.signal;
    host.publish(topic, payload, publishOptions).catch((error) =>
      this.#pending.get(id)?.reject(error)
    );
    return response;
  }

  /** The response topic, subscribed once (again after a failed attempt). */
  async #responses(qos: QoS): Promise<string> {
    const host = this.#host;
    if (this.#topic === undefined) {
      const base = host.responseInformation()?.replace(/\/+$/, "") ||
        `${host.clientId()}/responses`;
      this.#topic = `${base}/${this.#prefix}`;
      host.messageCallbackAdd(this.#topic, ({ message }) => this.#response(message));
    }
    const topic = this.#topic;
    this.#subscribed ??= host.subscribe(topic, { qos }).then((result) => {
      const code = result.reasonCodes[0] ?? 0x80;
      if (code >= 0x80) {
        throw new RangeError(
          `The server refused the response subscription "${topic}" (0x${code.toString(16)})`,
        );
      }
    });
    try {
      await this.#subscribed;
    } catch (error) {
      this.#subscribed = undefined;
      throw error;
    }
    return topic;
  }

  #response(message: Message): void {
    const data = message.properties?.correlationData;
    const id = data === undefined ? undefined : decoder.decode(data);
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (pending === undefined) {
      this.#host.log(
        "info",
        `Dropped a response on "${message.topic}": no request waits for its correlation data (timed out, aborted, or not ours)`,
      );
      return;
    }
    pending.resolve(message);
  }

  /** The client closed for good: every waiting request rejects. */
  close(): void {
    for (const pending of [...this.#pending.values()]) {
      pending.reject(new ConnectionClosedError("The client disconnected before the response came"));
    }
  }
}

/** The Response Topic of `request`, or a TypeError naming what is missing. */
export function responseTopicOf(request: Message): string {
  const topic = request.properties?.responseTopic;
  if (topic === undefined || topic === "") {
    throw new TypeError(
      `respond() needs a request with a Response Topic (MQTT 5); the message on "${request.topic}" has none`,
    );
  }
  return topic;
}

/** The PUBLISH options of a response to `request`: its Correlation Data, its QoS by default. */
export function responseOptions(request: Message, options: RespondOptions = {}): PublishOptions {
  const properties: Properties = { ...options.properties };
  const correlation = request.properties?.correlationData;
  if (correlation !== undefined) properties.correlationData = correlation;
  const result: PublishOptions = { qos: options.qos ?? request.qos, properties };
  if (options.signal !== undefined) result.signal = options.signal;
  return result;
}

/**
 * What `handle(filter, handler)` does with each message on `filter`: answers a request with what
 * `handler` returns (through `respond`); logs a message without a Response Topic (`warn`) and a
 * handler that throws (`error`), answering neither.
 */
export function answerer(
  filter: string,
  handler: (request: Message) => Payload | Promise<Payload>,
  respond: (request: Message, payload: Payload) => Promise<unknown>,
  host: Pick<RequestHost, "log">,
): (request: Message) => void {
  return (request) => {
    if (request.properties?.responseTopic === undefined) {
      return host.log(
        "warn",
        `handle("${filter}"): a message without a Response Topic on "${request.topic}" was not answered`,
      );
    }
    Promise.resolve().then(() => handler(request)).then((payload) => respond(request, payload))
      .catch((error) => {
        const text = error instanceof Error ? error.message : String(error);
        host.log(
          "error",
          `handle("${filter}"): no response to a request on "${request.topic}": ${text}`,
        );
      });
  };
}
