// The platform as Handset sees it: the slice of WebRTC and getUserMedia the call machine uses. Browser
// objects satisfy these interfaces as they are; other platforms (werift in Node, fakes in tests) adapt.
import type { IceCandidateInit, MediaKinds, SessionDescription } from './protocol.js';

export interface MediaTrackPort {
  readonly kind: string;
  enabled: boolean;
  stop(): void;
}

export interface MediaStreamPort {
  getTracks(): MediaTrackPort[];
}

export type IceConnectionState =
  | 'new'
  | 'checking'
  | 'connected'
  | 'completed'
  | 'disconnected'
  | 'failed'
  | 'closed';

export interface IceCandidateEventPort {
  readonly candidate: (IceCandidateInit & { toJSON?(): IceCandidateInit }) | null;
}

export interface TrackEventPort {
  readonly track: MediaTrackPort;
  readonly streams: readonly MediaStreamPort[];
}

export interface PeerConnectionEventMap {
  icecandidate: IceCandidateEventPort;
  iceconnectionstatechange: unknown;
  track: TrackEventPort;
  negotiationneeded: unknown;
  /** Optional on a platform: a STUN/TURN server failed (401 from a TURN server is refused credentials). */
  icecandidateerror: IceCandidateErrorEventPort;
}

/** The slice of RTCPeerConnectionIceErrorEvent Handset reads. */
export interface IceCandidateErrorEventPort {
  readonly errorCode?: number;
  readonly errorText?: string;
  readonly url?: string;
}

type Listener<E> = (event: E) => void;

/** A stats report (the browser's RTCStatsReport is one): each entry is one RTCStats dictionary. */
export interface StatsReportPort {
  forEach(callback: (stat: object) => void): void;
}

/** The description types of RTCSdpType. */
export type SdpType = 'offer' | 'answer' | 'pranswer' | 'rollback';

export interface DescriptionPort {
  type: SdpType;
  sdp?: string;
}

export interface PeerConnectionPort {
  readonly iceConnectionState: string;
  readonly signalingState: string;
  readonly localDescription: { readonly type: SdpType; readonly sdp: string } | null;
  addTrack(track: MediaTrackPort, ...streams: MediaStreamPort[]): unknown;
  createOffer(options?: { iceRestart?: boolean }): Promise<DescriptionPort>;
  createAnswer(): Promise<DescriptionPort>;
  setLocalDescription(description?: DescriptionPort): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
  restartIce(): void;
  /**
   * Optional: the connection's statistics (RTCStatsReport), sampled while a call is connected for `stats$`.
   * Without it a call simply has no stats.
   */
  getStats?(): Promise<StatsReportPort>;
  /**
   * Optional: replaces the ICE servers of a live connection (fresh TURN credentials for a call that
   * outlives the old ones); the next ICE restart gathers with them. Browsers and werift have it.
   */
  setConfiguration?(config: PeerConnectionConfig): void;
  close(): void;
  addEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: Listener<PeerConnectionEventMap[K]>,
  ): void;
  removeEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: Listener<PeerConnectionEventMap[K]>,
  ): void;
}

export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** `relay`: only TURN relay candidates, so the peer never learns this device's addresses. */
export type IceTransportPolicy = 'all' | 'relay';

export interface PeerConnectionConfig {
  iceServers: IceServerConfig[];
  /** Absent means the platform's default, `all`. */
  iceTransportPolicy?: IceTransportPolicy;
}

/** Makes the peer connection for one call, e.g. `(config) => new RTCPeerConnection(config)`. */
export type PeerConnectionFactory = (config: PeerConnectionConfig) => PeerConnectionPort;

/** Opens local media, e.g. `(media) => navigator.mediaDevices.getUserMedia(media)`. */
export type GetUserMedia = (media: MediaKinds) => Promise<MediaStreamPort>;

/** Sets and clears the call's timers; XState's clock interface (tests pass a simulated clock). */
export interface Clock {
  setTimeout(callback: () => void, timeoutMs: number): unknown;
  clearTimeout(handle: unknown): void;
}
