/**
 * How `sub` and `req` print a message, byte for byte as mosquitto_sub 2.0 does
 * (`sub_client_output.c`): the payload alone, `-v` (`topic payload`), or a `-F` format with
 * `%` fields (`%t %p %q %r %l %m %x %X %U %I %j %J %P %C %D %E %F %R %S %A %%`, with `-`, `0`,
 * width and precision), `@` time fields (`strftime`'s, `@N` nanoseconds, `@@`) and `\` escapes
 * (`\\ \0 \a \e \n \r \t \v`).
 *
 * @module
 */

import type { Message } from "../client/message.ts";
import type { Properties } from "../codec/types.ts";
import type { Config } from "./config.ts";
import { strftime, strftimeField, type WallTime } from "./strftime.ts";
import { UsageError } from "./usage_error.ts";
import { Bytes } from "./bytes.ts";
import { messageJson } from "./json_output.ts";

const encoder = new TextEncoder();

/** The `%` conversions mosquitto knows. */
const CONVERSIONS = "%ACDEFIlmPpqRSrtjJUxX";
/** The `\` escapes mosquitto knows, and the byte each stands for. */
const ESCAPES: Record<string, number> = {
  "\\": 0x5c,
  "0": 0x00,
  "a": 0x07,
  "e": 0x1b,
  "n": 0x0a,
  "r": 0x0d,
  "t": 0x09,
  "v": 0x0b,
};

/**
 * Checks a `-F` format as mosquitto does (`check_format`).
 *
 * @throws {UsageError} with mosquitto's message for an incomplete or unknown specifier
 */
export function checkFormat(format: string): void {
  const incomplete = () => new UsageError("Error: Incomplete format specifier.");
  const len = format.length;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  for (let i = 0; i < len; i++) {
    const c = format[i];
    if (c === "%") {
      if (i === len - 1) throw incomplete();
      if (format[i + 1] === "0" || format[i + 1] === "-") {
        i++;
        if (i === len - 1) throw incomplete();
      }
      while (isDigit(format[i + 1])) {
        i++;
        if (i === len - 1) throw incomplete();
      }
      if (format[i + 1] === ".") {
        i++;
        if (i === len - 1) throw incomplete();
        while (isDigit(format[i + 1])) {
          i++;
          if (i === len - 1) throw incomplete();
        }
      }
      const spec = format[i + 1]!;
      if (!CONVERSIONS.includes(spec)) {
        throw new UsageError(`Error: Invalid format specifier '${spec}'.`);
      }
      i++;
    } else if (c === "@") {
      if (i === len - 1) throw incomplete();
      i++;
    } else if (c === "\\") {
      if (i === len - 1) throw new UsageError("Error: Incomplete escape specifier.");
      const spec = format[i + 1]!;
      if (ESCAPES[spec] === undefined) {
        throw new UsageError(`Error: Invalid escape specifier '${spec}'.`);
      }
      i++;
    }
  }
}

/** How messages are printed: `-F`, `-v`, `-N`, `--pretty`. */
export interface PrintSettings {
  format: string | undefined;
  verbose: boolean;
  /** Not `-N`: a newline after each message. */
  eol: boolean;
  pretty: boolean;
}

/** `config`'s print settings. */
export function printSettings(config: Config): PrintSettings {
  return {
    format: config.format,
    verbose: config.verbose,
    eol: config.eol,
    pretty: config.pretty,
  };
}

/** A field's flags: `-` (align left), `0` (pad with zeros), width, precision (-1 = none). */
interface Field {
  align: string;
  pad: string;
  width: number;
  precision: number;
}

/**
 * The bytes mosquitto_sub prints for `message` received at `time`. `error` receives what
 * mosquitto prints to standard error (a `%J` payload that is not JSON).
 */
export function formatMessage(
  settings: PrintSettings,
  message: Message,
  time: WallTime,
  error: (text: string) => void,
): Uint8Array {
  const out = new Bytes();
  if (settings.format !== undefined) {
    formatted(out, settings, settings.format, message, time, error);
    if (settings.eol) out.byte(0x0a);
  } else if (settings.verbose) {
    if (message.payload.length > 0) {
      out.text(`${message.topic} `);
      out.bytes(message.payload);
      if (settings.eol) out.byte(0x0a);
    } else if (settings.eol) {
      out.text(`${message.topic} (null)\n`);
    }
  } else if (message.payload.length > 0) {
    out.bytes(message.payload);
    if (settings.eol) out.byte(0x0a);
  }
  return out.result();
}

/** `formatted_print`: the `-F` format, walked as mosquitto walks it. */
function formatted(
  out: Bytes,
  settings: PrintSettings,
  format: string,
  message: Message,
  time: WallTime,
  error: (text: string) => void,
): void {
  const len = format.length;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  for (let i = 0; i < len; i++) {
    const c = format[i]!;
    if (c === "%") {
      const field: Field = { align: "", pad: " ", width: 0, precision: -1 };
      if (i < len - 1) {
        i++;
        if (format[i] === "-") {
          field.align = "-";
          if (i < len - 1) i++;
        }
        if (format[i] === "0") {
          field.pad = "0";
          if (i < len - 1) i++;
        }
        while (i < len - 1 && isDigit(format[i])) {
          field.width = field.width * 10 + Number(format[i]);
          i++;
        }
        if (format[i] === "." && i < len - 1) {
          i++;
          field.precision = 0;
          while (i < len - 1 && isDigit(format[i])) {
            field.precision = field.precision * 10 + Number(format[i]);
            i++;
          }
        }
        if (i < len) percent(out, settings, format[i]!, field, message, time, error);
      }
    } else if (c === "@") {
      if (i < len - 1) {
        i++;
        const spec = format[i]!;
        if (spec === "@") out.text("@");
        else if (spec === "N") out.text(String(time.nanoseconds).padStart(9, "0"));
        else out.text(strftimeField(spec, time) ?? "");
      }
    } else if (c === "\\") {
      if (i < len - 1) {
        i++;
        const escape = ESCAPES[format[i]!];
        if (escape !== undefined) out.byte(escape);
      }
    } else {
      out.text(c);
    }
  }
}

/** `formatted_print_int`: printf's `%d`, `%-*d`, `%0*d`, `%*d`. */
function int(out: Bytes, value: number, field: Field): void {
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
function str(out: Bytes, value: string | Uint8Array, field: Field): void {
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
function blank(out: Bytes, pad: string, width: number): void {
  out.repeat(pad, width);
}

/** `write_payload`: the payload as it is, or in hex (1: lower case, 2: upper case). */
function payload(out: Bytes, bytes: Uint8Array, hex: 0 | 1 | 2, field: Field): void {
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

/** One `%` field (`formatted_print_percent`). */
function percent(
  out: Bytes,
  settings: PrintSettings,
  spec: string,
  field: Field,
  message: Message,
  time: WallTime,
  error: (text: string) => void,
): void {
  const properties: Properties = message.properties ?? {};
  const optionalInt = (value: number | undefined) => {
    if (value === undefined) blank(out, field.pad, field.width);
    else int(out, value, field);
  };
  switch (spec) {
    case "%":
      return out.text("%");
    case "A":
      return optionalInt(properties.topicAlias);
    case "C":
      if (properties.contentType === undefined) return blank(out, " ", field.width);
      return str(out, properties.contentType, field);
    case "D":
      if (properties.correlationData !== undefined) out.bytes(properties.correlationData);
      return;
    case "E":
      return optionalInt(properties.messageExpiryInterval);
    case "F":
      return optionalInt(
        properties.payloadFormatIndicator === undefined
          ? undefined
          : Number(properties.payloadFormatIndicator),
      );
    case "I":
      return str(out, strftime("%Y-%m-%dT%H:%M:%S%z", time), field);
    case "j":
    case "J": {
      const json = messageJson(message, time, spec === "j", settings.pretty);
      if (json === undefined) {
        error(`Error: Message payload is not valid JSON on topic ${message.topic}.\n`);
        return;
      }
      return out.bytes(json);
    }
    case "l":
      return int(out, message.payload.length, field);
    case "m":
      return int(out, message.mid, field);
    case "P":
      return out.text(
        (properties.userProperties ?? []).map(([key, value]) => `${key}:${value}`).join(" "),
      );
    case "p":
      return payload(out, message.payload, 0, field);
    case "q":
      return out.text(String(message.qos));
    case "R":
      if (properties.responseTopic !== undefined) str(out, properties.responseTopic, field);
      return;
    case "r":
      return out.text(message.retain ? "1" : "0");
    case "S": {
      const id = properties.subscriptionIdentifier;
      return optionalInt(Array.isArray(id) ? id[0] : id);
    }
    case "t":
      return str(out, message.topic, field);
    case "U":
      return out.text(`${time.seconds}.${String(time.nanoseconds).padStart(9, "0")}`);
    case "x":
      return payload(out, message.payload, 1, field);
    case "X":
      return payload(out, message.payload, 2, field);
  }
}
