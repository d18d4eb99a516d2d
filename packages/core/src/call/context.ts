// What one call machine is given (settings, ports) and what it keeps while it runs (context): data only —
// where the call is lives in the chart's states, never in flags here.
import type { EndReason } from '../end-reason.js';
import type { HandsetError } from '../errors.js';
import type {
  DataChannelPort,
  GetDisplayMedia,
  GetUserMedia,
  MediaStreamPort,
  MediaTrackPort,
  PeerConnectionPort,
  TransceiverDirection,
} from '../ports.js';
import type {
  CallMetadata,
  EnvelopeDraft,
  EnvelopeOf,
  IceCandidateInit,
  MediaKinds,
  MediaState,
} from '../protocol.js';
import type { PortName } from './events.js';

export interface CallTimeouts {
  /** How long the caller waits for an answer; also the lifetime written into the invite. */
  inviteMs: number;
  /** From answer to ICE connected. */
  connectMs: number;
  /** How long ICE may stay `disconnected` before an ICE restart starts. */
  iceDisconnectGraceMs: number;
  /** How long one ICE restart may take before the next one (or giving up). */
  iceRestartMs: number;
  /**
   * The first local candidate of a burst leaves at once; those gathered in the next this-many ms travel
   * together in one message, and so on while they keep coming (end-of-candidates leaves at once).
   */
  candidateBatchMs: number;
  /** How long a call made while the link is reconnecting waits for it before `signaling-unavailable`. */
  signalingWaitMs: number;
  /** How long a renegotiation offer waits for its answer before the call ends `negotiation-failed`. */
  renegotiationMs: number;
  /** How long answering waits for the camera and microphone before the call ends `media-failed`. */
  answerMediaMs: number;
  /** Each sender gets at most one automatic `busy` reply per window of this length; more are dropped. */
  busyReplyIntervalMs: number;
  /** A connected call samples its statistics this often (`stats$`); 0 turns sampling off. */
  statsIntervalMs: number;
  /**
   * When the link comes back with ICE still up, how long the polite side (the callee) waits for the peer's
   * ICE restart before restarting itself; the impolite side restarts at once.
   */
  peerIceRestartWaitMs: number;
}

export const DEFAULT_TIMEOUTS: CallTimeouts = {
  inviteMs: 30_000,
  connectMs: 30_000,
  iceDisconnectGraceMs: 2_000,
  iceRestartMs: 10_000,
  candidateBatchMs: 20,
  signalingWaitMs: 10_000,
  renegotiationMs: 15_000,
  answerMediaMs: 30_000,
  busyReplyIntervalMs: 5_000,
  statsIntervalMs: 1_000,
  peerIceRestartWaitMs: 1_000,
};

/** Remote candidates kept while waiting for the remote description; the rest are dropped with a warning. */
export const MAX_BUFFERED_REMOTE_CANDIDATES = 256;
/** Senders answered `busy` within one reply window; invites from more senders are dropped silently. */
export const MAX_BUSY_SENDERS_PER_WINDOW = 16;

/** Messages a connected call keeps while its channel is still opening; more are refused (`invalid-state`). */
export const MAX_QUEUED_MESSAGES = 256;

export interface CallSettings {
  readonly userId: string;
  readonly deviceId: string;
  readonly timeouts: CallTimeouts;
  /** ICE restarts tried, one after another, before the call ends as `connection-failed`. */
  readonly maxIceRestarts: number;
}

/** What the machine may do to the world. The phone builds these from the user's options. */
export interface CallPorts {
  /** Sends a message; the port adds the protocol version and a message id. Never throws. */
  send(draft: EnvelopeDraft): void;
  createPeerConnection(): PeerConnectionPort;
  getUserMedia: GetUserMedia;
  /** Absent: screen sharing fails `screen-share-failed`. */
  getDisplayMedia?: GetDisplayMedia;
  /** Problems that do not end the call (a remote candidate refused...) but that the app should hear of. */
  reportError(error: HandsetError): void;
  candidateRejected(error: unknown): HandsetError;
  /** A port threw synchronously: the app hears of it (the call then ends `platform-error`). */
  reportPortFailure(port: PortName, error: unknown, callId: string | null): void;
}

export interface CallInput {
  settings: CallSettings;
  ports: CallPorts;
}

export type CallDirection = 'outgoing' | 'incoming';

/** The local tracks the call sends or holds ready; whether each is sent is the media region's state. */
export interface LocalTracks {
  microphone: MediaTrackPort | null;
  camera: MediaTrackPort | null;
  screen: MediaTrackPort | null;
}

export interface CallContext {
  readonly settings: CallSettings;
  readonly ports: CallPorts;
  callId: string | null;
  direction: CallDirection | null;
  peerId: string | null;
  peerDevice: string | null;
  media: MediaKinds;
  /** The caller's offer, kept from the invite until the user answers. */
  remoteOfferSdp: string | null;
  /** How long the invite we are ringing for still has to live, measured on arrival. */
  inviteRemainingMs: number;
  pc: PeerConnectionPort | null;
  localStream: MediaStreamPort | null;
  remoteStream: MediaStreamPort | null;
  /** Remote candidates that arrived before the remote description they belong to. */
  pendingRemoteCandidates: IceCandidateInit[];
  /** Local candidates waiting for the batch window to close (or for our description to be made and sent). */
  queuedLocalCandidates: IceCandidateInit[];
  /** The last local candidate has been gathered; the next batch carries `end: true`. */
  localGatheringComplete: boolean;
  iceRestartAttempts: number;
  /** Senders answered `busy` in the current reply window (cleared when the window closes). */
  busyRepliedTo: string[];
  /** The peer's renegotiation offer that arrived while its answer to ours was being applied: answered next. */
  heldRemoteOffer: EnvelopeOf<'negotiate'> | null;
  endReason: EndReason | null;
  /** The invite's metadata (ours as caller, the caller's as callee). */
  metadata: CallMetadata | null;
  tracks: LocalTracks;
  /** The camera chosen by `switchDevice` while the camera was off: used when it comes on. */
  cameraDeviceId: string | null;
  /** The call's in-call message channel (negotiated, id 0). */
  channel: DataChannelPort | null;
  /** Messages sent while connected but before the channel opened, sent in order when it does. */
  queuedMessages: string[];
  /** Transceiver directions before this side held the call, restored on resume (by transceiver index). */
  directionsBeforeHold: TransceiverDirection[];
  /** What the peer sends: what it last said, or (callee) what its invite asked for; null: what this call carries. */
  remoteMedia: MediaState | null;
  /** The `seq` of the peer's last media-state (-1: none yet): an older one arriving late is ignored. */
  remoteMediaSeq: number;
  /** The `seq` our next media-state carries. */
  mediaSeq: number;
}

export function initialContext({ settings, ports }: CallInput): CallContext {
  return {
    settings,
    ports,
    callId: null,
    direction: null,
    peerId: null,
    peerDevice: null,
    media: { audio: true, video: true },
    remoteOfferSdp: null,
    inviteRemainingMs: 0,
    pc: null,
    localStream: null,
    remoteStream: null,
    pendingRemoteCandidates: [],
    queuedLocalCandidates: [],
    localGatheringComplete: false,
    iceRestartAttempts: 0,
    busyRepliedTo: [],
    heldRemoteOffer: null,
    endReason: null,
    metadata: null,
    tracks: { microphone: null, camera: null, screen: null },
    cameraDeviceId: null,
    channel: null,
    queuedMessages: [],
    directionsBeforeHold: [],
    remoteMedia: null,
    remoteMediaSeq: -1,
    mediaSeq: 0,
  };
}
