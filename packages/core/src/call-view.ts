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

/**
 * Whether the state value `value` is in `place` (a state value, as `snapshot.matches` takes): read from the
 * value itself, because a view is made for every snapshot and xstate's `matches` re-parses both sides each time.
 */
export function isIn(value: StateValue, place: StateValue): boolean {
  if (typeof place === 'string') return typeof value === 'string' ? value === place : place in value;
  if (typeof value === 'string') return false;
  for (const key in place) {
    const inner = value[key];
    if (inner === undefined || !isIn(inner, place[key] as StateValue)) return false;
  }
  return true;
}

export function callStateOf(snapshot: CallSnapshot): CallState {
  const value = snapshot.value as StateValue;
  if (isIn(value, 'idle')) return 'idle';
  if (isIn(value, 'ended')) return 'ended';
  const inPhase = (phase: StateValue) => isIn(value, { active: { phase } });
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

function holdOf(value: StateValue): HoldState {
  for (const hold of ['local', 'remote', 'both'] as const) {
    if (isIn(value, { active: { phase: { connected: { hold } } } })) return hold;
  }
  return 'none';
}

export { defaultMediaState } from './call/local-media.js';

export function callViewOf(snapshot: CallSnapshot): CallView {
  const { context } = snapshot;
  // An ended call shows what it had at the end of its life as nothing: no region is active any more.
  const value = snapshot.value as StateValue;
  const localMedia = localMediaOf(context, (place) => isIn(value, place));
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
    hold: holdOf(value),
  };
}

const sameMedia = (a: MediaState, b: MediaState): boolean =>
  a.microphone === b.microphone &&
  a.camera === b.camera &&
  a.screen === b.screen &&
  a.held === b.held &&
  a.video === b.video;

/**
 * Two views an app cannot tell apart: the machine moves on events the view does not show (each local ICE
 * candidate, a batch window), and an app re-renders for every view it is given.
 */
export function sameCallView(a: CallView, b: CallView): boolean {
  return (
    a.state === b.state &&
    a.callId === b.callId &&
    a.direction === b.direction &&
    a.peerId === b.peerId &&
    a.media === b.media &&
    a.localStream === b.localStream &&
    a.remoteStream === b.remoteStream &&
    a.endReason === b.endReason &&
    a.metadata === b.metadata &&
    a.hold === b.hold &&
    sameMedia(a.localMedia, b.localMedia) &&
    sameMedia(a.remoteMedia, b.remoteMedia)
  );
}
