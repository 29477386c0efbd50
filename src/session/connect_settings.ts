/**
 * What the next CONNECT carries that the application may change between attempts: the user
 * name, the password and the will (paho's `username_pw_set`, `will_set`, `will_clear`). They
 * start as the options say; a change applies from the next CONNECT, which is built when its
 * transport opened.
 *
 * @module
 */

import type { ConnectPacket, Will } from "../codec/types.ts";
import { admitConnect } from "./admission.ts";
import type { SessionOptions } from "./types.ts";

/** The credentials and will of the next CONNECT, and how that CONNECT is built. */
export class ConnectSettings {
  readonly #options: SessionOptions;
  #username: string | undefined;
  #password: Uint8Array | undefined;
  #will: Will | undefined;

  /** Settings as `options` give them. */
  constructor(options: SessionOptions) {
    this.#options = options;
    this.#username = options.username;
    this.#password = options.password;
    this.#will = options.will;
  }

  /** The user name of the next CONNECT. */
  get username(): string | undefined {
    return this.#username;
  }

  /** The will of the next CONNECT. */
  get will(): Will | undefined {
    return this.#will;
  }

  /**
   * Replaces the user name and password (`undefined` leaves one out).
   *
   * @throws {RangeError} when the protocol version forbids them (a password without a user name
   * before MQTT 5, [MQTT-3.1.2-22]); nothing changes then
   */
  setCredentials(username: string | undefined, password: Uint8Array | undefined): void {
    this.#admit(username, password, this.#will);
    this.#username = username;
    this.#password = password;
  }

  /**
   * Replaces the will (`undefined` removes it).
   *
   * @throws {RangeError} when the protocol version forbids it (will properties before MQTT 5);
   * nothing changes then
   */
  setWill(will: Will | undefined): void {
    this.#admit(this.#username, this.#password, will);
    this.#will = will;
  }

  /** The CONNECT with the client id in use and the clean flag of this attempt. */
  packet(clientId: string, clean: boolean): ConnectPacket {
    const o = this.#options;
    const packet: ConnectPacket = {
      type: "connect",
      protocolVersion: o.protocolVersion,
      clientId,
      clean,
      keepalive: o.keepalive,
    };
    if (this.#username !== undefined) packet.username = this.#username;
    if (this.#password !== undefined) packet.password = this.#password;
    if (this.#will !== undefined) packet.will = this.#will;
    if (o.properties !== undefined && o.protocolVersion === 5) packet.properties = o.properties;
    return packet;
  }

  #admit(username: string | undefined, password: Uint8Array | undefined, will: Will | undefined) {
    const { username: _u, password: _p, will: _w, ...rest } = this.#options;
    const options: SessionOptions = rest;
    if (username !== undefined) options.username = username;
    if (password !== undefined) options.password = password;
    if (will !== undefined) options.will = will;
    admitConnect(options);
  }
}
