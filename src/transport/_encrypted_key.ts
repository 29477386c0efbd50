/**
 * Decrypts an encrypted PKCS#8 private key ("-----BEGIN ENCRYPTED PRIVATE KEY-----", PBES2 with
 * PBKDF2 and AES-CBC, what `openssl pkcs8 -topk8 -v2 aes-256-cbc` and OpenSSL 3's defaults make)
 * with Web Crypto, for runtimes whose TLS cannot take a passphrase (Deno). Any other scheme
 * (3DES, PKCS#12 PBE, legacy "Proc-Type: 4,ENCRYPTED" PEM) is refused with an error naming it.
 * Errors never show the passphrase or the key.
 *
 * @module
 */

const OIDS: Record<string, string> = {
  "2a864886f70d01050d": "PBES2",
  "2a864886f70d01050c": "PBKDF2",
  "2a864886f70d0207": "SHA-1",
  "2a864886f70d0209": "SHA-256",
  "2a864886f70d020a": "SHA-384",
  "2a864886f70d020b": "SHA-512",
  "608648016503040102": "aes-128-cbc",
  "608648016503040116": "aes-192-cbc",
  "60864801650304012a": "aes-256-cbc",
  "2a864886f70d0307": "des-ede3-cbc (3DES)",
  "2a864886f70d010c0103": "pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12)",
};

interface Node {
  tag: number;
  value: Uint8Array;
}

/** The DER elements of `bytes` (one level). */
function children(bytes: Uint8Array): Node[] {
  const out: Node[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++]!;
    let length = bytes[at++]!;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 4) throw new Error("an unsupported DER length");
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[at++]!;
    }
    if (at + length > bytes.length) throw new Error("a DER element cut short");
    out.push({ tag, value: bytes.subarray(at, at + length) });
    at += length;
  }
  return out;
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const oidName = (node: Node | undefined) =>
  node?.tag === 0x06 ? OIDS[hex(node.value)] ?? `OID ${hex(node.value)}` : "a non-OID";

function integer(node: Node | undefined): number {
  if (node?.tag !== 0x02) throw new Error("an INTEGER expected");
  let n = 0;
  for (const b of node.value) n = n * 256 + b;
  return n;
}

function pemBody(pem: string, label: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (match === null) throw new Error(`no ${label} block`);
  const binary = atob(match[1]!.replace(/\s+/g, ""));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * `key` decrypted with `passphrase`, as an unencrypted PKCS#8 PEM ("PRIVATE KEY").
 *
 * @throws {Error} naming the scheme when it is not PBES2 / PBKDF2 / AES-CBC, or when the
 * passphrase does not decrypt it
 */
export async function decryptPkcs8(key: string, passphrase: string): Promise<string> {
  if (/Proc-Type:\s*4,\s*ENCRYPTED/.test(key)) {
    throw new Error(
      'options.key is a legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED"), which this runtime cannot decrypt: convert it to PKCS#8 with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc)',
    );
  }
  let der: Uint8Array;
  let salt: Uint8Array;
  let iterations: number;
  let hash: string;
  let cipher: string;
  let iv: Uint8Array;
  let encrypted: Uint8Array;
  let keyLength: number;
  try {
    der = pemBody(key, "ENCRYPTED PRIVATE KEY");
    const [info] = children(der);
    const [algorithm, data] = children(info!.value);
    encrypted = data!.value;
    const [scheme, params] = children(algorithm!.value);
    const schemeName = oidName(scheme);
    if (schemeName !== "PBES2") throw new Unsupported(schemeName);
    const [kdf, encryption] = children(params!.value);
    const [kdfOid, kdfParams] = children(kdf!.value);
    if (oidName(kdfOid) !== "PBKDF2") throw new Unsupported(`PBES2 with ${oidName(kdfOid)}`);
    const fields = children(kdfParams!.value);
    salt = fields[0]!.value;
    iterations = integer(fields[1]);
    let next = 2;
    let givenLength: number | undefined;
    if (fields[next]?.tag === 0x02) givenLength = integer(fields[next++]);
    hash = fields[next] === undefined ? "SHA-1" : oidName(children(fields[next]!.value)[0]);
    const [cipherOid, ivNode] = children(encryption!.value);
    cipher = oidName(cipherOid);
    if (!cipher.startsWith("aes-")) throw new Unsupported(cipher);
    if (!hash.startsWith("SHA-")) throw new Unsupported(`PBKDF2 with ${hash}`);
    iv = ivNode!.value;
    keyLength = givenLength ?? Number(cipher.slice(4, 7)) / 8;
  } catch (error) {
    if (error instanceof Unsupported) {
      throw new Error(
        `options.key is encrypted with ${error.message}, which Web Crypto cannot decrypt on this runtime: re-encrypt it with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc) or pass it decrypted`,
      );
    }
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(`options.key is not a readable encrypted PKCS#8 key (${text})`);
  }
  const subtle = globalThis.crypto.subtle;
  const material = await subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", salt: salt as Uint8Array<ArrayBuffer>, iterations, hash },
    material,
    keyLength * 8,
  );
  const aes = await subtle.importKey("raw", bits, "AES-CBC", false, ["decrypt"]);
  let plain: ArrayBuffer;
  try {
    plain = await subtle.decrypt(
      { name: "AES-CBC", iv: iv as Uint8Array<ArrayBuffer> },
      aes,
      encrypted as Uint8Array<ArrayBuffer>,
    );
  } catch {
    throw new Error(
      "options.key could not be decrypted with options.passphrase (wrong passphrase?)",
    );
  }
  const body = new Uint8Array(plain);
  // A wrong passphrase that happens to leave valid padding still leaves no PKCS#8 SEQUENCE.
  if (body[0] !== 0x30) {
    throw new Error(
      "options.key could not be decrypted with options.passphrase (wrong passphrase?)",
    );
  }
  let binary = "";
  for (const b of body) binary += String.fromCharCode(b);
  const lines = btoa(binary).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`;
}

class Unsupported extends Error {}
