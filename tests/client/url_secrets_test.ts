/**
 * Credentials and tokens in a broker URL never show in an error message, an error's cause, or a
 * log line: every way a URL can be refused is tried with secrets in its user name, password and
 * query, and every text the client produces is scanned for them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MqttClient } from "../../src/client/client.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import { redactUrl } from "../../src/client/broker_url.ts";
import { freePort } from "../_helpers/ports.ts";

const SECRETS = ["tok3nUser", "S3cret", "qTok3n"];
const userinfo = "tok3nUser:S3cret";

/** Every text reachable from `error`: message, string form, and its causes, recursively. */
function texts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 5) return [String(error)];
  return [error.message, String(error), error.stack ?? "", ...texts(error.cause, depth + 1)];
}

function assertNoSecret(found: string[], what: string): void {
  for (const text of found) {
    for (const secret of SECRETS) {
      assert.ok(!text.includes(secret), `${what} shows "${secret}": ${text}`);
    }
  }
}

describe("secrets in broker URLs", () => {
  const refused: [string, ClientOptions][] = [
    ["port 0", { url: `mqtt://${userinfo}@127.0.0.1:0` }],
    ["an unsupported scheme", { url: `http://${userinfo}@broker` }],
    ["a password that is not percent-encoded UTF-8", { url: `mqtt://tok3nUser:S3cret%zz@h` }],
    ["a user name that is not percent-encoded UTF-8", { url: `mqtt://tok3nUser%C3:S3cret@h` }],
    ["something that is not a URL", { url: `not a url ${userinfo}@h` }],
    ["a password with a slash", { url: `mqtt://tok3nUser:S3/cret@h:x` }],
    ["a URL without host", { url: `ws://${userinfo}@/mqtt?token=qTok3n` }],
    ["webSocket with an mqtt:// URL", {
      url: `mqtt://${userinfo}@h/?token=qTok3n`,
      webSocket: class {} as unknown as NonNullable<ClientOptions["webSocket"]>,
    }],
    ["unixSocket with a ws:// URL", {
      url: `ws://${userinfo}@h/mqtt?token=qTok3n`,
      unixSocket: "/s",
    }],
  ];
  for (const [what, options] of refused) {
    it(`a URL with ${what} is refused without showing its credentials or query`, () => {
      let caught: unknown;
      try {
        new MqttClient(options);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof TypeError || caught instanceof RangeError, String(caught));
      assert.match((caught as Error).message, /options\.(url|webSocket|unixSocket)/);
      assertNoSecret(texts(caught), what);
    });
  }

  it("redactUrl hides user info up to the last @ and the query, and keeps the rest", () => {
    assert.equal(redactUrl("mqtt://u:p@h:1883"), '"mqtt://***@h:1883"');
    assert.equal(redactUrl("ws://u:p/@x@h/mqtt?token=t#f"), '"ws://***@h/mqtt?…#f"');
    assert.equal(redactUrl("mqtt://h:1883"), '"mqtt://h:1883"');
  });

  it("a connection that fails leaves no credentials in its error, its causes or the log", async () => {
    const port = await freePort(); // nothing listens there
    const lines: string[] = [];
    const client = new MqttClient({
      url: `mqtt://${userinfo}@127.0.0.1:${port}`,
      logger: (level, message) => lines.push(`${level} ${message}`),
    });
    client.onLog = ({ message }) => lines.push(message);
    const error = await client.connect().then(() => undefined, (error: unknown) => error);
    assert.ok(error instanceof Error, "the connect was refused");
    assertNoSecret([...texts(error), ...lines], "the failed connection");
  });
});
