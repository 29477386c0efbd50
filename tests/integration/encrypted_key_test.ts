/**
 * A client certificate whose key is encrypted (PKCS#8), against Mosquitto requiring client
 * certificates: `passphrase` decrypts it (on Deno korero decrypts AES-encrypted PKCS#8 itself), a
 * wrong one fails without showing it, a scheme the runtime cannot decrypt is named, and an
 * encrypted key without a passphrase is refused at construction.
 */

import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, MqttClient } from "../../mod.ts";
import { certPath, type MosquittoBroker, readCert, startMosquitto } from "../_helpers/mosquitto.ts";
import { isBun, it } from "./_support.ts";

const PASSPHRASE = "s3cret-Passphrase";

/** client.key encrypted as PKCS#8 with `cipher` ("aes-256-cbc", "des3") by openssl. */
function encryptedKey(dir: string, cipher: string): string {
  const out = join(dir, `${cipher}.key`);
  execFileSync("openssl", [
    "pkcs8",
    "-topk8",
    "-in",
    certPath("client.key"),
    "-v2",
    cipher,
    "-passout",
    `pass:${PASSPHRASE}`,
    "-out",
    out,
  ], { stdio: "ignore" }); // deno-fmt-ignore
  return readFileSync(out, "utf8");
}

describe("Encrypted client keys with Mosquitto", () => {
  let broker: MosquittoBroker;
  let dir: string;
  let aes: string;
  let des3: string;
  before(async () => {
    broker = await startMosquitto({ clientCertTls: true, verboseLog: false });
    dir = mkdtempSync(join(tmpdir(), "korero-keys-"));
    aes = encryptedKey(dir, "aes-256-cbc");
    des3 = encryptedKey(dir, "des3");
  });
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (key: string, passphrase?: string) => ({
    ca: readCert("ca.pem"),
    cert: readCert("client.pem"),
    key,
    ...(passphrase === undefined ? {} : { passphrase }),
    reconnect: false as const,
  });

  it("connects with an AES-encrypted PKCS#8 key and its passphrase", async () => {
    assert.match(aes, /BEGIN ENCRYPTED PRIVATE KEY/);
    const client = await connect(`mqtts://localhost:${broker.mtlsPort}`, options(aes, PASSPHRASE));
    await client.publish("keys/aes", "ok", { qos: 1 });
    await client.disconnect();
  });

  it("a wrong passphrase fails with an error that does not show it", async () => {
    const wrong = "not-the-Passphrase";
    await assert.rejects(
      connect(`mqtts://localhost:${broker.mtlsPort}`, options(aes, wrong)),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        const text = `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`;
        assert.match(text, /could not be decrypted with options\.passphrase/);
        assert.ok(!text.includes(wrong) && !text.includes(PASSPHRASE), text);
        return true;
      },
    );
  });

  it(
    isBun
      ? "a 3DES-encrypted key (Mosquitto's test suite's kind) works through node:tls"
      : "a 3DES-encrypted key is refused naming the scheme Web Crypto lacks",
    async () => {
      const connecting = connect(`mqtts://localhost:${broker.mtlsPort}`, options(des3, PASSPHRASE));
      if (isBun) return void await (await connecting).disconnect();
      await assert.rejects(connecting, /des-ede3-cbc \(3DES\), which Web Crypto cannot decrypt/);
    },
  );

  it("an encrypted key without a passphrase is refused at construction", async () => {
    assert.throws(
      () => new MqttClient({ url: `mqtts://localhost:${broker.mtlsPort}`, ...options(aes) }),
      /options\.key is encrypted: give its options\.passphrase/,
    );
    await Promise.resolve();
  });
});
