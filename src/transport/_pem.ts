/**
 * What a PEM key says of itself, without reading it: whether it is encrypted. Shared by the
 * option checks (`options.key` encrypted without `options.passphrase`) and the Deno adapter,
 * which decrypts such keys (`_encrypted_key.ts`).
 *
 * @module
 */

/** Whether `key` is PEM text of an encrypted private key (PKCS#8, or legacy "Proc-Type"). */
export function isEncryptedKey(key: string): boolean {
  return key.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
    /Proc-Type:\s*4,\s*ENCRYPTED/.test(key);
}
