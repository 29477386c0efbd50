/**
 * Numbers as mosquitto's clients read them from the command line: C's `atoi` / `atol` (leading
 * blanks, a sign, digits, anything after ignored, no digits = 0) and `strtol(…, 0)` (decimal,
 * `0x` hexadecimal or `0` octal, the whole word).
 *
 * @module
 */

/** C's `atol`: the number at the start of `text`, 0 when there is none. */
export function atol(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** C's `atoi`: {@link atol} (korero keeps the full value; mosquitto's is a C `int`). */
export const atoi: (text: string) => number = atol;

/** C's `strtol(text, &end, 0)` when it reads the whole of `text`, else undefined. */
export function strtol(text: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (match === null) return undefined;
  const [, sign, digits] = match as unknown as [string, string, string];
  const magnitude = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith("0")
    ? parseInt(digits.slice(1), 8)
    : Number(digits);
  return sign === "-" ? -magnitude : magnitude;
}

/** `atof` for `--repeat-delay` and `--random-filter`: the leading decimal number, else 0. */
export function atof(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(text);
  return match === null ? 0 : Number(match[1]);
}
