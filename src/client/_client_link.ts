/**
 * One `MqttClient`'s side of its driver and its delivery, as the methods of one object: the
 * driver's events (CONNACKs, refusals, messages, logs, the session closing, `onPreConnect` before
 * each attempt) and the delivery's hooks (user callbacks, logs, acknowledgements). A client thus
 * holds no closures for them, which counts with thousands of idle clients in one process.
 *
 * @module
 */

import type { LogLevel } from "../session/types.ts";
import type { MqttClient } from "./client.ts";
import type { DeliveryHooks } from "./delivery.ts";
import { Delivery } from "./delivery.ts";
import type { Driver } from "./driver.ts";
import type { DriverEvent, DriverEvents } from "./driver_types.ts";
import {
  connectEvent,
  connectFailEvent,
  disconnectEvent,
  type MessageEvent,
  refusedEvent,
} from "./events.ts";
import { ReceivedMessage } from "./message.ts";
import type { Requests } from "./requests.ts";
import type { ResolvedOptions } from "./resolve_options.ts";
import { UserCalls } from "./user_calls.ts";

/** What the driver and the delivery of one client report to it, and that client's state for it. */
export class ClientLink implements DriverEvents, DeliveryHooks {
  readonly client: MqttClient;
  readonly options: ResolvedOptions;
  /** Calls the application's callbacks and logger. */
  readonly calls: UserCalls;
  readonly delivery: Delivery;
  /** The client's driver, set as soon as it is made (by `startDriver`). */
  driver!: Driver;
  /** Request/response state, made by the first `request()`. */
  requests: Requests | undefined;
  /** The Response Information of the last CONNACK (MQTT 5). */
  responseInformation: string | undefined;
  /** Whether a CONNACK was accepted before (a refusal's `onConnect` says `reconnect`). */
  #connectedBefore = false;

  constructor(client: MqttClient, options: ResolvedOptions) {
    this.client = client;
    this.options = options;
    this.calls = new UserCalls(options.logger, client);
    this.delivery = new Delivery(this);
  }

  // DriverEvents

  /** A session event: the client's callbacks, delivery or log. */
  event(event: DriverEvent): void {
    const client = this.client;
    const calls = this.calls;
    switch (event.type) {
      case "message": {
        const message = new ReceivedMessage(event.message, client);
        return this.delivery.deliver(message, client.onMessage);
      }
      case "connected":
        this.#connectedBefore = true;
        this.responseInformation = event.connack.properties?.responseInformation;
        return void calls.call(client.onConnect, connectEvent(event), "onConnect");
      case "connectFailed": {
        const refused = refusedEvent(event, this.#connectedBefore);
        if (refused !== undefined) calls.call(client.onConnect, refused, "onConnect");
        return void calls.call(client.onConnectFail, connectFailEvent(event), "onConnectFail");
      }
      case "disconnected":
        return void calls.call(client.onDisconnect, disconnectEvent(event), "onDisconnect");
      case "log":
        return calls.log(event.level, event.message);
    }
  }

  /** The session will not reconnect: end the iterators. */
  closed(): void {
    this.delivery.closeStreams();
    this.requests?.close();
  }

  /** Before each connection attempt: `onPreConnect`. */
  preConnect(attempt: number): void {
    this.calls.call(this.client.onPreConnect, { attempt }, "onPreConnect");
  }

  // DeliveryHooks

  /** Calls a message callback; false when it threw. */
  call(callback: (event: MessageEvent) => void, event: MessageEvent, name: string): boolean {
    return this.calls.call(callback, event, name);
  }

  /** Writes a log line. */
  log(level: LogLevel, message: string): void {
    this.calls.log(level, message);
  }

  /** Acknowledges a message every consumer took. */
  acknowledge(message: ReceivedMessage): void {
    this.driver.ack(message.receipt, 0);
  }

  /** Whether acknowledgement is manual now (`client.manualAck`). */
  manual(): boolean {
    return this.client.manualAck;
  }
}
