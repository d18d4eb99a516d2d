// The PeerConnectionFactory port on werift: makes WeriftPeerConnections and remembers them, so a program
// (or a test's afterEach) can close them all and wait until their sockets are released.
import type { PeerConnectionConfig } from '@handset/core';
import { WeriftPeerConnection } from './werift-peer-connection.js';

export interface WeriftPeerConnectionFactory {
  (config: PeerConnectionConfig): WeriftPeerConnection;
  /** Every connection made so far, in order. */
  readonly connections: readonly WeriftPeerConnection[];
  /** Closes every connection made so far and waits until their sockets are released (for afterEach). */
  closeAll(): Promise<void>;
}

export interface WeriftPeerConnectionFactoryOptions {
  /**
   * Gather and accept only 127.0.0.1 candidates, no other interface: tests (traffic never leaves the
   * machine and never waits for STUN) and a program whose peer runs on the same machine. Default false.
   */
  loopbackOnly?: boolean;
}

/**
 * A PeerConnectionFactory making werift peers. The configured `iceServers` and `iceTransportPolicy` reach
 * werift: pass `[]` for host candidates only, or STUN/TURN servers.
 */
export function createWeriftPeerConnectionFactory(
  options: WeriftPeerConnectionFactoryOptions = {},
): WeriftPeerConnectionFactory {
  const connections: WeriftPeerConnection[] = [];
  const factory = (config: PeerConnectionConfig): WeriftPeerConnection => {
    const pc = new WeriftPeerConnection(config, options);
    connections.push(pc);
    return pc;
  };
  const closeAll = async (): Promise<void> => {
    for (const pc of connections) pc.close();
    await Promise.all(connections.map((pc) => pc.whenClosed()));
  };
  return Object.assign(factory, { connections, closeAll });
}
