/**
 * How `sub` and `req` print a message, byte for byte as mosquitto_sub 2.0 does
 * (`sub_client_output.c`): the payload alone, `-v` (`topic payload`), or a `-F` format with
 * `%` fields (`%t %p %q %r %l %m %x %X %U %I %j %J %P %C %D %E %F %R %S %A %%`, with `-`, `0`,
 * width and precision), `@` time fields (`strftime`'s, `@N` nanoseconds, `@@`) and `\` escapes
 * (`\\ \0 \a \e \n \r \t \v`). The format's syntax and its check are in `format_syntax.ts`, the
 * fields' widths and padding in `format_fields.ts`.
 *
 * @module
 */

import type { Message } from "../client/message.ts";
import type { Properties } from "../codec/types.ts";
import type { Config } from "./config.ts";
import { strftime, strftimeField, type WallTime } from "./strftime.ts";
import { Bytes } from "./bytes.ts";
import { blank, type Field, int, payload, str } from "./format_fields.ts";
import { ESCAPES } from "./format_syntax.ts";
import { messageJson } from "./json_output.ts";

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
