// What an app sees of a call: one flat, serialisable-enough view derived from the machine's snapshot.
import type { SnapshotFrom } from 'xstate';
import type { callMachine } from './call/call-machine.js';
import type { CallDirection } from './call/context.js';
import type { EndReason } from './end-reason.js';
import type { MediaStreamPort } from './ports.js';
import type { MediaKinds } from './protocol.js';

export type CallState =
  | 'idle'
  | 'acquiring-media'
  | 'dialing'
  | 'ringing'
  | 'incoming'
  | 'answering'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'renegotiating'
  | 'ended';

export interface CallView {
  readonly callId: string | null;
  readonly state: CallState;
  readonly direction: CallDirection | null;
  readonly peerId: string | null;
  readonly media: MediaKinds;
  readonly localStream: MediaStreamPort | null;
  readonly remoteStream: MediaStreamPort | null;
  readonly endReason: EndReason | null;
}

type CallSnapshot = SnapshotFrom<typeof callMachine>;

export function callStateOf(snapshot: CallSnapshot): CallState {
  if (snapshot.matches('idle')) return 'idle';
  if (snapshot.matches('ended')) return 'ended';
  if (snapshot.matches({ active: 'acquiringMedia' })) return 'acquiring-media';
  // A call waiting for its link to come back is, to the user, still being dialled.
  if (snapshot.matches({ active: 'awaitingSignaling' })) return 'dialing';
  if (snapshot.matches({ active: { outgoing: 'dialing' } })) return 'dialing';
  if (snapshot.matches({ active: { outgoing: 'ringing' } })) return 'ringing';
  if (snapshot.matches({ active: 'incoming' })) return 'incoming';
  if (snapshot.matches({ active: 'answering' })) return 'answering';
  if (snapshot.matches({ active: 'connecting' })) return 'connecting';
  if (snapshot.matches({ active: { connected: { ice: 'reconnecting' } } })) return 'reconnecting';
  if (!snapshot.matches({ active: { connected: { negotiation: 'stable' } } })) return 'renegotiating';
  return 'connected';
}

export function callViewOf(snapshot: CallSnapshot): CallView {
  const { context } = snapshot;
  return {
    callId: context.callId,
    state: callStateOf(snapshot),
    direction: context.direction,
    peerId: context.peerId,
    media: context.media,
    localStream: context.localStream,
    remoteStream: context.remoteStream,
    endReason: context.endReason,
  };
}
