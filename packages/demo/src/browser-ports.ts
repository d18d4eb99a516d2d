// The browser's WebRTC and media devices handed to the phone as ports. With `loopbackOnly`, the peer connection
// offers only 127.0.0.1 candidates, so two tabs of a test on one machine never touch a real interface.
import type {
  DataChannelPort,
  DeviceInfo,
  EnumerateDevices,
  GetDisplayMedia,
  GetUserMedia,
  IceCandidateEventPort,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionPort,
  RtpTransceiverPort,
} from '@handset/core';

export interface BrowserPorts {
  peerConnectionFactory: PeerConnectionFactory;
  getUserMedia: GetUserMedia;
  /** Absent where the browser cannot share a screen (most phones): the page then offers no Share screen. */
  getDisplayMedia: GetDisplayMedia | undefined;
  enumerateDevices: EnumerateDevices;
  /** The last peer connection made (the test harness reads `getStats` from it). */
  lastPeerConnection(): RTCPeerConnection | null;
}

/** `candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ...`: the address is the fifth field. */
function isLoopbackCandidate(candidate: string): boolean {
  return candidate.split(' ')[4] === '127.0.0.1';
}

type AnyListener = (event: never) => void;

/**
 * The browser's connection as core's port, through a thin delegate so that, with `loopbackOnly`, every
 * candidate that is not 127.0.0.1 is dropped (a plain `new RTCPeerConnection(config)` fits the port too).
 */
function peerConnectionPort(pc: RTCPeerConnection, loopbackOnly: boolean): PeerConnectionPort {
  const keep = (candidate: string) => !loopbackOnly || isLoopbackCandidate(candidate);
  const wrapped = new Map<AnyListener, EventListener>();
  const port: PeerConnectionPort = {
    get iceConnectionState() {
      return pc.iceConnectionState;
    },
    get signalingState() {
      return pc.signalingState;
    },
    get localDescription() {
      return pc.localDescription;
    },
    addTrack: (track, ...streams) => pc.addTrack(track as MediaStreamTrack, ...(streams as MediaStream[])),
    createOffer: (options) => pc.createOffer(options),
    createAnswer: () => pc.createAnswer(),
    setLocalDescription: (description) =>
      pc.setLocalDescription(description as RTCLocalSessionDescriptionInit | undefined),
    setRemoteDescription: (description) => pc.setRemoteDescription(description),
    addIceCandidate: (candidate) =>
      keep(candidate.candidate) ? pc.addIceCandidate(candidate) : Promise.resolve(),
    restartIce: () => pc.restartIce(),
    // The DOM's transceiver and channel are the ports' shapes with wider types (RTCRtpTransceiverDirection...).
    getTransceivers: () => pc.getTransceivers() as unknown as RtpTransceiverPort[],
    addTransceiver: (trackOrKind, init) =>
      pc.addTransceiver(
        trackOrKind as MediaStreamTrack | 'audio' | 'video',
        init as RTCRtpTransceiverInit | undefined,
      ) as unknown as RtpTransceiverPort,
    createDataChannel: (label, init) => pc.createDataChannel(label, init) as unknown as DataChannelPort,
    getStats: () => pc.getStats(),
    close: () => pc.close(),
    addEventListener<K extends keyof PeerConnectionEventMap>(
      type: K,
      listener: (event: PeerConnectionEventMap[K]) => void,
    ) {
      const real: EventListener =
        type === 'icecandidate'
          ? (event) => {
              const { candidate } = event as unknown as IceCandidateEventPort;
              if (candidate === null || keep(candidate.candidate)) {
                (listener as (event: IceCandidateEventPort) => void)(
                  event as unknown as IceCandidateEventPort,
                );
              }
            }
          : (event) => (listener as (event: unknown) => void)(event);
      wrapped.set(listener as AnyListener, real);
      pc.addEventListener(type, real);
    },
    removeEventListener(type, listener) {
      const real = wrapped.get(listener as AnyListener);
      if (real) pc.removeEventListener(type, real);
      wrapped.delete(listener as AnyListener);
    },
  };
  return port;
}

export function createBrowserPorts(options: { loopbackOnly: boolean }): BrowserPorts {
  let last: RTCPeerConnection | null = null;
  return {
    peerConnectionFactory: (config) => {
      const pc = new RTCPeerConnection(config);
      last = pc;
      return peerConnectionPort(pc, options.loopbackOnly);
    },
    getUserMedia: (media) => navigator.mediaDevices.getUserMedia(media),
    getDisplayMedia:
      typeof navigator.mediaDevices.getDisplayMedia === 'function'
        ? (options) => navigator.mediaDevices.getDisplayMedia(options)
        : undefined,
    enumerateDevices: async () =>
      (await navigator.mediaDevices.enumerateDevices()).map(
        (device): DeviceInfo => ({
          deviceId: device.deviceId,
          kind: device.kind,
          label: device.label,
          groupId: device.groupId,
        }),
      ),
    lastPeerConnection: () => last,
  };
}
