/**
 * The syntax of a `-F` format as mosquitto_sub 2.0 knows it: the `%` conversions, the `\`
 * escapes, and {@link checkFormat}, which refuses a format mosquitto would refuse. `format.ts`
 * prints messages with it.
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/** The `%` conversions mosquitto knows. */
const CONVERSIONS = "%ACDEFIlmPpqRSrtjJUxX";
/** The `\` escapes mosquitto knows, and the byte each stands for. */
export const ESCAPES: Record<string, number> = {
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
