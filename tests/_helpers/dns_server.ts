/**
 * A tiny DNS server for tests: answers SRV queries on 127.0.0.1 (UDP, a free port) from a table
 * of records, and NXDOMAIN for anything else. Enough for `Deno.resolveDns` and `node:dns`.
 */

import * as dgram from "node:dgram";

/** One SRV answer. */
export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A running test DNS server. */
export interface DnsServer {
  readonly port: number;
  /** The names asked for, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

function labels(name: string): number[] {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, "").split(".")) {
    const bytes = new TextEncoder().encode(label);
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

/** Starts a server answering SRV queries for the names in `records` (lower case, no final dot). */
export async function startDnsServer(records: Record<string, SrvAnswer[]>): Promise<DnsServer> {
  const socket = dgram.createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (query: Uint8Array, peer: dgram.RemoteInfo) => {
    // Question: the name's labels from byte 12, then type and class.
    const parts: string[] = [];
    let at = 12;
    while (query[at]! > 0) {
      parts.push(new TextDecoder().decode(query.subarray(at + 1, at + 1 + query[at]!)));
      at += 1 + query[at]!;
    }
    const questionEnd = at + 5;
    const name = parts.join(".").toLowerCase();
    const type = (query[at + 1]! << 8) | query[at + 2]!;
    queries.push(name);
    const answers = type === 33 ? records[name] ?? [] : [];
    const found = name in records;
    const header = [
      query[0]!,
      query[1]!,
      0x81, // response, recursion desired
      found ? 0x80 : 0x83, // recursion available; NXDOMAIN when the name is unknown
      ...u16(1),
      ...u16(answers.length),
      ...u16(0),
      ...u16(0),
    ];
    const body: number[] = [...query.subarray(12, questionEnd)];
    for (const answer of answers) {
      const rdata = [
        ...u16(answer.priority),
        ...u16(answer.weight),
        ...u16(answer.port),
        ...labels(answer.target),
      ];
      body.push(0xc0, 12, ...u16(33), ...u16(1), 0, 0, 0, 60, ...u16(rdata.length), ...rdata);
    }
    socket.send(new Uint8Array([...header, ...body]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
