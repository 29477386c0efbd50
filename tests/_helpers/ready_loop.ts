/**
 * The documented publishing loop (`await ready()` before each `publish()`) with the WebSocket
 * frames sent meanwhile counted, for the tests that run in a browser and in workerd.
 *
 * @module
 */

import type { MqttClient } from "../../mod.ts";

/** What {@link readyLoop} gave. */
export interface ReadyLoopResult {
  /** WebSocket frames sent (by every socket) while the loop ran. */
  frames: number;
  /** Publishes that resolved. */
  resolved: number;
  /** Messages `subscriber` received. */
  received: number;
}

/**
 * Subscribes `subscriber` to `topic` (taking its `onMessage`), then has `publisher` (it may be the
 * same client) publish `count` QoS 0 messages there, and waits until all arrived.
 */
export async function readyLoop(
  publisher: MqttClient,
  subscriber: MqttClient,
  topic: string,
  count: number,
): Promise<ReadyLoopResult> {
  let received = 0;
  let wake = () => {};
  subscriber.onMessage = () => (received++, wake());
  await subscriber.subscribe(topic, { qos: 0 });
  const send = WebSocket.prototype.send;
  let frames = 0;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    frames++;
    return send.call(this, data);
  };
  let resolved = 0;
  try {
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      await publisher.ready();
      publishes.push(publisher.publish(topic, `message ${i}`).then(() => resolved++));
    }
    await Promise.all(publishes);
  } finally {
    WebSocket.prototype.send = send;
  }
  while (received < count) await new Promise<void>((resolve) => (wake = resolve));
  return { frames, resolved, received };
}
