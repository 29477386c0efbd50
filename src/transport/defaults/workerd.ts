/**
 * The default transport in Cloudflare Workers (workerd): `openCloudflare` (`cloudflare:sockets`)
 * for TCP and TLS, the WebSocket adapter for `ws`/`wss`. The npm build selects this module with
 * the `workerd` export condition.
 *
 * @module
 */

import { defaultOpener, globalWebSocket } from "./choose.ts";
import type { TransportOpener } from "../types.ts";

/** Opens a connection to any target kind Cloudflare Workers support. */
export const openDefault: TransportOpener = defaultOpener(
  "workerd",
  globalWebSocket("Cloudflare Workers"),
  () => import("../cloudflare.ts").then((module) => module.openCloudflare),
);
