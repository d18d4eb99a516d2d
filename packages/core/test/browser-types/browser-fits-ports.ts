// Compiled (not run) with the DOM library: the browser's own objects must fit core's ports as they are,
// so an app passes `new RTCPeerConnection(config)` and `navigator.mediaDevices.getUserMedia` unwrapped.
import type {
  DataChannelPort,
  EnumerateDevices,
  GetDisplayMedia,
  GetUserMedia,
  MediaTrackPort,
  PeerConnectionFactory,
  PeerConnectionPort,
  RtpTransceiverPort,
} from '../../src/ports.js';

export const factory: PeerConnectionFactory = (config) => new RTCPeerConnection(config);
export const getUserMedia: GetUserMedia = (media) => navigator.mediaDevices.getUserMedia(media);
export const port: PeerConnectionPort = new RTCPeerConnection();
export const getDisplayMedia: GetDisplayMedia = (options) => navigator.mediaDevices.getDisplayMedia(options);
export const enumerateDevices: EnumerateDevices = () => navigator.mediaDevices.enumerateDevices();
export const track: MediaTrackPort = new MediaStreamTrack();
export const transceivers: RtpTransceiverPort[] = new RTCPeerConnection().getTransceivers();
export const channel: DataChannelPort = new RTCPeerConnection().createDataChannel('handset', {
  negotiated: true,
  id: 0,
  ordered: true,
});
