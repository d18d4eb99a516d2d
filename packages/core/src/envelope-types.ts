// The protocol's message types written out. protocol.ts's valibot schemas are the validator; these are
// what the package declares, so an app that type-checks declaration files (skipLibCheck false) never
// instantiates valibot's deep inferred types (TS2589). protocol.ts checks the two are the same type.
import type { CallMetadata, HangupReason, RejectReason } from './protocol.js';

/** No fields beyond the header. */
type NoBody = Record<never, never>;

/** What every message carries. */
export interface EnvelopeHeader {
  v: 1;
  /** Unique per message; lets transports de-duplicate and resend. */
  id: string;
  callId: string;
  /** The sending user. A server, where there is one, overwrites it with the authenticated id. */
  from: string;
  fromDevice: string;
  to: string;
  /** Set once a call is bound to one of the addressee's devices; other devices ignore the message. */
  toDevice?: string | undefined;
  /** Time the message spent held in transit (queued by a server or broker), added by the transport. */
  ageMs?: number | undefined;
}

export interface MediaKinds {
  audio: boolean;
  video: boolean;
}

/** One side's media as the call view shows it and `media-state` carries it. */
export interface MediaState {
  microphone: boolean;
  camera: boolean;
  screen: boolean;
  held: boolean;
  /** The side's call carries video at all (false in an audio-only call). */
  video: boolean;
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null | undefined;
  sdpMLineIndex?: number | null | undefined;
  usernameFragment?: string | null | undefined;
}

/** The body of each message type, header aside. */
interface MessageBodies {
  invite: {
    sdp: string;
    media: MediaKinds;
    lifetimeMs: number;
    /** The caller's app data (PeerJS's `metadata`), bounded. */
    metadata?: CallMetadata | undefined;
  };
  ringing: NoBody;
  answer: { sdp: string };
  'answer-selected': { selectedDevice: string };
  candidates: {
    candidates: IceCandidateInit[];
    /** True on the last batch: the sender has gathered every candidate (end-of-candidates). */
    end: boolean;
  };
  reject: { reason: RejectReason };
  cancel: NoBody;
  hangup: { reason: HangupReason };
  negotiate: { description: { type: 'offer' | 'answer'; sdp: string }; iceRestart: boolean };
  /**
   * A side's microphone, camera, screen share and hold, on entering `connected` (if not the default) and on
   * every change; `seq` grows per call and sender, so an older one delivered late is ignored.
   */
  'media-state': { seq: number; state: MediaState };
  /** Sent by a transport on behalf of an addressee it knows to be offline. */
  unavailable: NoBody;
}

export type MessageType = keyof MessageBodies;

/** One protocol message, as `validateEnvelope` returns it. */
export type Envelope = { [T in MessageType]: MessageOf<T> }[MessageType];

/** One message type's fields in one object (an intersection would show as three types in editors). */
type MessageOf<T extends MessageType> = {
  [K in keyof (EnvelopeHeader & { type: T } & MessageBodies[T])]: (EnvelopeHeader & {
    type: T;
  } & MessageBodies[T])[K];
};
