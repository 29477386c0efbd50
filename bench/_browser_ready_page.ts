/**
 * The page side of `browser_ready.ts`: bundled for the browser with korero; `globalThis.stream`
 * streams messages from one client to another on the page and reports the rate and the
 * WebSocket frames sent.
 *
 * @module
 */

import { MqttClient, type QoS } from "../mod.ts";

/** What one streamed case gave. */
export interface StreamResult {
  /** "ready": `await ready()` before each `publish()`; "loop": `publish()` in a tight loop. */
  shape: "ready" | "loop";
  qos: QoS;
  count: number;
  size: number;
  /** Messages per second, first publish to last message received. */
  rate: number;
  /** WebSocket frames the page sent meanwhile (both clients: the subscriber's acknowledgements too). */
  frames: number;
}

const send = WebSocket.prototype.send;
let frames = 0;
WebSocket.prototype.send = function (this: WebSocket, data) {
  frames++;
  return send.call(this, data);
};

/** Streams `count` messages of `size` bytes at `qos` through the broker at `url`. */
async function stream(
  url: string,
  shape: "ready" | "loop",
  qos: QoS,
  count: number,
  size: number,
): Promise<StreamResult> {
  const subscriber = new MqttClient({ url });
  const publisher = new MqttClient({ url });
  await subscriber.connect();
  await publisher.connect();
  const topic = `bench/browser/${shape}/${Date.now()}`;
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  subscriber.onMessage = () => void (++received === count && done());
  await subscriber.subscribe(topic, { qos });
  const body = new Uint8Array(size);
  const failed = () => {};
  frames = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (shape === "ready") await publisher.ready();
    publisher.publish(topic, body, { qos }).catch(failed);
  }
  await all;
  const rate = Math.round(count / ((performance.now() - started) / 1000));
  const sent = frames;
  await publisher.disconnect();
  await subscriber.disconnect();
  return { shape, qos, count, size, rate, frames: sent };
}

(globalThis as { stream?: typeof stream }).stream = stream;
