/**
 * The `proxy` option, and paho's environment variables: `mqtt_proxy` / `MQTT_PROXY` (a URL,
 * `socks5://[user:password@]host:port` or `http://…`) used when the option is absent, unless
 * `no_proxy` / `NO_PROXY` lists the broker's host (`*`, a host name, or a domain suffix such as
 * `.example.com` or `example.com`, comma-separated).
 *
 * @module
 */

import type { ProxySettings } from "../transport/types.ts";
import { checkInteger, checkObject, checkString, describe } from "./_validate.ts";

/** The `proxy` option: where to tunnel through. */
export type ProxyOptions = ProxySettings;

/** The proxy for a connection to `host`: the option, else the environment's; none for `false`. */
export function resolveProxy(option: unknown, host: string): ProxySettings | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return checkProxy(option, "options.proxy");
  const url = env("mqtt_proxy") ?? env("MQTT_PROXY");
  if (url === undefined || url === "" || bypassed(host)) return undefined;
  return parseProxyUrl(url);
}

function checkProxy(value: unknown, field: string): ProxySettings {
  checkObject(value, field);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!["type", "host", "port", "username", "password"].includes(key)) {
      throw new TypeError(`Unknown field ${describe(key)} in ${field}`);
    }
  }
  if (o.type !== "socks5" && o.type !== "http") {
    throw new RangeError(`${field}.type must be "socks5" or "http", got ${describe(o.type)}`);
  }
  const proxy: ProxySettings = {
    type: o.type,
    host: checkString(o.host, `${field}.host`),
    port: checkInteger(o.port, `${field}.port`, 1, 65_535),
  };
  if (proxy.host === "") throw new RangeError(`${field}.host must not be empty`);
  if (o.username !== undefined) proxy.username = checkString(o.username, `${field}.username`);
  if (o.password !== undefined) {
    if (typeof o.password !== "string") {
      throw new TypeError(`${field}.password must be a string, got ${typeof o.password}`);
    }
    if (proxy.username === undefined) throw new RangeError(`${field}.password needs a username`);
    proxy.password = o.password;
  }
  return proxy;
}

/**
 * `socks5://user:password@host:port` (or `socks5h://`, `http://`) as proxy settings; `what`
 * names where the URL came from in errors (which never show it: it may hold a password).
 */
export function parseProxyUrl(
  text: string,
  what = "The mqtt_proxy environment variable",
): ProxySettings {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`${what} is not a URL (socks5:// or http://)`);
  }
  const scheme = url.protocol.replace(/:$/, "").toLowerCase();
  const type = scheme === "socks5" || scheme === "socks5h"
    ? "socks5"
    : scheme === "http"
    ? "http"
    : undefined;
  if (type === undefined) {
    throw new RangeError(
      `${what} must be socks5:// or http://, got ${scheme}://`,
    );
  }
  const proxy: ProxySettings = {
    type,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? (type === "socks5" ? 1080 : 8080) : Number(url.port),
  };
  if (url.username !== "") proxy.username = decodeURIComponent(url.username);
  if (url.password !== "") proxy.password = decodeURIComponent(url.password);
  return proxy;
}

/** Whether `no_proxy` covers `host`. */
function bypassed(host: string): boolean {
  const list = env("no_proxy") ?? env("NO_PROXY");
  if (list === undefined) return false;
  const name = host.toLowerCase();
  return list.split(",").map((entry) => entry.trim().toLowerCase()).some((entry) => {
    if (entry === "") return false;
    if (entry === "*") return true;
    const bare = entry.replace(/^\*?\./, "");
    return name === bare || name.endsWith(`.${bare}`);
  });
}

/**
 * An environment variable, where the program may read them (undefined otherwise). `Deno.env`
 * first: reading `globalThis.process` on Deno loads its Node compatibility layer (~25 ms of CPU).
 */
function env(name: string): string | undefined {
  try {
    const deno = (globalThis as { Deno?: { env: { get(name: string): string | undefined } } })
      .Deno;
    if (deno !== undefined) return deno.env.get(name);
    const process = (globalThis as { process?: { env?: Record<string, string | undefined> } })
      .process;
    return process?.env?.[name];
  } catch {
    return undefined; // no permission to read the environment (Deno without --allow-env)
  }
}
