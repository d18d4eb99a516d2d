/**
 * Handset calls from Node: a werift peer connection factory, media ports with fake devices, media sources
 * and a recorder of what the peer sends.
 * @module @handset/node
 */
export * from './loopback.js';
export * from './media-file.js';
export * from './media-probe.js';
export * from './media-sources.js';
export * from './node-ports.js';
export * from './remote-recording.js';
export {
  type FrameSequence,
  type MediaKind,
  type MediaSource,
  RTP_INTERVAL_MS,
} from './rtp-source.js';
export * from './werift-media.js';
export * from './werift-peer-connection.js';
export * from './werift-peer-connection-factory.js';
export * from './werift-transceiver.js';
