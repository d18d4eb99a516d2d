export * from './loopback.js';
export * from './media-probe.js';
export { type MediaKind, RTP_INTERVAL_MS } from './rtp-source.js';
export * from './turn-server.js';
export * from './udp-relay.js';
export * from './werift-media.js';
export * from './werift-peer-connection.js';
