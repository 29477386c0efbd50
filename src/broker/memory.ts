/**
 * The in-memory listener: connections made with korero's memory transport, so a test needs
 * no port and runs in browsers and workers too.
 *
 * @module
 */

import { memoryPair } from "../transport/memory.ts";
import type { TransportOpener } from "../transport/types.ts";
import type { Accept } from "./listener.ts";

/** A {@link TransportOpener} whose connections go straight to `accept`. */
export function memoryListener(accept: Accept): TransportOpener {
  const { opener, server } = memoryPair();
  server.onConnection = (connection) => {
    const peer = accept({
      write: (bytes) => connection.write(bytes),
      close: () => connection.close(),
    });
    connection.onData = (bytes) => peer.data(bytes);
    connection.onClose = () => peer.closed();
  };
  return opener;
}
