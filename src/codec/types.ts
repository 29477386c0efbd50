/**
 * Packet objects: one plain object per MQTT control packet, tagged by a string `type`.
 *
 * The same shapes serve MQTT 3.1 (protocol level 3), 3.1.1 (level 4) and 5.0 (level 5).
 * Fields that exist only in MQTT 5 (`properties`, most `reasonCode`s) are simply absent or
 * zero on older versions. Payloads and binary data are `Uint8Array`; decoded PUBLISH payloads
 * are views into the received bytes, not copies.
 *
 * @module
 */

/** MQTT protocol level: 3 = MQTT 3.1 (`MQIsdp`), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5;

/** Quality of service level. */
export type QoS = 0 | 1 | 2;

/** An ordered list of MQTT 5 user properties; a key may repeat. */
export type UserProperties = [key: string, value: string][];

/**
 * MQTT 5 properties, by their camelCase names. Which may appear in which packet is in
 * `PROPERTY_TABLE` (`properties.ts`). One-byte 0/1 flags are booleans.
 */
export interface Properties {
  /** 0x01, PUBLISH / will: `true` = payload is UTF-8 text. */
  payloadFormatIndicator?: boolean;
  /** 0x02, PUBLISH / will: lifetime of the message in seconds. */
  messageExpiryInterval?: number;
  /** 0x03, PUBLISH / will: MIME type of the payload. */
  contentType?: string;
  /** 0x08, PUBLISH / will: topic for a response (request/response). */
  responseTopic?: string;
  /** 0x09, PUBLISH / will: correlation data for a response. */
  correlationData?: Uint8Array;
  /**
   * 0x0B, SUBSCRIBE (one) / PUBLISH (one or more): subscription identifier(s), 1..268,435,455.
   * Decoded as a number when it occurs once and as an array when it occurs several times.
   */
  subscriptionIdentifier?: number | number[];
  /** 0x11, CONNECT / CONNACK / DISCONNECT: session expiry in seconds. */
  sessionExpiryInterval?: number;
  /** 0x12, CONNACK: client identifier assigned by the server. */
  assignedClientIdentifier?: string;
  /** 0x13, CONNACK: keepalive the server wants, in seconds. */
  serverKeepAlive?: number;
  /** 0x15, CONNECT / CONNACK / AUTH: enhanced authentication method. */
  authenticationMethod?: string;
  /** 0x16, CONNECT / CONNACK / AUTH: enhanced authentication data. */
  authenticationData?: Uint8Array;
  /** 0x17, CONNECT: whether the server may send reason strings / user properties on failures. */
  requestProblemInformation?: boolean;
  /** 0x18, will: delay before the will is published, in seconds. */
  willDelayInterval?: number;
  /** 0x19, CONNECT: ask the server for response information. */
  requestResponseInformation?: boolean;
  /** 0x1A, CONNACK: basis for response topics. */
  responseInformation?: string;
  /** 0x1C, CONNACK / DISCONNECT: another server to use. */
  serverReference?: string;
  /** 0x1F, CONNACK / acks / DISCONNECT / AUTH: human-readable diagnostic. */
  reasonString?: string;
  /** 0x21, CONNECT / CONNACK: maximum unacknowledged QoS 1/2 PUBLISH the sender accepts. */
  receiveMaximum?: number;
  /** 0x22, CONNECT / CONNACK: highest topic alias the sender accepts. */
  topicAliasMaximum?: number;
  /** 0x23, PUBLISH: topic alias, 1..topicAliasMaximum. */
  topicAlias?: number;
  /** 0x24, CONNACK: highest QoS the server supports (0 or 1; absent = 2). */
  maximumQoS?: 0 | 1;
  /** 0x25, CONNACK: whether the server supports retained messages. */
  retainAvailable?: boolean;
  /** 0x26, every packet with properties: ordered user properties. */
  userProperties?: UserProperties;
  /** 0x27, CONNECT / CONNACK: the largest packet the sender accepts, in bytes. */
  maximumPacketSize?: number;
  /** 0x28, CONNACK: whether wildcard subscriptions are supported. */
  wildcardSubscriptionAvailable?: boolean;
  /** 0x29, CONNACK: whether subscription identifiers are supported. */
  subscriptionIdentifierAvailable?: boolean;
  /** 0x2A, CONNACK: whether shared subscriptions are supported. */
  sharedSubscriptionAvailable?: boolean;
}

/** The will message carried by CONNECT. */
export interface Will {
  /** Topic the will is published to: a topic name, no wildcards. */
  topic: string;
  /** The will message, at most 65,535 bytes. */
  payload: Uint8Array;
  /** QoS the will is published with. */
  qos: QoS;
  /** Whether the will is published as a retained message. */
  retain: boolean;
  /** MQTT 5 will properties (willDelayInterval, messageExpiryInterval, contentType, …). */
  properties?: Properties;
}

/** CONNECT (client → server). */
export interface ConnectPacket {
  /** The packet type tag. */
  type: "connect";
  /** Protocol level written in (and read from) the variable header. */
  protocolVersion: ProtocolVersion;
  /** Client identifier; may be empty (MQTT 3.1.1 only with `clean`) to let the server assign one. */
  clientId: string;
  /** Clean session (3.1, 3.1.1) / clean start (5). */
  clean: boolean;
  /** Keepalive in seconds, 0..65535 (0 = off). */
  keepalive: number;
  /** User name, if any. */
  username?: string;
  /** Password, if any (before MQTT 5 only together with `username`). */
  password?: Uint8Array;
  /** The will message, if any. */
  will?: Will;
  /** MQTT 5 CONNECT properties. */
  properties?: Properties;
}

/** CONNACK (server → client). On 3.1/3.1.1 `reasonCode` holds the return code (0..5). */
export interface ConnackPacket {
  /** The packet type tag. */
  type: "connack";
  /** Whether the server resumed a stored session (always false on a refusal). */
  sessionPresent: boolean;
  /** MQTT 5 reason code, or the 3.1/3.1.1 return code 0..5. */
  reasonCode: number;
  /** MQTT 5 CONNACK properties (the server's limits and assignments). */
  properties?: Properties;
}

/** PUBLISH (both ways). `packetId` is present exactly when `qos > 0`. */
export interface PublishPacket {
  /** The packet type tag. */
  type: "publish";
  /** Topic name (no wildcards); empty only on MQTT 5 with a topic alias. */
  topic: string;
  /** Application message; a view into the received bytes when decoded. */
  payload: Uint8Array;
  /** Delivery QoS. */
  qos: QoS;
  /** The retain flag. */
  retain: boolean;
  /** The DUP flag: a resend of an earlier attempt (never set on QoS 0). */
  dup: boolean;
  /** Packet identifier, 1..65535, present exactly when `qos > 0`. */
  packetId?: number;
  /** MQTT 5 PUBLISH properties. */
  properties?: Properties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. `reasonCode` is 0 on 3.1/3.1.1. */
export interface PubAckPacket {
  /** The packet type tag. */
  type: "puback" | "pubrec" | "pubrel" | "pubcomp";
  /** Identifier of the PUBLISH (or PUBREL) acknowledged. */
  packetId: number;
  /** MQTT 5 reason code; 0 on 3.1/3.1.1. */
  reasonCode: number;
  /** MQTT 5 properties (reason string, user properties). */
  properties?: Properties;
}

/** One entry of a SUBSCRIBE. The v5 options default to false / false / 0. */
export interface Subscription {
  /** Topic filter; may hold wildcards and a `$share/` prefix. */
  topicFilter: string;
  /** Maximum QoS requested. */
  qos: QoS;
  /** MQTT 5: do not send the client its own messages back. */
  noLocal?: boolean;
  /** MQTT 5: keep the retain flag of forwarded messages as published. */
  retainAsPublished?: boolean;
  /** 0 = send retained on subscribe, 1 = only if new subscription, 2 = never. */
  retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE (client → server). */
export interface SubscribePacket {
  /** The packet type tag. */
  type: "subscribe";
  /** Packet identifier, 1..65535. */
  packetId: number;
  /** The subscriptions requested, at least one. */
  subscriptions: Subscription[];
  /** MQTT 5 SUBSCRIBE properties (subscription identifier, user properties). */
  properties?: Properties;
}

/** SUBACK (server → client): one reason code (granted QoS or failure) per subscription. */
export interface SubackPacket {
  /** The packet type tag. */
  type: "suback";
  /** Identifier of the SUBSCRIBE acknowledged. */
  packetId: number;
  /** One code per subscription, in order: granted QoS 0..2 or a failure (0x80 and above). */
  reasonCodes: number[];
  /** MQTT 5 properties (reason string, user properties). */
  properties?: Properties;
}

/** UNSUBSCRIBE (client → server). */
export interface UnsubscribePacket {
  /** The packet type tag. */
  type: "unsubscribe";
  /** Packet identifier, 1..65535. */
  packetId: number;
  /** The topic filters to remove, at least one. */
  topicFilters: string[];
  /** MQTT 5 UNSUBSCRIBE properties (user properties). */
  properties?: Properties;
}

/** UNSUBACK (server → client). `reasonCodes` is empty on 3.1/3.1.1 (the packet has none). */
export interface UnsubackPacket {
  /** The packet type tag. */
  type: "unsuback";
  /** Identifier of the UNSUBSCRIBE acknowledged. */
  packetId: number;
  /** MQTT 5: one reason code per topic filter, in order; empty before MQTT 5. */
  reasonCodes: number[];
  /** MQTT 5 properties (reason string, user properties). */
  properties?: Properties;
}

/** PINGREQ (client → server). */
export interface PingreqPacket {
  /** The packet type tag. */
  type: "pingreq";
}

/** PINGRESP (server → client). */
export interface PingrespPacket {
  /** The packet type tag. */
  type: "pingresp";
}

/** DISCONNECT (both ways in 5, client → server in 3.1/3.1.1). `reasonCode` is 0 before 5. */
export interface DisconnectPacket {
  /** The packet type tag. */
  type: "disconnect";
  /** MQTT 5 reason code (0 = normal disconnection); 0 before MQTT 5. */
  reasonCode: number;
  /** MQTT 5 DISCONNECT properties (session expiry, reason string, server reference, …). */
  properties?: Properties;
}

/** AUTH (both ways, MQTT 5 only). */
export interface AuthPacket {
  /** The packet type tag. */
  type: "auth";
  /** 0x00 success, 0x18 continue authentication or 0x19 re-authenticate. */
  reasonCode: number;
  /** AUTH properties (authentication method and data, reason string, user properties). */
  properties?: Properties;
}

/** Every MQTT control packet. Switch on `type`. */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubAckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/** The `type` tag of every packet (the same as `Packet["type"]`). */
export type PacketType =
  | "connect"
  | "connack"
  | "publish"
  | "puback"
  | "pubrec"
  | "pubrel"
  | "pubcomp"
  | "subscribe"
  | "suback"
  | "unsubscribe"
  | "unsuback"
  | "pingreq"
  | "pingresp"
  | "disconnect"
  | "auth";

/** Compile-time proof that {@link PacketType} lists exactly the packets' tags. */
const _sameTags: [PacketType, Packet["type"]] extends [Packet["type"], PacketType] ? true : never =
  true;
