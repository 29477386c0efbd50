/**
 * A client's side of MQTT 5 request/response (`requests.ts`): what `MqttClient`'s `request()`,
 * `respond()` and `handle()` do — the client's `Requests`, made on its first `request()` with the
 * client as their host, the answer to a request, and the responder `handle()` subscribes.
 *
 * @module
 */

import type { AckResult, PublishResult } from "../session/types.ts";
import type { SubscribeOptions } from "./call_options.ts";
import type { MqttClient } from "./client.ts";
import type { ClientLink } from "./_client_link.ts";
import type { Message } from "./message.ts";
import type { Payload } from "./payload.ts";
import {
  answerer,
  type RequestOptions,
  Requests,
  type RespondOptions,
  responseOptions,
  responseTopicOf,
} from "./requests.ts";
import { checkFunction } from "./_validate.ts";

/** `client.request()`: the client's requests, made on the first, send one (see `Requests`). */
export function sendRequest(
  client: MqttClient,
  link: ClientLink,
  topic: string,
  payload: Payload | undefined,
  options: RequestOptions | undefined,
): Promise<Message> {
  const requests = link.requests ??= new Requests({
    clientId: () => client.clientId,
    protocolVersion: client.protocolVersion,
    responseInformation: () => link.responseInformation,
    publish: (t, p, o) => client.publish(t, p, o),
    subscribe: (f, o) => client.subscribe(f, o),
    messageCallbackAdd: (f, fn) => client.messageCallbackAdd(f, fn),
    messageCallbackRemove: (f) => client.messageCallbackRemove(f),
    random: link.options.random,
    log: (level, message) => link.log(level, message),
  });
  try {
    return requests.request(topic, payload ?? null, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `client.respond()`: publishes the answer to `request` on its Response Topic. */
export function respondTo(
  client: MqttClient,
  request: Message,
  payload: Payload | undefined,
  options: RespondOptions | undefined,
): Promise<PublishResult> {
  try {
    return client.publish(responseTopicOf(request), payload, responseOptions(request, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `client.handle()`: answers every request on `filter` with `handler`'s result. */
export function serveRequests(
  client: MqttClient,
  link: ClientLink,
  filter: string,
  handler: (request: Message) => Payload | Promise<Payload>,
  options: SubscribeOptions,
): Promise<AckResult> {
  try {
    checkFunction(handler, "handle handler");
    const answer = answerer(
      filter,
      handler,
      (request, payload) => client.respond(request, payload),
      {
        log: (level, message) => link.log(level, message),
      },
    );
    client.messageCallbackAdd(filter, ({ message }) => answer(message));
    return client.subscribe(filter, options);
  } catch (error) {
    return Promise.reject(error);
  }
}
