/**
 * Bursts of QoS 1 publishes through Mosquitto, over ws:// (and mqtt:// with `--tcp`): 10,000
 * messages of 16 B in rounds of N concurrent `publish()` calls, each round awaited; prints msg/s
 * per N. Shows the ~40 ms stalls described in bench/README.md, "WebSocket on Deno" (Deno's frames
 * over 1 KiB; Mosquitto's Nagle on TCP — `--nodelay` starts it with `set_tcp_nodelay true`).
 * `--stream` measures the other shape instead: a publisher streaming 20,000 messages with
 * `await ready()` before each unawaited `publish()`, to a subscriber, at QoS 0 and 1, 16 B and
 * 1 KiB.
 *
 *   deno run -A bench/ws_bursts.ts [--tcp] [--nodelay] [--windows 1,10,30,31,100] [--stream]
 *   bun bench/ws_bursts.ts
 *
 * @module
 */

import process from "node:process";
import { startMosquitto } from "../tests/_helpers/mosquitto.ts";
import { MqttClient } from "../mod.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const windows = (option("windows") ?? "1,10,30,31,100,300").split(",").map(Number);
const broker = await startMosquitto({
  websockets: true,
  extraConfig: args.includes("--nodelay") ? ["set_tcp_nodelay true"] : [],
});
const url = args.includes("--tcp")
  ? `mqtt://127.0.0.1:${broker.port}`
  : `ws://127.0.0.1:${broker.wsPort}/mqtt`;
const COUNT = 10_000;
const payload = new Uint8Array(16);
/** Streams `count` messages of `size` bytes at `qos` from a publisher to a subscriber: msg/s. */
async function stream(qos: 0 | 1, size: number, count: number): Promise<number> {
  const subscriber = new MqttClient({ url });
  const publisher = new MqttClient({ url });
  await subscriber.connect();
  await publisher.connect();
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  subscriber.onMessage = () => void (++received === count && done());
  await subscriber.subscribe("bench/stream", { qos });
  const body = new Uint8Array(size);
  const failed = () => {};
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await publisher.ready();
    publisher.publish("bench/stream", body, { qos }).catch(failed);
  }
  await all;
  const rate = count / ((performance.now() - started) / 1000);
  await publisher.disconnect();
  await subscriber.disconnect();
  return rate;
}

try {
  if (args.includes("--stream")) {
    for (const qos of [0, 1] as const) {
      for (const size of [16, 1024]) {
        const rate = await stream(qos, size, 20_000);
        console.log(`${url.split(":")[0]} stream QoS ${qos}, ${size} B: ${rate.toFixed(0)} msg/s`);
      }
    }
  }
  for (const inFlight of args.includes("--stream") ? [] : windows) {
    const client = new MqttClient({ url });
    await client.connect();
    const started = performance.now();
    for (let sent = 0; sent < COUNT; sent += inFlight) {
      const round = [];
      for (let i = 0; i < inFlight && sent + i < COUNT; i++) {
        round.push(client.publish("bench/bursts", payload, { qos: 1 }));
      }
      await Promise.all(round);
    }
    const rate = COUNT / ((performance.now() - started) / 1000);
    console.log(`${url.split(":")[0]} ${inFlight} in flight: ${rate.toFixed(0)} msg/s`);
    await client.disconnect();
  }
} finally {
  await broker.stop();
}
