/**
 * Races a pending connection step against an AbortSignal, for the adapters' openers.
 *
 * @module
 */

/**
 * Resolves like `pending`, or rejects with `signal.reason` as soon as `signal` aborts. A value
 * that arrives after the abort is given to `discard` (e.g. to close a socket that connected
 * too late), so nothing leaks. The abort listener is removed once `pending` settles.
 */
export function abortable<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  discard?: (late: T) => void,
): Promise<T> {
  if (signal === undefined) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then((value) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) discard?.(value);
      else resolve(value);
    }, (error: unknown) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}
