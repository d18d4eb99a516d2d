// Every event a call machine can receive, as one closed union: user commands, validated network messages,
// peer-connection signals, and the machine's own internal requests.
import type { Envelope, MediaKinds } from '../protocol.js';
import type { PeerConnectionSignal } from './negotiation.js';
import type { RemoteEvent } from './signal-routing.js';

export type UserEvent =
  | { type: 'user.call'; callId: string; peerId: string; media: MediaKinds }
  | { type: 'user.answer'; media?: MediaKinds }
  | { type: 'user.reject' }
  | { type: 'user.hangup' };

export type CallEvent =
  | UserEvent
  | { type: 'signal'; envelope: Envelope }
  | RemoteEvent
  | PeerConnectionSignal
  | { type: 'candidates.flush' }
  | { type: 'negotiation.restartIce' };

export type CallEventType = CallEvent['type'];
export type CallEventOf<T extends CallEventType> = Extract<CallEvent, { type: T }>;
