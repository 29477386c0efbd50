/**
 * The lite client's page for the browser test (`run_chromium.ts`): bundled for the browser with
 * `@korero/mqtt/lite` (`src/lite/mod.ts`, or the npm package's `./lite` export), it puts
 * `koreroLiteChecks` on `globalThis`; the test calls each check with `page.evaluate` and asserts
 * on the plain data it returns. Nothing here asserts: a check reports what happened.
 *
 * @module
 */

import { connect, type QoS } from "../../src/lite/mod.ts";

/** The checks the browser test runs in the lite page. */
const koreroLiteChecks = {
  /**
   * Connects to `url` with `LiteClient`, subscribes at QoS 2, publishes one message at each QoS,
   * and returns what arrived as `[topic, payload, qos]`, in order of arrival.
   */
  async roundTrip(url: string, topic: string): Promise<[string, string, number][]> {
    const client = await connect(url, { protocolVersion: 5, reconnect: false });
    const received: [string, string, number][] = [];
    let wake = () => {};
    client.onMessage = ({ message }) => {
      received.push([message.topic, new TextDecoder().decode(message.payload), message.qos]);
      wake();
    };
    await client.subscribe(topic, { qos: 2 });
    for (const qos of [0, 1, 2] as QoS[]) await client.publish(topic, `lite qos ${qos}`, { qos });
    while (received.length < 3) await new Promise<void>((resolve) => (wake = resolve));
    await client.disconnect();
    return received;
  },
};

/** The type of `globalThis.koreroLiteChecks`, for the test's `page.evaluate` calls. */
export type KoreroLiteChecks = typeof koreroLiteChecks;

(globalThis as { koreroLiteChecks?: KoreroLiteChecks }).koreroLiteChecks = koreroLiteChecks;
