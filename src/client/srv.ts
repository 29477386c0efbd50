/**
 * `connectSrv(domain, options)`, paho's `connect_srv`: finds the brokers of `domain` in DNS
 * (`_mqtt._tcp.<domain>`, or `_secure-mqtt._tcp.<domain>` with `tls`), through the runtime's
 * resolver (`Deno.resolveDns`, or `node:dns` on Node and Bun, from `process.getBuiltinModule`),
 * and connects to them as a `servers` list: lowest priority first, and within a priority in a
 * random order weighted by the records' weights (RFC 2782), each tried in turn.
 *
 * @module
 */

import { MqttClient } from "./client.ts";
import { connected } from "./connect.ts";
import type { ClientOptions } from "./options.ts";

/** A DNS server to ask instead of the system's. */
export interface NameServer {
  /** Its IP address. */
  ipAddr: string;
  /** Its port. @default 53 */
  port?: number;
}

/** Options of {@link connectSrv}: the client's, and the name server to ask. */
export interface ConnectSrvOptions
  extends Omit<ClientOptions, "url" | "host" | "port" | "servers"> {
  /** The DNS server to ask (default: the system's resolver). */
  nameServer?: NameServer;
}

/** One SRV record. */
export interface SrvRecord {
  /** Lower is tried first. */
  priority: number;
  /** Within a priority, the share of the picks. */
  weight: number;
  /** The broker's port. */
  port: number;
  /** The broker's host name. */
  target: string;
}

/**
 * Looks up the brokers of `domain`, creates a client for them and connects it (see the module
 * documentation); rejects when the lookup finds none, and as `connect()` does otherwise.
 *
 * @example
 * ```ts
 * import { connectSrv } from "@korero/mqtt";
 * const client = await connectSrv("example.com", { clientId: "meter-17" }).catch(() => undefined);
 * await client?.disconnect();
 * ```
 */
export async function connectSrv(
  domain: string,
  options: ConnectSrvOptions = {},
): Promise<MqttClient> {
  if (typeof domain !== "string" || domain === "") {
    throw new TypeError("connectSrv needs a domain name (a non-empty string)");
  }
  const { nameServer, ...clientOptions } = options;
  const servers = await srvServers(domain, {
    tls: clientOptions.tls === true,
    ...(nameServer && { nameServer }),
    random: clientOptions.random ?? Math.random,
  });
  const { tls: _tls, ...rest } = clientOptions;
  return await connected(new MqttClient({ ...rest, servers }));
}

/**
 * The broker URLs of `domain`'s SRV records (`_mqtt._tcp`, or `_secure-mqtt._tcp` with `tls`),
 * in the order to try them, as a `servers` list. Rejects naming the name looked up when the
 * lookup fails or finds nothing.
 */
export async function srvServers(
  domain: string,
  options: { tls?: boolean; nameServer?: NameServer; random?: () => number } = {},
): Promise<string[]> {
  const secure = options.tls === true;
  const name = `${secure ? "_secure-mqtt" : "_mqtt"}._tcp.${domain.replace(/\.$/, "")}`;
  let records: SrvRecord[];
  try {
    records = await resolveSrv(name, options.nameServer);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(
      `No MQTT brokers found for ${domain}: the SRV lookup of ${name} failed: ${text}`,
      { cause: error },
    );
  }
  if (records.length === 0) {
    throw new Error(`No MQTT brokers found for ${domain}: ${name} has no SRV records`);
  }
  const scheme = secure ? "mqtts" : "mqtt";
  return orderSrv(records, options.random ?? Math.random).map((r) =>
    `${scheme}://${r.target.includes(":") ? `[${r.target}]` : r.target}:${r.port}`
  );
}

/**
 * `records` in the order to try them: by priority, then, within each priority, picked at random
 * in proportion to their weights (a weight of 0 gets a small chance, as RFC 2782 asks).
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const record of records) {
    const group = byPriority.get(record.priority) ?? [];
    group.push(record);
    byPriority.set(record.priority, group);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero weights first (RFC 2782), so they are picked only by a roll of 0.
    const left = byPriority.get(priority)!.sort((a, b) => a.weight - b.weight);
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      const roll = random() * (total + 1);
      let running = 0;
      let pick = left.length - 1;
      for (let i = 0; i < left.length; i++) {
        running += left[i]!.weight;
        if (running >= roll) {
          pick = i;
          break;
        }
      }
      ordered.push(left.splice(pick, 1)[0]!);
    }
  }
  return ordered;
}

type DenoDns = {
  resolveDns(
    name: string,
    type: "SRV",
    options?: { nameServer?: { ipAddr: string; port?: number } },
  ): Promise<{ priority: number; weight: number; port: number; target: string }[]>;
};
type NodeDns = {
  promises: {
    Resolver: new () => {
      setServers(servers: string[]): void;
      resolveSrv(name: string): Promise<
        { priority: number; weight: number; port: number; name: string }[]
      >;
    };
  };
};

/** The SRV records of `name`, from the runtime's resolver. */
async function resolveSrv(name: string, nameServer: NameServer | undefined): Promise<SrvRecord[]> {
  const deno = (globalThis as { Deno?: DenoDns }).Deno;
  if (deno?.resolveDns !== undefined) {
    const options = nameServer === undefined
      ? undefined
      : { nameServer: { ipAddr: nameServer.ipAddr, port: nameServer.port ?? 53 } };
    const records = await deno.resolveDns(name, "SRV", options);
    return records.map((r) => ({ ...r, target: r.target.replace(/\.$/, "") }));
  }
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const dns = process?.getBuiltinModule?.("node:dns") as NodeDns | undefined;
  if (dns === undefined) {
    throw new Error(
      "this runtime has no DNS resolver korero can use (Deno.resolveDns or node:dns)",
    );
  }
  const resolver = new dns.promises.Resolver();
  if (nameServer !== undefined) {
    const ip = nameServer.ipAddr.includes(":") ? `[${nameServer.ipAddr}]` : nameServer.ipAddr;
    resolver.setServers([`${ip}:${nameServer.port ?? 53}`]);
  }
  const records = await resolver.resolveSrv(name);
  return records.map((r) => ({
    priority: r.priority,
    weight: r.weight,
    port: r.port,
    target: r.name.replace(/\.$/, ""),
  }));
}
