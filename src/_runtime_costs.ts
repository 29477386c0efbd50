/**
 * What memory costs on the runtime at hand, where it decides how bytes are allocated.
 *
 * @module
 */

/**
 * Whether a small `Uint8Array` with memory of its own is cheaper than a view into a shared
 * buffer: true on Bun (`new Uint8Array(35)` ~8 ns, a view ~33 ns; `TextEncoder.encode` of 16
 * characters ~23 ns), false on V8 runtimes (Deno: ~1.3 µs against ~15 ns; `TextEncoder.encode`
 * 0.4–1.2 µs). Figures in bench/README.md ("Codec", "Client").
 */
export const OWN_SMALL_ARRAYS_ARE_CHEAP: boolean = "Bun" in globalThis;
