/**
 * Handset calls from Node: a werift peer connection factory, media ports with fake devices, media sources
 * and a recorder of what the peer sends.
 * @module @handset/node
 */
// Loopback-only peers are an option of the factory (`loopbackOnly`); how it filters candidates stays inside.
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
// WeriftLocalTrack is only the type of the tracks getUserMedia hands out: the class is not for constructing.
export {
  createEnumerateDevices,
  createWeriftGetUserMedia,
  type MediaDenial,
  type NodeMediaDevice,
  PLACEHOLDER_DEVICES,
  type WeriftGetUserMedia,
  type WeriftGetUserMediaOptions,
  type WeriftLocalTrack,
} from './werift-media.js';
export * from './werift-peer-connection.js';
export * from './werift-peer-connection-factory.js';
// What WeriftPeerConnection.getTransceivers() returns, as types: the classes are built by the connection only.
export type { WeriftSender, WeriftTransceiver } from './werift-transceiver.js';
