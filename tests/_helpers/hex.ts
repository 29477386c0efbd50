/**
 * Hex helpers for codec fixtures: `hex(bytes)` prints, `fromHex("10 1f 00 04 …")` parses.
 *
 * @module
 */

/** Lower-case hex of `bytes`, one space between bytes ("10 1f 00"). */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += " ";
    out += (bytes[i] as number).toString(16).padStart(2, "0");
  }
  return out;
}

/**
 * Bytes of a hex string. Spaces, tabs, newlines, `|` and `_` separate nothing and are ignored,
 * so fixtures can group fields: `fromHex("10 0c | 00 04 4d51 5454")`.
 */
export function fromHex(text: string): Uint8Array {
  const digits = text.replace(/[\s|_]/g, "");
  if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) {
    throw new TypeError(`fromHex got an odd or non-hex string: "${text}"`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of the UTF-8 bytes of `text`, without separators ("MQTT" → "4d515454"). */
export function utf8Hex(text: string): string {
  return hex(new TextEncoder().encode(text)).replace(/ /g, "");
}

/** Hex of an MQTT UTF-8 string field: two-byte length, then the bytes. */
export function strHex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return bytes.length.toString(16).padStart(4, "0") + utf8Hex(text);
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The UTF-8 bytes of `text` (payload shorthand in fixtures). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
