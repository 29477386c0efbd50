/** Formats a reason code for log lines and error messages: `0x87`. */
export function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, "0")}`;
}
