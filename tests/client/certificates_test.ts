/**
 * Certificates: `ca`, `cert` and `key` must be PEM text. A file path (or any text without a PEM
 * block) is a TypeError when the options are resolved, at construction, naming the option;
 * a key's value is never shown.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ClientOptions } from "../../src/client/options.ts";
import { resolveOptions } from "../../src/client/resolve_options.ts";
import { manualClock } from "../../src/client/clock.ts";
import { MqttClient } from "../../src/client/client.ts";

const clock = manualClock();
const resolve = (options: ClientOptions) => resolveOptions({ clock, ...options });

const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----\n";
const tls = { tls: true, host: "h" } as const;

/** The TypeError `options` throws; fails unless it throws one. */
function typeError(options: ClientOptions): TypeError {
  try {
    resolve(options);
  } catch (error) {
    assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a TypeError, got none");
}

describe("PEM options", () => {
  it("resolveOptions passes PEM ca, cert and key through unchanged", () => {
    const target = resolve({ ...tls, ca: CA, cert: CERT, key: KEY }).target;
    assert.deepEqual(target.tls, { ca: CA, cert: CERT, key: KEY });
    assert.deepEqual(resolve({ ...tls, ca: [CA, CERT] }).target.tls, { ca: [CA, CERT] });
  });

  it("resolveOptions takes PEM text with text around its blocks (a bundle, an openssl dump)", () => {
    const bundle = `subject=CN=ca\n${CA}\n# second\n${CERT}`;
    assert.deepEqual(resolve({ ...tls, ca: bundle }).target.tls, { ca: bundle });
    const rsa = "\n  -----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----";
    assert.equal(resolve({ ...tls, cert: CERT, key: rsa }).target.tls?.key, rsa);
  });

  it("resolveOptions refuses a ca file path, naming options.ca and quoting the path", () => {
    const error = typeError({ ...tls, ca: "/etc/ssl/ca.pem" });
    assert.equal(
      error.message,
      'options.ca must be PEM text ("-----BEGIN …"), not a file path: read the file and pass ' +
        'its contents, got "/etc/ssl/ca.pem"',
    );
  });

  it("resolveOptions names the entry of a ca list that is not PEM", () => {
    const error = typeError({ ...tls, ca: [CA, "certs/extra.crt"] });
    assert.match(error.message, /^options\.ca\[1\] must be PEM text .*got "certs\/extra\.crt"$/);
  });

  it("resolveOptions refuses a cert that is not PEM, naming options.cert", () => {
    const error = typeError({ ...tls, cert: "client.pem", key: KEY });
    assert.match(error.message, /^options\.cert must be PEM text .*got "client\.pem"$/);
  });

  it("resolveOptions refuses a key that is not PEM without showing any of it", () => {
    for (const key of ["/home/me/secret-client.key", "C:\\keys\\client.key", "./k.pem"]) {
      const error = typeError({ ...tls, cert: CERT, key });
      assert.equal(
        error.message,
        'options.key must be PEM text ("-----BEGIN …"), not a file path: read the file and pass ' +
          "its contents, got what looks like a file path",
      );
    }
    const material = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secret";
    const error = typeError({ ...tls, cert: CERT, key: material });
    assert.match(error.message, /^options\.key must be PEM text .*got text without a PEM block$/);
    assert.ok(!error.message.includes("MIIE"));
    assert.ok(!error.message.includes("secret"));
  });

  it("resolveOptions refuses a ca of bare base64 or an empty string", () => {
    assert.match(typeError({ ...tls, ca: "" }).message, /^options\.ca must be PEM text .*got ""$/);
    assert.match(typeError({ ...tls, ca: "MIIBca" }).message, /got "MIIBca"$/);
  });

  it("resolveOptions checks the type, TLS and the cert/key pair before the PEM text", () => {
    assert.throws(() => resolve({ ...tls, ca: 5 as never }), /options\.ca must be a string/);
    assert.throws(() => resolve({ host: "h", ca: "/ca.pem" }), RangeError);
    assert.throws(
      () => resolve({ ...tls, cert: "c.pem" }),
      /options\.cert and options\.key must be given together/,
    );
  });

  it("new MqttClient throws the TypeError at construction", () => {
    assert.throws(
      () => new MqttClient({ url: "mqtts://broker.example", ca: "/etc/ssl/ca.pem", clock }),
      (error: unknown) =>
        error instanceof TypeError && /^options\.ca must be PEM text/.test(error.message),
    );
  });
});
