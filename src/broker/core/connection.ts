/**
 * `Connection`: one client connection inside the broker core — its decoder, the order of
 * packets (CONNECT first and once), acknowledgements of what the broker sends, PINGREQ,
 * DISCONNECT, keepalive (1.5×) and protocol errors (DISCONNECT with the reason code on MQTT 5,
 * a plain close before). What the client publishes is its {@link Incoming}'s (`incoming.ts`).
 *
 * @module
 */

import { PacketDecoder } from "../../codec/decoder.ts";
import { encodePacket } from "../../codec/encode.ts";
import { MAX_PACKET_SIZE } from "../../codec/constants.ts";
import type {
  ConnectPacket,
  DisconnectPacket,
  Packet,
  ProtocolVersion,
  Will,
} from "../../codec/types.ts";
import { MqttError } from "../../errors.ts";
import { unreadableConnectAnswer } from "./connack.ts";
import { Incoming } from "./incoming.ts";
import type { Outlet, Session } from "./session.ts";
import type { Link } from "./types.ts";
import type { BrokerCore } from "./broker_core.ts";

/** How long a new connection has to send its CONNECT (and be authenticated), in ms. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** Where a connection is in its life. */
export type ConnectionState = "new" | "authenticating" | "open" | "closed";

/** One client connection. The host feeds it bytes and closes; the core drives the rest. */
export class Connection implements Outlet {
  /** Where the connection is in its life. */
  state: ConnectionState = "new";
  /** The protocol level of its CONNECT (4 until then). */
  protocolVersion: ProtocolVersion = 4;
  /** The client's Receive Maximum. */
  receiveMaximum = 65535;
  /** The client's Maximum Packet Size. */
  maximumPacketSize: number = MAX_PACKET_SIZE;
  /** The client identifier (once connected). */
  clientId = "";
  /** The session it is attached to (once connected). */
  session: Session | undefined;
  /** The will of its CONNECT. */
  will: Will | undefined;
  /** The keepalive in force, in seconds (0 = none). */
  keepalive = 0;
  readonly #core: BrokerCore;
  readonly #link: Link;
  readonly #decoder: PacketDecoder;
  readonly #incoming: Incoming;
  readonly #opened: number;
  #lastReceived: number;
  /** Packets that arrived while the CONNECT was being authenticated. */
  #held: Packet[] = [];

  /** A connection opened at `now`, writing to `link`. */
  constructor(core: BrokerCore, link: Link, now: number) {
    this.#core = core;
    this.#link = link;
    this.#opened = this.#lastReceived = now;
    this.#incoming = new Incoming(core, this);
    this.#decoder = new PacketDecoder({
      protocolVersion: 4,
      maximumPacketSize: core.limits.maximumPacketSize,
    });
  }

  /** Bytes from the client arrived at `now`. */
  data(bytes: Uint8Array, now: number): void {
    if (this.state === "closed") return;
    this.#lastReceived = now;
    let packets: Packet[];
    try {
      packets = this.#decoder.push(bytes);
    } catch (error) {
      const reasonCode = error instanceof MqttError ? error.reasonCode : 0x81;
      const message = error instanceof Error ? error.message : String(error);
      if (this.state === "new") this.#refuseUnreadable(bytes, reasonCode, message, now);
      else this.fail(reasonCode, message, now);
      return;
    }
    for (const packet of packets) {
      if ((this.state as ConnectionState) === "closed") return;
      if (this.state === "authenticating") this.#held.push(packet);
      else this.#handle(packet, now);
    }
  }

  /** The client closed the connection (or it broke) at `now`. */
  closed(now: number): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#core.detach(this, now, true);
  }

  /** When the connection next needs {@link timer}: its keepalive or CONNECT deadline. */
  deadline(): number | undefined {
    if (this.state === "new" || this.state === "authenticating") {
      return this.#opened + CONNECT_TIMEOUT_MS;
    }
    if (this.state === "open" && this.keepalive > 0) {
      return this.#lastReceived + this.keepalive * 1500; // [MQTT-3.1.2-22]
    }
    return undefined;
  }

  /** Closes the connection if its deadline has passed. */
  timer(now: number): void {
    const deadline = this.deadline();
    if (deadline === undefined || deadline > now) return;
    if (this.state === "open") {
      this.fail(0x8d, `No packet from "${this.clientId}" within 1.5 × keepalive`, now);
    } else {
      this.#core.log("info", "Closed a connection that sent no CONNECT in time");
      this.#shut(now, false);
    }
  }

  /** Writes one packet; false (nothing written) if larger than the client's maximum size. */
  send(packet: Packet): boolean {
    if (this.state === "closed") return false;
    const bytes = encodePacket(packet, this.protocolVersion);
    if (bytes.length > this.maximumPacketSize) return false;
    this.#link.write(bytes);
    return true;
  }

  /**
   * Ends the connection from the broker's side at `now`: an MQTT 5 client gets a DISCONNECT
   * with `reasonCode` (and `reason` as its reason string) first. The will is published unless
   * `publishWill` is false.
   */
  fail(reasonCode: number, reason: string, now: number, publishWill = true): void {
    if (this.state === "closed") return;
    this.#core.log(
      reasonCode >= 0x80 && reasonCode !== 0x8e && reasonCode !== 0x8b ? "warn" : "info",
      `Disconnecting "${this.clientId}" (reason code 0x${reasonCode.toString(16)}): ${reason}`,
    );
    if (this.protocolVersion === 5 && this.state === "open") {
      this.send({ type: "disconnect", reasonCode, properties: { reasonString: reason } });
    }
    this.#shut(now, publishWill);
  }

  /** Accepted: attaches `session` (the CONNACK and held packets follow, from the core). */
  attach(session: Session, connect: ConnectPacket, clientId: string, keepalive: number): void {
    this.session = session;
    this.clientId = clientId;
    this.keepalive = keepalive;
    if (connect.will !== undefined) this.will = connect.will;
    this.state = "open";
    session.outlet = this;
  }

  /** Marks the connection as authenticating: packets are held until {@link releaseHeld}. */
  holdPackets(): void {
    this.state = "authenticating";
  }

  /** Refuses the connection: writes `connack` and closes, without a session or will. */
  refuse(connack: Packet, now: number): void {
    this.state = "open"; // so send() writes
    this.send(connack);
    this.#shut(now, false);
  }

  /** Handles the packets held during authentication, now that the connection is open. */
  releaseHeld(now: number): void {
    const held = this.#held;
    this.#held = [];
    for (const packet of held) {
      if (this.state !== "open") return;
      this.#handle(packet, now);
    }
  }

  #shut(now: number, publishWill: boolean): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#link.close();
    this.#core.detach(this, now, publishWill);
  }

  #handle(packet: Packet, now: number): void {
    if (this.state === "new") {
      if (packet.type !== "connect") {
        this.#core.log("warn", `The first packet was ${packet.type}, not CONNECT [MQTT-3.1.0-1]`);
        this.#shut(now, false);
        return;
      }
      this.protocolVersion = packet.protocolVersion;
      this.#core.connect(this, packet, now);
      return;
    }
    const session = this.session!;
    switch (packet.type) {
      case "publish":
        return this.#incoming.publish(packet, session, now);
      case "puback":
      case "pubrec":
      case "pubcomp":
        if (!session.acknowledge(packet.type, packet.packetId, packet.reasonCode, now)) {
          if (packet.type === "pubrec" && this.protocolVersion === 5) {
            this.send({ type: "pubrel", packetId: packet.packetId, reasonCode: 0x92 });
          }
        }
        return;
      case "pubrel":
        return this.#incoming.release(packet.packetId, session);
      case "subscribe":
        return this.#core.subscribe(this, packet, now);
      case "unsubscribe":
        return this.#core.unsubscribe(this, packet, now);
      case "pingreq":
        this.send({ type: "pingresp" });
        return;
      case "disconnect":
        return this.#disconnect(packet, session, now);
      case "connect":
        return this.fail(0x82, "A second CONNECT [MQTT-3.1.0-2]", now);
      case "auth":
        return this.fail(0x82, "AUTH without enhanced authentication (MQTT 5 §4.12)", now);
      default:
        return this.fail(0x82, `A client sent ${packet.type.toUpperCase()}`, now);
    }
  }

  #disconnect(packet: DisconnectPacket, session: Session, now: number): void {
    const expiry = packet.properties?.sessionExpiryInterval;
    if (expiry !== undefined) {
      if (session.expiryInterval === 0 && expiry !== 0) {
        return this.fail(0x82, "DISCONNECT sets a session expiry after 0 [MQTT-3.14.2-2]", now);
      }
      session.expiryInterval = expiry;
    }
    this.#core.log("info", `"${this.clientId}" disconnected`);
    this.#shut(now, packet.reasonCode === 0x04);
  }

  /** A CONNECT that could not be decoded: a CONNACK saying why where possible, then close. */
  #refuseUnreadable(bytes: Uint8Array, reasonCode: number, reason: string, now: number): void {
    this.#core.log("warn", `Refused a connection: ${reason}`);
    const answer = unreadableConnectAnswer(bytes, reasonCode);
    if (answer instanceof Uint8Array) this.#link.write(answer);
    else if (answer !== undefined) {
      this.protocolVersion = 5;
      return this.refuse(answer, now);
    }
    this.#shut(now, false);
  }
}
