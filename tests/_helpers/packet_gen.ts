/**
 * A seeded generator of valid packet objects for every packet type and protocol version, in
 * the canonical form the decoder returns (so `decode(encode(p))` deep-equals `p`).
 *
 * Randomness comes from {@link Rng} (mulberry32), never `Math.random`, so a failure is
 * reproduced by its seed.
 *
 * @module
 */
import type {
  Packet,
  PacketType,
  Properties,
  ProtocolVersion,
  QoS,
  Subscription,
  UserProperties,
  Will,
} from "../../src/codec/types.ts";

/** A small, fast, seeded PRNG (mulberry32). */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in `[lo, hi]` (both inclusive, `hi - lo < 2^32`). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.next() / 0x1_0000_0000) * (hi - lo + 1));
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A small length, usually short, sometimes up to `max`. */
  length(max: number): number {
    return this.chance(0.8) ? this.int(0, Math.min(8, max)) : this.int(0, max);
  }
}

/** Characters for generated strings: ASCII, 2-, 3- and 4-byte UTF-8, U+FEFF and U+FFFF. */
const CHARS = [..."abcxyzABC019_-. é日本😀\ufeff\uffff€ßж"];
/** Same minus the characters a topic level must not hold. */
const LEVEL_CHARS = CHARS.filter((c) => c !== "/" && c !== "+" && c !== "#");

/** A string of up to `max` characters drawn from `chars` (default: any valid character). */
export function randomString(rng: Rng, max = 12, chars: readonly string[] = CHARS): string {
  let out = "";
  const n = rng.length(max);
  for (let i = 0; i < n; i++) out += rng.pick(chars);
  return out;
}

/** A valid, non-empty topic name (no wildcards). */
export function randomTopic(rng: Rng): string {
  const levels = rng.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) parts.push(randomString(rng, 6, LEVEL_CHARS));
  const topic = parts.join("/");
  return topic === "" ? "t" : topic;
}

/** A valid topic filter, with `+` and `#` only where they may stand. */
export function randomFilter(rng: Rng, version: ProtocolVersion): string {
  const levels = rng.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) {
    parts.push(rng.chance(0.2) ? "+" : randomString(rng, 5, LEVEL_CHARS));
  }
  if (rng.chance(0.2)) parts.push("#");
  let filter = parts.join("/");
  if (filter === "") filter = "t";
  if (version === 5 && rng.chance(0.1)) filter = `$share/${rng.pick(["g", "grp", "x1"])}/${filter}`;
  return filter;
}

const u16 = (rng: Rng) => rng.int(0, 0xffff);
const u32 = (rng: Rng) => rng.pick([0, 1, 0xffffffff, rng.int(0, 0xffffffff)]);
const varint = (rng: Rng) => rng.pick([1, 127, 128, 16384, 268435455, rng.int(1, 268435455)]);

function userProperties(rng: Rng): UserProperties {
  const n = rng.int(1, 4);
  const keys = ["k", "key", "é", randomString(rng, 6)];
  const out: UserProperties = [];
  for (let i = 0; i < n; i++) out.push([rng.pick(keys), randomString(rng, 8)]);
  return out;
}

/** Generators of one valid value for each property name. */
const PROPERTY_VALUES: { [K in keyof Properties]-?: (rng: Rng) => Properties[K] } = {
  payloadFormatIndicator: (rng) => rng.chance(0.5),
  messageExpiryInterval: u32,
  contentType: (rng) => randomString(rng, 20),
  responseTopic: randomTopic,
  correlationData: (rng) => rng.bytes(rng.length(16)),
  subscriptionIdentifier: varint,
  sessionExpiryInterval: u32,
  assignedClientIdentifier: (rng) => randomString(rng, 23),
  serverKeepAlive: u16,
  authenticationMethod: (rng) => rng.pick(["SCRAM-SHA-1", "GS2-KRB5", randomString(rng)]),
  authenticationData: (rng) => rng.bytes(rng.length(32)),
  requestProblemInformation: (rng) => rng.chance(0.5),
  willDelayInterval: u32,
  requestResponseInformation: (rng) => rng.chance(0.5),
  responseInformation: (rng) => randomString(rng),
  serverReference: (rng) => randomString(rng),
  reasonString: (rng) => randomString(rng, 30),
  receiveMaximum: (rng) => rng.int(1, 0xffff),
  topicAliasMaximum: u16,
  topicAlias: (rng) => rng.int(1, 0xffff),
  maximumQoS: (rng) => rng.pick([0, 1] as const),
  retainAvailable: (rng) => rng.chance(0.5),
  userProperties,
  maximumPacketSize: (rng) => rng.int(1, 0xffffffff),
  wildcardSubscriptionAvailable: (rng) => rng.chance(0.5),
  subscriptionIdentifierAvailable: (rng) => rng.chance(0.5),
  sharedSubscriptionAvailable: (rng) => rng.chance(0.5),
};

type Name = keyof Properties;
/** Which properties each packet may carry (MQTT 5 §2.2.2.2, Table 2-4), in identifier order. */
const ALLOWED: Record<string, Name[]> = {
  connect: [
    "sessionExpiryInterval",
    "authenticationMethod",
    "authenticationData",
    "requestProblemInformation",
    "requestResponseInformation",
    "receiveMaximum",
    "topicAliasMaximum",
    "userProperties",
    "maximumPacketSize",
  ],
  will: [
    "payloadFormatIndicator",
    "messageExpiryInterval",
    "contentType",
    "responseTopic",
    "correlationData",
    "willDelayInterval",
    "userProperties",
  ],
  connack: [
    "sessionExpiryInterval",
    "assignedClientIdentifier",
    "serverKeepAlive",
    "authenticationMethod",
    "authenticationData",
    "responseInformation",
    "serverReference",
    "reasonString",
    "receiveMaximum",
    "topicAliasMaximum",
    "maximumQoS",
    "retainAvailable",
    "userProperties",
    "maximumPacketSize",
    "wildcardSubscriptionAvailable",
    "subscriptionIdentifierAvailable",
    "sharedSubscriptionAvailable",
  ],
  publish: [
    "payloadFormatIndicator",
    "messageExpiryInterval",
    "contentType",
    "responseTopic",
    "correlationData",
    "subscriptionIdentifier",
    "topicAlias",
    "userProperties",
  ],
  ack: ["reasonString", "userProperties"],
  subscribe: ["subscriptionIdentifier", "userProperties"],
  unsubscribe: ["userProperties"],
  disconnect: ["sessionExpiryInterval", "serverReference", "reasonString", "userProperties"],
  auth: ["authenticationMethod", "authenticationData", "reasonString", "userProperties"],
};

/** A random valid property set for `kind` (a key of the table above), or `undefined`. */
export function randomProperties(rng: Rng, kind: string, density = 0.3): Properties | undefined {
  const names = ALLOWED[kind];
  if (names === undefined) throw new Error(`no property table for ${kind}`);
  if (rng.chance(0.3)) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (!rng.chance(density)) continue;
    if (name === "authenticationData" && out.authenticationMethod === undefined) continue;
    if (name === "subscriptionIdentifier" && kind === "publish" && rng.chance(0.3)) {
      const ids: number[] = [];
      for (let i = rng.int(2, 4); i > 0; i--) ids.push(varint(rng));
      out[name] = ids;
      continue;
    }
    out[name] = PROPERTY_VALUES[name](rng);
  }
  return Object.keys(out).length === 0 ? undefined : (out as Properties);
}

/** Adds `properties` to `target` only when there are some (the decoder's canonical form). */
function withProps<T extends object>(target: T, properties: Properties | undefined): T {
  if (properties !== undefined) (target as { properties?: Properties }).properties = properties;
  return target;
}

const qos = (rng: Rng): QoS => rng.pick([0, 1, 2] as const);
const packetId = (rng: Rng) => rng.pick([1, 0xffff, rng.int(1, 0xffff)]);

const ACK_CODES = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const REL_CODES = [0x00, 0x92];
const SUBACK_CODES = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
const UNSUBACK_CODES = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
const CONNACK_CODES = [
  0x00,
  0x80,
  0x81,
  0x82,
  0x83,
  0x84,
  0x85,
  0x86,
  0x87,
  0x88,
  0x89,
  0x8a,
  0x8c,
  0x90,
  0x95,
  0x97,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9f,
];
const DISCONNECT_CODES = [
  0x00,
  0x04,
  0x80,
  0x81,
  0x82,
  0x83,
  0x87,
  0x89,
  0x8b,
  0x8d,
  0x8e,
  0x8f,
  0x90,
  0x93,
  0x94,
  0x95,
  0x96,
  0x97,
  0x98,
  0x99,
  0x9a,
  0x9b,
  0x9c,
  0x9d,
  0x9e,
  0x9f,
  0xa0,
  0xa1,
  0xa2,
];

/** Every packet type that exists in `version`. */
export function packetTypes(version: ProtocolVersion): PacketType[] {
  const types: PacketType[] = [
    "connect",
    "connack",
    "publish",
    "puback",
    "pubrec",
    "pubrel",
    "pubcomp",
    "subscribe",
    "suback",
    "unsubscribe",
    "unsuback",
    "pingreq",
    "pingresp",
    "disconnect",
  ];
  if (version === 5) types.push("auth");
  return types;
}

function randomWill(rng: Rng, v5: boolean): Will {
  const will: Will = {
    topic: randomTopic(rng),
    payload: rng.bytes(rng.length(64)),
    qos: qos(rng),
    retain: rng.chance(0.5),
  };
  return v5 ? withProps(will, randomProperties(rng, "will")) : will;
}

function randomSubscription(rng: Rng, version: ProtocolVersion): Subscription {
  const topicFilter = randomFilter(rng, version);
  if (version !== 5) return { topicFilter, qos: qos(rng) };
  return {
    topicFilter,
    qos: qos(rng),
    noLocal: topicFilter.startsWith("$share/") ? false : rng.chance(0.5),
    retainAsPublished: rng.chance(0.5),
    retainHandling: rng.pick([0, 1, 2] as const),
  };
}

/** A random valid packet of `type` for `version`, in canonical decoded form. */
export function randomPacket(rng: Rng, version: ProtocolVersion, type: PacketType): Packet {
  const v5 = version === 5;
  const props = (kind: string) => (v5 ? randomProperties(rng, kind) : undefined);
  switch (type) {
    case "connect": {
      const clientId = version === 3
        ? randomString(rng, 23, [..."abcdefXYZ0189-_"]) || "c"
        : randomString(rng, 23);
      const packet: Packet = {
        type,
        protocolVersion: version,
        clientId,
        // 3.1.1 [MQTT-3.1.3-7]: a zero-byte client id needs a clean session.
        clean: (version === 4 && clientId === "") || rng.chance(0.5),
        keepalive: rng.pick([0, 60, 0xffff, u16(rng)]),
      };
      const hasUsername = rng.chance(0.5);
      if (hasUsername) packet.username = randomString(rng, 16);
      if ((hasUsername || v5) && rng.chance(0.5)) packet.password = rng.bytes(rng.length(16));
      if (rng.chance(0.4)) packet.will = randomWill(rng, v5);
      return withProps(packet, props("connect"));
    }
    case "connack": {
      const reasonCode = v5 ? rng.pick(CONNACK_CODES) : rng.int(0, 5);
      // [MQTT-3.2.2-6]: no session present on a failure; MQTT 3.1 has no such flag at all.
      const sessionPresent = reasonCode === 0 && version !== 3 && rng.chance(0.5);
      return withProps({ type, sessionPresent, reasonCode }, props("connack"));
    }
    case "publish": {
      const q = qos(rng);
      const properties = props("publish");
      let topic = randomTopic(rng);
      if (properties?.topicAlias !== undefined && rng.chance(0.5)) topic = "";
      const packet: Packet = {
        type,
        topic,
        payload: rng.bytes(rng.length(rng.chance(0.05) ? 70000 : 200)),
        qos: q,
        retain: rng.chance(0.5),
        dup: q > 0 && rng.chance(0.3),
      };
      if (q > 0) packet.packetId = packetId(rng);
      return withProps(packet, properties);
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp": {
      const codes = type === "puback" || type === "pubrec" ? ACK_CODES : REL_CODES;
      const reasonCode = v5 ? rng.pick(codes) : 0;
      return withProps({ type, packetId: packetId(rng), reasonCode }, props("ack"));
    }
    case "subscribe": {
      const subscriptions: Subscription[] = [];
      for (let i = rng.int(1, 5); i > 0; i--) subscriptions.push(randomSubscription(rng, version));
      return withProps({ type, packetId: packetId(rng), subscriptions }, props("subscribe"));
    }
    case "suback": {
      const reasonCodes: number[] = [];
      const codes = v5 ? SUBACK_CODES : [0, 1, 2, 0x80];
      for (let i = rng.int(1, 5); i > 0; i--) reasonCodes.push(rng.pick(codes));
      return withProps({ type, packetId: packetId(rng), reasonCodes }, props("ack"));
    }
    case "unsubscribe": {
      const topicFilters: string[] = [];
      for (let i = rng.int(1, 5); i > 0; i--) topicFilters.push(randomFilter(rng, version));
      return withProps({ type, packetId: packetId(rng), topicFilters }, props("unsubscribe"));
    }
    case "unsuback": {
      const reasonCodes: number[] = [];
      if (v5) {
        for (let i = rng.int(1, 5); i > 0; i--) {
          reasonCodes.push(rng.pick(UNSUBACK_CODES));
        }
      }
      return withProps({ type, packetId: packetId(rng), reasonCodes }, props("ack"));
    }
    case "pingreq":
    case "pingresp":
      return { type };
    case "disconnect":
      return withProps(
        { type, reasonCode: v5 ? rng.pick(DISCONNECT_CODES) : 0 },
        props("disconnect"),
      );
    case "auth": {
      const reasonCode = rng.pick([0x00, 0x18, 0x19]);
      let properties = randomProperties(rng, "auth");
      if (reasonCode !== 0 && properties?.authenticationMethod === undefined) {
        properties = { authenticationMethod: "SCRAM-SHA-1", ...properties };
      }
      return withProps({ type, reasonCode }, properties);
    }
  }
}

/** A random valid packet of a random type for `version`. */
export function randomAnyPacket(rng: Rng, version: ProtocolVersion): Packet {
  return randomPacket(rng, version, rng.pick(packetTypes(version)));
}
