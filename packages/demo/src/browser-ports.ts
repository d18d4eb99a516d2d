// The browser's WebRTC handed to the phone as ports. With `loopbackOnly`, the peer connection offers
// only 127.0.0.1 candidates, so two tabs of a test on one machine never touch a real interface.
import type {
  GetUserMedia,
  IceCandidateEventPort,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionPort,
} from '@handset/core';

export interface BrowserPorts {
  peerConnectionFactory: PeerConnectionFactory;
  getUserMedia: GetUserMedia;
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
    lastPeerConnection: () => last,
  };
}
