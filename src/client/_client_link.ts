/**
 * One `MqttClient`'s side of its driver and its delivery, as the methods of one object: the
 * driver's events (CONNACKs, refusals, messages, logs, the session closing, `onPreConnect` before
 * each attempt), the delivery's hooks (user callbacks, logs, acknowledgements) and the session's
 * `MessageMaker` (the messages it delivers are the client's). A client thus holds no closures for
 * them, which counts with thousands of idle clients in one process.
 *
 * @module
 */

import type { Properties, QoS } from "../codec/types.ts";
import type { MessageMaker } from "../session/types.ts";
import type { MqttClient } from "./client.ts";
import { Delivery, type DeliveryHooks } from "./delivery.ts";
import type { Driver } from "./driver.ts";
import type { DriverEvent, DriverEvents } from "./driver_types.ts";
import { connectEvent, connectFailEvent, disconnectEvent, refusedEvent } from "./events.ts";
import { ReceivedMessage } from "./message.ts";
import type { Requests } from "./requests.ts";
import type { ResolvedOptions } from "./resolve_options.ts";
import { UserCalls } from "./user_calls.ts";

/**
 * What the driver and the delivery of one client report to it, and that client's state for it.
 * It is also the client's {@link UserCalls} (how the application's callbacks and logger are
 * called), the delivery's `call` and `log` hooks as they are.
 */
export class ClientLink extends UserCalls implements DriverEvents, DeliveryHooks, MessageMaker {
  readonly client: MqttClient;
  readonly options: ResolvedOptions;
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
    super(options.logger, client);
    this.client = client;
    this.options = options;
    this.suppressExceptions = options.suppressExceptions;
    this.delivery = new Delivery(this);
  }

  // DriverEvents

  /** A session event: the client's callbacks, delivery or log. */
  event(event: DriverEvent): void {
    const client = this.client;
    switch (event.type) {
      case "message": // made by newMessage below
        return this.delivery.deliver(event.message as ReceivedMessage, client.onMessage);
      case "connected":
        this.#connectedBefore = true;
        this.responseInformation = event.connack.properties?.responseInformation;
        return void this.call(client.onConnect, connectEvent(event), "onConnect");
      case "connectFailed": {
        const refused = refusedEvent(event, this.#connectedBefore);
        if (refused !== undefined) this.call(client.onConnect, refused, "onConnect");
        return void this.call(client.onConnectFail, connectFailEvent(event), "onConnectFail");
      }
      case "disconnected":
        return void this.call(client.onDisconnect, disconnectEvent(event), "onDisconnect");
      case "log":
        return this.log(event.level, event.message);
    }
  }

  // MessageMaker

  /** The session's messages are the client's: one object per delivery. */
  newMessage(
    topic: string,
    payload: Uint8Array,
    qos: QoS,
    retain: boolean,
    dup: boolean,
    mid: number,
    timestamp: number,
    properties: Properties | undefined,
  ): ReceivedMessage {
    const client = this.client;
    return new ReceivedMessage(
      topic,
      payload,
      qos,
      retain,
      dup,
      mid,
      timestamp,
      properties,
      client,
    );
  }

  /** The session will not reconnect: end the iterators. */
  closed(): void {
    this.delivery.closeStreams();
    this.requests?.close();
  }

  /** Before each connection attempt: `onPreConnect`. */
  preConnect(attempt: number): void {
    this.call(this.client.onPreConnect, { attempt }, "onPreConnect");
  }

  // DeliveryHooks (besides `call` and `log`)

  /** Acknowledges a message every consumer took. */
  acknowledge(message: ReceivedMessage): void {
    this.driver.ack(message.receipt, 0);
  }

  /** Whether acknowledgement is manual now (`client.manualAck`). */
  manual(): boolean {
    return this.client.manualAck;
  }
}
