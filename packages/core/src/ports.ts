// The platform as Handset sees it: the slice of WebRTC and getUserMedia the call machine uses. Browser
// objects satisfy these interfaces as they are; other platforms (werift in Node, fakes in tests) adapt.
import type { IceCandidateInit, SessionDescription } from './protocol.js';

export interface MediaTrackPort {
  readonly kind: string;
  /** `false` mutes: the track keeps running (unmute is instant) but sends silence or black. */
  enabled: boolean;
  stop(): void;
  /** `live` or `ended` (a stopped track, or a device unplugged). */
  readonly readyState?: string;
  readonly label?: string;
  getSettings?(): { deviceId?: string };
  /** `ended`: the device went away (unplugged), or the browser's own "Stop sharing" ended a screen. */
  addEventListener?(type: 'ended', listener: () => void): void;
  removeEventListener?(type: 'ended', listener: () => void): void;
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

/** RTCRtpTransceiverDirection. */
export type TransceiverDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';

/** The slice of RTCRtpSender Handset uses: swapping the track sent without renegotiation. */
export interface RtpSenderPort {
  readonly track: MediaTrackPort | null;
  replaceTrack(track: MediaTrackPort | null): Promise<void>;
}

/** The slice of RTCRtpTransceiver Handset uses: its direction (hold, video on/off) and its sender. */
export interface RtpTransceiverPort {
  readonly mid: string | null;
  direction: TransceiverDirection;
  readonly currentDirection?: TransceiverDirection | null;
  readonly sender: RtpSenderPort;
  readonly receiver: { readonly track: MediaTrackPort };
}

/** What `addTransceiver` takes besides the track or kind. */
export interface TransceiverInit {
  direction?: TransceiverDirection;
  streams?: MediaStreamPort[];
}

/** The channel's events: `message` carries one frame (`data` is a string for a text frame). */
export interface DataChannelEventMap {
  open: unknown;
  close: unknown;
  message: { readonly data: unknown };
}

/** The slice of RTCDataChannel Handset uses for in-call messages. */
export interface DataChannelPort {
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(): void;
  addEventListener<K extends keyof DataChannelEventMap>(
    type: K,
    listener: Listener<DataChannelEventMap[K]>,
  ): void;
  removeEventListener<K extends keyof DataChannelEventMap>(
    type: K,
    listener: Listener<DataChannelEventMap[K]>,
  ): void;
}

/** The in-call message channel: negotiated by both sides on id 0, so it is in the first offer. */
export interface DataChannelInit {
  negotiated: true;
  id: number;
  ordered: true;
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
  /** Every transceiver, in m-line order: hold and video on/off set their directions. */
  getTransceivers(): RtpTransceiverPort[];
  /**
   * Optional: adds a transceiver (video added to an audio-only call); without it `addTrack` is used.
   * `trackOrKind` is a track or `'audio'`/`'video'` (typed `string` so the browser's method fits).
   */
  addTransceiver?(trackOrKind: MediaTrackPort | string, init?: TransceiverInit): RtpTransceiverPort;
  createDataChannel(label: string, init: DataChannelInit): DataChannelPort;
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
  /** The phone asks for `max-bundle`: one transport for every m-line, gathered and checked once. */
  bundlePolicy?: 'balanced' | 'max-bundle' | 'max-compat';
}

/** Makes the peer connection for one call, e.g. `(config) => new RTCPeerConnection(config)`. */
export type PeerConnectionFactory = (config: PeerConnectionConfig) => PeerConnectionPort;

/** One device wanted by id (a device switch), or any device of the kind (`true`), or none (`false`). */
export type MediaConstraint = boolean | { deviceId: { exact: string } };

/** What getUserMedia is asked for; `navigator.mediaDevices.getUserMedia` takes it as it is. */
export interface MediaRequest {
  audio: MediaConstraint;
  video: MediaConstraint;
}

/** Opens local media, e.g. `(media) => navigator.mediaDevices.getUserMedia(media)`. */
export type GetUserMedia = (media: MediaRequest) => Promise<MediaStreamPort>;

/** Opens a screen for sharing, e.g. `(options) => navigator.mediaDevices.getDisplayMedia(options)`. */
export type GetDisplayMedia = (options: { video: true; audio: false }) => Promise<MediaStreamPort>;

/** One media device (MediaDeviceInfo's fields Handset reads). */
export interface DeviceInfo {
  readonly deviceId: string;
  readonly kind: 'audioinput' | 'videoinput' | 'audiooutput';
  readonly label: string;
  readonly groupId?: string;
}

/** Lists media devices, e.g. `() => navigator.mediaDevices.enumerateDevices()`. */
export type EnumerateDevices = () => Promise<DeviceInfo[]>;

/** Sets and clears the call's timers; XState's clock interface (tests pass a simulated clock). */
export interface Clock {
  setTimeout(callback: () => void, timeoutMs: number): unknown;
  clearTimeout(handle: unknown): void;
}
