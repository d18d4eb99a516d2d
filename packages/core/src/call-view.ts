// What an app sees of a call: one flat, serialisable-enough view derived from the machine's snapshot.
import type { SnapshotFrom, StateValue } from 'xstate';
import type { callMachine } from './call/call-machine.js';
import type { CallDirection } from './call/context.js';
import { defaultMediaState, localMediaOf } from './call/local-media.js';
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
  const inPhase = (phase: StateValue) => snapshot.matches({ active: { phase } } as never);
  if (inPhase('acquiringMedia')) return 'acquiring-media';
  // A call waiting for its link to come back is, to the user, still being dialled.
  if (inPhase('awaitingSignaling')) return 'dialing';
  if (inPhase({ outgoing: 'dialing' })) return 'dialing';
  if (inPhase({ outgoing: 'ringing' })) return 'ringing';
  if (inPhase('incoming')) return 'incoming';
  if (inPhase('answering')) return 'answering';
  if (inPhase('connecting')) return 'connecting';
  if (inPhase({ connected: { ice: 'reconnecting' } })) return 'reconnecting';
  if (!inPhase({ connected: { negotiation: 'stable' } })) return 'renegotiating';
  if (!inPhase({ connected: { hold: 'none' } })) return 'on-hold';
  return 'connected';
}

function holdOf(snapshot: CallSnapshot): HoldState {
  for (const hold of ['local', 'remote', 'both'] as const) {
    if (snapshot.matches({ active: { phase: { connected: { hold } } } } as never)) return hold;
  }
  return 'none';
}

export { defaultMediaState } from './call/local-media.js';

export function callViewOf(snapshot: CallSnapshot): CallView {
  const { context } = snapshot;
  // An ended call shows what it had at the end of its life as nothing: no region is active any more.
  const localMedia = localMediaOf(context, (place) => snapshot.matches(place as never));
  const remoteMedia = context.remoteMedia ?? defaultMediaState(context.media);
  return {
    callId: context.callId,
    state: callStateOf(snapshot),
    direction: context.direction,
    peerId: context.peerId,
    media: context.media,
    localStream: context.localStream,
    remoteStream: context.remoteStream,
    endReason: context.endReason,
    metadata: context.metadata,
    localMedia,
    remoteMedia,
    hold: holdOf(snapshot),
  };
}
