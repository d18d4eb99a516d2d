// What an app sees of a call: one flat, serialisable-enough view derived from the machine's snapshot.
import type { SnapshotFrom } from 'xstate';
import type { callMachine } from './call/call-machine.js';
import type { CallDirection } from './call/context.js';
import type { EndReason } from './end-reason.js';
import type { MediaStreamPort } from './ports.js';
import type { CallMetadata, MediaKinds, MediaState } from './protocol.js';

export type CallState =
  | 'idle'
  | 'acquiring-media'
  | 'dialing'
  | 'ringing'
  | 'incoming'
  | 'answering'
  | 'connecting'
  | 'connected'
  /** Connected, and held by either side (or both): no media flows on purpose. */
  | 'on-hold'
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
  /** The invite's metadata (the caller's app data), on both sides; null without one. */
  readonly metadata: CallMetadata | null;
  /** What this side sends: microphone and camera (on before connect too), screen, hold, video at all. */
  readonly localMedia: MediaState;
  /** What the peer said it sends (its `media-state` messages); all on until it says otherwise. */
  readonly remoteMedia: MediaState;
  /** Who holds the call: nobody, this side, the peer, or both. */
  readonly hold: HoldState;
}

export type HoldState = 'none' | 'local' | 'remote' | 'both';

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

/** The media a side has before it says anything: everything its call carries on, nothing held. */
export function defaultMediaState(media: MediaKinds): MediaState {
  return { microphone: media.audio, camera: media.video, screen: false, held: false, video: media.video };
}

export function callViewOf(snapshot: CallSnapshot): CallView {
  const { context } = snapshot;
  const localMedia = defaultMediaState(context.media);
  const remoteMedia = defaultMediaState(context.media);
  return {
    callId: context.callId,
    state: callStateOf(snapshot),
    direction: context.direction,
    peerId: context.peerId,
    media: context.media,
    localStream: context.localStream,
    remoteStream: context.remoteStream,
    endReason: context.endReason,
    metadata: null,
    localMedia,
    remoteMedia,
    hold: 'none',
  };
}
