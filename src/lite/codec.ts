/**
 * The compact codec of the lite client: {@link encode} for the packets a client sends and a
 * streaming {@link Decoder} for the packets it receives, MQTT 3.1.1 and 5.0 only.
 *
 * It writes the same bytes and reads the same packet objects as the full codec (`src/codec/`),
 * and refuses what that refuses with the same error classes (MQTT 5 properties on a 3.1.1
 * packet included: a RangeError), in a fraction of its size: `encode.ts`, `decode.ts`, and
 * `_wire.ts` with the one property table both directions use.
 *
 * @module
 */

export { encode } from "./encode.ts";
export { Decoder } from "./decode.ts";
