import {
  createWeriftPeerConnectionFactory as createNodePeerConnectionFactory,
  type WeriftPeerConnectionFactory,
} from '@handset/node';

// The werift ports are @handset/node's; tests keep importing them from here, always loopback-only.
export * from '@handset/node';
export { LOOPBACK_ADDRESS } from './loopback-address.js';
export * from './turn-server.js';
export * from './udp-relay.js';

/** A PeerConnectionFactory of loopback-only werift peers (tests never send traffic off 127.0.0.1). */
export function createWeriftPeerConnectionFactory(): WeriftPeerConnectionFactory {
  return createNodePeerConnectionFactory({ loopbackOnly: true });
}
