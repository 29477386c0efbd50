/**
 * {@link UsageError}: a command line mosquitto's clients would refuse before connecting.
 *
 * @module
 */

/**
 * A bad command line: its message is mosquitto's, printed to standard error followed by the
 * hint to see `--help`; the exit code is 1.
 */
export class UsageError extends Error {
  /** `"UsageError"`, a literal so the name survives minification. */
  override get name(): string {
    return "UsageError";
  }
}
