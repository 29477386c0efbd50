/**
 * MQTT 5 topic aliases (§3.3.2.3.4). Mappings live for one network connection only
 * ([MQTT-3.3.2-7]): both tables are reset on every CONNACK.
 *
 * Outgoing: the first PUBLISH to a topic takes the next free alias (1, 2, …) and carries both
 * the topic and the alias; later ones carry the alias and an empty topic. Aliases are handed out
 * first come, first served up to the server's Topic Alias Maximum ([MQTT-3.2.2-17]); topics seen
 * after that are sent in full.
 *
 * User-set aliases (`properties.topicAlias` in `publish()`, without the `topicAliases` option):
 * a publish with a topic and an alias records alias → topic for the client's lifetime, and a
 * publish with an empty topic stands for the last topic given with its alias (a RangeError if
 * none was ever given, [MQTT-3.3.2-7]). On the wire, an empty topic is sent only when this
 * connection's last PUBLISH with that alias carried the same topic; otherwise (queued across a
 * reconnect, resent on session resume, or the alias re-mapped in between) the full topic goes
 * with the alias, which sets the mapping again. So no PUBLISH relies on a mapping from an
 * earlier connection, or on one that has changed.
 *
 * Incoming: an alias with a topic sets the mapping; an alias with an empty topic uses it. Alias 0,
 * an alias above the Topic Alias Maximum we sent in CONNECT, or an unknown alias with an empty
 * topic is a protocol error with reason code 0x94 Topic Alias invalid.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";

/** The alias to put in an outgoing PUBLISH; `known` = the server already has the mapping. */
export interface OutgoingAlias {
  /** The alias number. */
  alias: number;
  /** Whether the server already maps it to the topic (then the topic is sent empty). */
  known: boolean;
}

/** Assigns aliases to outgoing topics. */
export class OutgoingTopicAliases {
  #maximum = 0;
  // The maps are made on first use (most connections use no aliases).
  #aliases: Map<string, number> | undefined;
  /** User-set aliases as given in `publish()` calls: alias → topic (kept across connections). */
  #given: Map<number, string> | undefined;
  /** User-set aliases the server knows on this connection: alias → topic last sent with it. */
  #sent: Map<number, string> | undefined;

  /** Whether aliases are in use on this connection. */
  get enabled(): boolean {
    return this.#maximum > 0;
  }

  /** Forgets every mapping; `maximum` is the server's Topic Alias Maximum (0 = off). */
  reset(maximum: number): void {
    this.#maximum = maximum;
    this.#aliases = undefined;
    this.#sent = undefined;
  }

  /**
   * The topic a publish with user-set `alias` stands for: `topic` (recorded as the alias's
   * mapping) or, when `topic` is empty, the last topic given with `alias`; undefined if none.
   */
  given(alias: number, topic: string): string | undefined {
    if (topic === "") return this.#given?.get(alias);
    (this.#given ??= new Map()).set(alias, topic);
    return topic;
  }

  /**
   * The topic field for a PUBLISH with user-set `alias` standing for `topic`: "" when this
   * connection already maps `alias` to `topic`, else `topic` (then call {@link sent}).
   */
  wireTopic(alias: number, topic: string): string {
    return this.#sent?.get(alias) === topic ? "" : topic;
  }

  /** A PUBLISH carrying `topic` and user-set `alias` was sent on this connection. */
  sent(alias: number, topic: string): void {
    (this.#sent ??= new Map()).set(alias, topic);
  }

  /** The alias for `topic`, assigning one when there is room; undefined = send the topic alone. */
  lookup(topic: string): OutgoingAlias | undefined {
    if (this.#maximum === 0 || topic === "") return undefined;
    const aliases = this.#aliases ??= new Map();
    const alias = aliases.get(topic);
    if (alias !== undefined) return { alias, known: true };
    if (aliases.size >= this.#maximum) return undefined;
    const next = aliases.size + 1;
    aliases.set(topic, next);
    return { alias: next, known: false };
  }

  /** Takes back the alias just assigned to `topic` (its PUBLISH was not sent after all). */
  unassign(topic: string): void {
    const aliases = this.#aliases;
    if (aliases !== undefined && aliases.get(topic) === aliases.size) aliases.delete(topic);
  }
}

/** Resolves aliases in incoming PUBLISH packets. */
export class IncomingTopicAliases {
  #maximum = 0;
  /** Made on first use. */
  #topics: Map<number, string> | undefined;

  /** Forgets every mapping; `maximum` is the Topic Alias Maximum we sent in CONNECT. */
  reset(maximum: number): void {
    this.#maximum = maximum;
    this.#topics = undefined;
  }

  /** The topic of a PUBLISH carrying `alias`, or a ProtocolError (0x94). */
  resolve(topic: string, alias: number): string | ProtocolError {
    if (alias < 1 || alias > this.#maximum) {
      return new ProtocolError(
        `Received Topic Alias ${alias}, outside 1..${this.#maximum} (the Topic Alias Maximum sent in CONNECT)`,
        { reasonCode: 0x94 },
      );
    }
    if (topic !== "") {
      (this.#topics ??= new Map()).set(alias, topic);
      return topic;
    }
    const known = this.#topics?.get(alias);
    if (known === undefined) {
      return new ProtocolError(
        `Received Topic Alias ${alias} with an empty topic before any mapping for it`,
        { reasonCode: 0x94 },
      );
    }
    return known;
  }
}
