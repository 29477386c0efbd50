/**
 * `src/cli/main.ts` with the runtime's DNS resolver pointed at the test DNS server on
 * 127.0.0.1:`KORERO_TEST_DNS_PORT` (tests/_helpers/dns_server.ts), for `-S`: the command line
 * itself has no way to name a DNS server, and the system's resolver knows no test records.
 *
 * @module
 */

import process from "node:process";

const port = Number(process.env.KORERO_TEST_DNS_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("KORERO_TEST_DNS_PORT is not set");

type ResolveDns = (
  name: string,
  type: string,
  options?: { nameServer?: { ipAddr: string; port?: number } },
) => Promise<unknown>;
const deno = (globalThis as { Deno?: { resolveDns: ResolveDns } }).Deno;
if (deno !== undefined) {
  const resolveDns = deno.resolveDns.bind(deno);
  Object.defineProperty(deno, "resolveDns", {
    value: (name: string, type: string) =>
      resolveDns(name, type, { nameServer: { ipAddr: "127.0.0.1", port } }),
  });
} else {
  const { promises } = await import("node:dns");
  const resolveSrv = promises.Resolver.prototype.resolveSrv;
  promises.Resolver.prototype.resolveSrv = function (
    this: InstanceType<typeof promises.Resolver>,
    name: string,
  ) {
    this.setServers([`127.0.0.1:${port}`]);
    return resolveSrv.call(this, name);
  };
}

await import("../../src/cli/main.ts");
