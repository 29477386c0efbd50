/**
 * The fields of a `-F` format as C's `printf` prints them for mosquitto_sub 2.0
 * (`formatted_print_int`, `_str`, `_blank`, `write_payload`): width, `-` and `0` padding and
 * precision, counted in bytes.
 *
 * @module
 */

import type { Bytes } from "./bytes.ts";

const encoder = new TextEncoder();

/** A field's flags: `-` (align left), `0` (pad with zeros), width, precision (-1 = none). */
export interface Field {
  align: string;
  pad: string;
  width: number;
  precision: number;
}

/** `formatted_print_int`: printf's `%d`, `%-*d`, `%0*d`, `%*d`. */
export function int(out: Bytes, value: number, field: Field): void {
  const text = String(value);
  if (field.width === 0) out.text(text);
  else if (field.align === "-") out.text(text.padEnd(field.width));
  else if (field.pad === "0") {
    out.text(
      value < 0
        ? "-" + String(-value).padStart(field.width - 1, "0")
        : text.padStart(field.width, "0"),
    );
  } else out.text(text.padStart(field.width));
}

/** `formatted_print_str`: printf's `%s` with width and precision, in bytes as C counts them. */
export function str(out: Bytes, value: string | Uint8Array, field: Field): void {
  let bytes = typeof value === "string" ? encoder.encode(value) : value;
  if (field.precision >= 0 && bytes.length > field.precision) {
    bytes = bytes.subarray(0, field.precision);
  }
  const fill = Math.max(0, field.width - bytes.length);
  if (field.align !== "-") out.repeat(" ", fill);
  out.bytes(bytes);
  if (field.align === "-") out.repeat(" ", fill);
}

/** `formatted_print_blank`: `width` times `pad`. */
export function blank(out: Bytes, pad: string, width: number): void {
  out.repeat(pad, width);
}

/** `write_payload`: the payload as it is, or in hex (1: lower case, 2: upper case). */
export function payload(out: Bytes, bytes: Uint8Array, hex: 0 | 1 | 2, field: Field): void {
  let length = bytes.length;
  let padding: number;
  if (field.width > 0) {
    if (length > field.width) length = field.width;
    if (hex > 0) {
      length = Math.trunc(length / 2);
      padding = field.width - length * 2;
    } else {
      padding = field.width - length;
    }
  } else {
    padding = field.width - length;
  }
  if (field.align !== "-") out.repeat(field.pad, padding);
  const shown = bytes.subarray(0, length);
  if (hex === 0) out.bytes(shown);
  else {
    let text = "";
    for (const byte of shown) text += byte.toString(16).padStart(2, "0");
    out.text(hex === 2 ? text.toUpperCase() : text);
  }
  // printf("%*s", padlen, "") with a negative padlen pads to -padlen, as C does.
  if (field.align === "-") out.repeat(" ", Math.abs(padding));
}
