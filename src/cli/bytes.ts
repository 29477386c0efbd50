/**
 * A byte string put together piece by piece, for the CLI's message output.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Bytes being put together: text (UTF-8), byte strings, single bytes; then `result()`. */
export class Bytes {
  #chunks: Uint8Array[] = [];
  #length = 0;

  text(text: string): void {
    if (text.length > 0) this.bytes(encoder.encode(text));
  }

  bytes(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  byte(value: number): void {
    this.bytes(Uint8Array.of(value));
  }

  repeat(character: string, count: number): void {
    if (count > 0) this.text(character.repeat(count));
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
