// The vocabulary of the call's specification: the places a call can be in, the events it can meet, what the
// rows may read and write (the world), and the rules every row shares. Written from the protocol and the
// README's end-reason table; nothing here knows the machine, its actions or its guards.
import type { EndCode, EndedBy } from '../../src/end-reason.js';

export const ME = 'alice';
export const MY_DEVICE = 'alice-laptop';
export const MY_OTHER_DEVICE = 'alice-phone';
export const PEER = 'bob';
export const PEER_DEVICE = 'bob-phone';
export const PEER_OTHER_DEVICE = 'bob-tablet';
export const STRANGER = 'carol';
export const STRANGER_DEVICE = 'carol-desk';

/** Our outgoing call; the peer's crossing invites carry a lesser or a greater id (glare). */
export const CALL_IDS = {
  ours: 'call-m',
  theirs: 'call-i',
  lesser: 'call-a',
  greater: 'call-z',
  stranger: 'call-s',
} as const;

/** Where a call can be, named as the README's state diagram names them (a dotted path). */
export const PLACES = [
  'idle',
  'active.acquiringMedia',
  'active.outgoing.dialing.creatingOffer',
  'active.outgoing.dialing.inviting',
  'active.outgoing.ringing',
  'active.incoming',
  'active.answering.acquiringMedia',
  'active.answering.creatingAnswer',
  'active.connecting.applyingAnswer',
  'active.connecting.checking',
  'active.connected',
  'ended',
] as const;
export type Place = (typeof PLACES)[number];

/** `active.connected` runs two regions side by side: the ICE link and SDP renegotiation. */
export const ICE_PLACES = ['stable', 'interrupted', 'reconnecting'] as const;
export type IcePlace = (typeof ICE_PLACES)[number];
export const NEGOTIATION_PLACES = [
  'stable',
  'offering',
  'awaitingAnswer',
  'applyingAnswer',
  'answering',
] as const;
export type NegotiationPlace = (typeof NEGOTIATION_PLACES)[number];

/**
 * What can happen to a call: the user's actions, messages from the network (by what tells them apart),
 * the peer connection's signals, the outcome of the operation the call is waiting on (getUserMedia,
 * creating or applying a description: whichever runs in that place), and timers.
 */
export const EVENTS = [
  'user.call',
  'user.answer',
  'user.reject',
  'user.hangup',
  'remote.invite(peer)',
  'remote.invite(stale)',
  'remote.invite(peer, lesser id)',
  'remote.invite(peer, greater id)',
  'remote.invite(stranger)',
  'remote.invite(again)',
  'remote.ringing',
  'remote.answer',
  'remote.answer(other device)',
  'remote.reject(declined)',
  'remote.reject(busy)',
  'remote.unavailable',
  'remote.cancel',
  'remote.hangup(normal)',
  'remote.hangup(media-failed)',
  'remote.hangup(connection-failed)',
  'remote.hangup(negotiation-failed)',
  'remote.hangup(protocol-error)',
  'remote.answerSelected(other device)',
  'remote.answerSelected(this device)',
  'remote.candidates',
  'remote.negotiate(offer)',
  'remote.negotiate(answer)',
  'pc.ice(connected)',
  'pc.ice(completed)',
  'pc.ice(disconnected)',
  'pc.ice(failed)',
  'pc.track',
  'pc.negotiationNeeded',
  'pc.candidate',
  'pc.candidatesEnd',
  'op.ok',
  'op.ok(ICE already up)',
  'op.denied',
  'op.failed',
  'op.refused',
  'timer.invite',
  'timer.inviteLifetime',
  'timer.connect',
  'timer.iceGrace',
  'timer.iceRestart',
  'timer.candidateBatch',
] as const;
export type SpecEvent = (typeof EVENTS)[number];

export type TimerName = Extract<SpecEvent, `timer.${string}`> extends `timer.${infer T}` ? T : never;

export interface World {
  readonly at: Place;
  readonly ice: IcePlace | null;
  readonly negotiation: NegotiationPlace | null;
  readonly direction: 'outgoing' | 'incoming' | null;
  readonly callId: string | null;
  /** Local media is in hand. */
  readonly media: boolean;
  /** Local candidates wait for the next batch. */
  readonly queued: boolean;
  /** End-of-candidates waits for the next batch. */
  readonly gatheringDone: boolean;
  /** The batch window's timer is pending. */
  readonly batchTimer: boolean;
  /** ICE restarts tried since the link was last up. */
  readonly restarts: number;
  /** The renegotiation offer being made restarts ICE. */
  readonly restartOffer: boolean;
  readonly end: { readonly code: EndCode; readonly by: EndedBy } | null;
}

/** The settings the specification is written for (the driver gives the real call the same). */
export const MAX_ICE_RESTARTS = 2;

export const START: World = {
  at: 'idle',
  ice: null,
  negotiation: null,
  direction: null,
  callId: null,
  media: false,
  queued: false,
  gatheringDone: false,
  batchTimer: false,
  restarts: 0,
  restartOffer: false,
  end: null,
};

/** Named conditions a row may require (all of them, when it lists several). */
export const CONDITIONS = {
  caller: (w: World) => w.direction === 'outgoing',
  callee: (w: World) => w.direction === 'incoming',
  'batch window open': (w: World) => w.queued || w.gatheringDone,
  'batch window closed': (w: World) => !w.queued && !w.gatheringDone,
  'still gathering': (w: World) => !w.gatheringDone,
  'restarts left': (w: World) => w.restarts < MAX_ICE_RESTARTS,
  'no restarts left': (w: World) => w.restarts >= MAX_ICE_RESTARTS,
  'restart offer': (w: World) => w.restartOffer,
  'plain offer': (w: World) => !w.restartOffer,
} satisfies Record<string, (w: World) => boolean>;
export type Condition = keyof typeof CONDITIONS;

/** The timers that must be pending in a world, one each: the protocol's bounds on every wait. */
export function timersRunning(w: World): TimerName[] {
  const timers: TimerName[] = [];
  if (w.at.startsWith('active.outgoing')) timers.push('invite');
  if (w.at === 'active.incoming') timers.push('inviteLifetime');
  if (w.at.startsWith('active.connecting')) timers.push('connect');
  if (w.ice === 'interrupted') timers.push('iceGrace');
  if (w.ice === 'reconnecting') timers.push('iceRestart');
  if (w.batchTimer) timers.push('candidateBatch');
  return timers;
}

/** The one place whose name a row's `in` may address: a place, or one region of `active.connected`. */
export function placesOf(w: World): string[] {
  if (w.at !== 'active.connected') return [w.at];
  return [`active.connected.ice.${w.ice}`, `active.connected.negotiation.${w.negotiation}`];
}

/** A short, stable key for where a world is (what the path generator tries to cover a row in). */
export const placeKey = (w: World): string => placesOf(w).join(' + ');

/** Message tokens a row may use that stand for "what waits to be sent", read from the world. */
export const QUEUED_CANDIDATES = '…queued candidates';

export function expandMessages(messages: readonly string[], before: World): string[] {
  return messages.flatMap((message) => {
    if (message !== QUEUED_CANDIDATES) return [message];
    if (before.gatheringDone) return ['candidates(end)'];
    return before.queued ? ['candidates'] : [];
  });
}

/**
 * What entering a place brings with it, for every row alike (a statechart's entry rules):
 * - `active.connected` starts with both regions `stable`;
 * - `answering.acquiringMedia` with media already in hand goes straight on to creating the answer;
 * - every entry into `ice.reconnecting` counts one ICE restart and asks renegotiation for a restart offer,
 *   which it makes at once from `stable` or `awaitingAnswer` (an offer still unanswered is offered again);
 * - `ended` leaves no timer and no region behind.
 */
export function enter(w: World, target: string): World {
  if (target === 'ended') {
    return { ...w, at: 'ended', ice: null, negotiation: null, batchTimer: false };
  }
  if (target.startsWith('ice.')) {
    const ice = target.slice('ice.'.length) as IcePlace;
    if (ice !== 'reconnecting') return { ...w, ice };
    const restartNow = w.negotiation === 'stable' || w.negotiation === 'awaitingAnswer';
    return {
      ...w,
      ice,
      restarts: w.restarts + 1,
      ...(restartNow ? { negotiation: 'offering' as const, restartOffer: true } : {}),
    };
  }
  if (target.startsWith('negotiation.')) {
    return { ...w, negotiation: target.slice('negotiation.'.length) as NegotiationPlace };
  }
  const at = target as Place;
  if (at === 'active.connected') return { ...w, at, ice: 'stable', negotiation: 'stable' };
  if (at === 'active.answering.acquiringMedia' && w.media) {
    return { ...w, at: 'active.answering.creatingAnswer', ice: null, negotiation: null };
  }
  return { ...w, at, ice: null, negotiation: null };
}
