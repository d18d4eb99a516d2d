// Compiled (not run) with the DOM library: the browser's own objects must fit core's ports as they are,
// so an app passes `new RTCPeerConnection(config)` and `navigator.mediaDevices.getUserMedia` unwrapped.
import type { GetUserMedia, PeerConnectionFactory, PeerConnectionPort } from '../../src/ports.js';

export const factory: PeerConnectionFactory = (config) => new RTCPeerConnection(config);
export const getUserMedia: GetUserMedia = (media) => navigator.mediaDevices.getUserMedia(media);
export const port: PeerConnectionPort = new RTCPeerConnection();
