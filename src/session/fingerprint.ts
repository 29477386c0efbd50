/**
 * A message fingerprint: 32-bit FNV-1a over the topic's UTF-8 bytes, one 0xff separator (a byte
 * no UTF-8 text contains, so topic and payload cannot trade bytes) and the payload.
 *
 * It tells a re-sent incoming QoS 2 PUBLISH from a different message on the same packet
 * identifier (a broker that forgot its state after a crash and reused the identifier). It is not
 * a cryptographic hash: two different messages on the same identifier share a fingerprint with a
 * probability of about 1 in 2^32, and then the second is taken for a re-send of the first.
 *
 * @module
 */

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/** The fingerprint of a message: FNV-1a (32 bits) of topic (UTF-8), 0xff, payload. */
export function fingerprint(topic: string, payload: Uint8Array): number {
  let h = OFFSET_BASIS;
  for (let i = 0; i < topic.length; i++) {
    let c = topic.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < topic.length) {
      const low = topic.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      h = Math.imul(h ^ c, PRIME);
    } else if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), PRIME);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), PRIME);
    }
  }
  h = Math.imul(h ^ 0xff, PRIME);
  for (let i = 0; i < payload.length; i++) h = Math.imul(h ^ payload[i]!, PRIME);
  return h >>> 0;
}
