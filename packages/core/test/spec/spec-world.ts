// The vocabulary of the call's specification: the places a call can be in, the events it can meet, what the
// rows may read and write (the world), and the rules every row shares. Written from the protocol and the
// README's end-reason table (and, for the controls of a call under way, the in-call contract: mute, camera,
// hold, screen share, devices, audio and video); nothing here knows the machine, its actions or its guards.
import type { EndCode, EndedBy } from '../../src/end-reason.js';
import {
  CONTROL_CONDITIONS,
  IN_CALL_EVENTS,
  MEDIA_STATE,
  mediaStateMessage,
  RENEGOTIATE,
} from './spec-controls.js';

export {
  CONTROL_CONDITIONS,
  DEFAULT_MEDIA_STATE,
  IN_CALL_EVENTS,
  type InCallEvent,
  isInCallEvent,
  MEDIA_STATE,
  mediaStateMessage,
  RENEGOTIATE,
} from './spec-controls.js';

export const ME = 'alice';
export const MY_DEVICE = 'alice-laptop';
export const MY_OTHER_DEVICE = 'alice-phone';
export const PEER = 'bob';
export const PEER_DEVICE = 'bob-phone';
export const PEER_OTHER_DEVICE = 'bob-tablet';
export const STRANGER = 'carol';
export const STRANGER_DEVICE = 'carol-desk';
export const SECOND_STRANGER = 'dave';
export const SECOND_STRANGER_DEVICE = 'dave-tablet';
/** Remote candidates a call keeps while it waits for the remote description; more are dropped with a warning. */
export const REMOTE_CANDIDATE_BUFFER = 256;

/** Our outgoing call; the peer's crossing invites carry a lesser or a greater id (glare). */
export const CALL_IDS = {
  ours: 'call-m',
  theirs: 'call-i',
  lesser: 'call-a',
  greater: 'call-z',
  stranger: 'call-s',
  secondStranger: 'call-t',
} as const;

/** Where a call can be, named as the README's state diagram names them (a dotted path). */
export const PLACES = [
  'idle',
  'active.awaitingSignaling',
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
export const ICE_PLACES = [
  'stable',
  'interrupted',
  /** ICE is being restarted and renegotiation has not taken the request yet (it was busy). */
  'reconnecting.restartWanted',
  'reconnecting.restartOffered',
  /** The link came back with ICE up, on the polite side: the peer's restart is given a moment to arrive. */
  'awaitingPeerRestart',
] as const;
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
  'user.call(link pending)',
  'user.call(link unreachable)',
  'user.call(link refused)',
  'user.call(no peer connection)',
  'user.answer',
  'user.reject',
  'user.hangup',
  'remote.invite(peer)',
  'remote.invite(peer, no peer connection)',
  'remote.invite(peer, send throws)',
  'remote.invite(stale)',
  'remote.invite(peer, lesser id)',
  'remote.invite(peer, greater id)',
  'remote.invite(stranger)',
  'remote.invite(second stranger)',
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
  'remote.hangup(other device)',
  'remote.hangup(other call)',
  'remote.answerSelected(other device)',
  'remote.answerSelected(this device)',
  'remote.candidates',
  'remote.candidates(more than the buffer holds)',
  'remote.negotiate(offer)',
  'remote.negotiate(answer)',
  'link.changed(up)',
  'link.changed(pending)',
  'link.changed(unreachable)',
  'link.changed(refused)',
  'pc.ice(connected)',
  'pc.ice(completed)',
  'pc.ice(disconnected)',
  'pc.ice(failed)',
  'pc.track',
  'pc.negotiationNeeded',
  'pc.candidate',
  'pc.candidatesEnd',
  'pc.candidates(more than one message holds)',
  'op.ok',
  'op.ok(ICE already up)',
  'op.ok(ICE already failed)',
  'op.denied',
  'op.failed',
  'op.refused',
  'timer.invite',
  'timer.inviteLifetime',
  'timer.connect',
  'timer.iceGrace',
  'timer.iceRestart',
  'timer.peerIceRestart',
  'timer.candidateBatch',
  'timer.signalingWait',
  'timer.answerMedia',
  'timer.renegotiation',
  'timer.busyWindow',
  'timer.stats',
  ...IN_CALL_EVENTS,
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
  /** More local candidates wait than one message may carry. */
  readonly queuedMany: boolean;
  /** End-of-candidates waits for the next batch. */
  readonly gatheringDone: boolean;
  /** A batch window is open (its timer pending): candidates gathered now wait for it to close. */
  readonly batchTimer: boolean;
  /** Remote candidates wait for the remote description they belong to. */
  readonly remoteHeld: boolean;
  /** Who has been answered `busy` in the current reply window (its timer is pending while anyone has). */
  readonly busyAnswered: readonly ('carol' | 'dave')[];
  /** Remote candidates were dropped (the buffer was full): the app has been warned. */
  readonly candidatesDropped: boolean;
  /** ICE restarts tried since the link was last up. */
  readonly restarts: number;
  /** The renegotiation offer being made restarts ICE. */
  readonly restartOffer: boolean;
  /** The peer's offer that came while its answer to ours was being applied: answered once that is done. */
  readonly heldOffer: boolean;
  /** The peer connection's ICE is connected (a restart may run on a path that still works). */
  readonly iceUp: boolean;
  readonly end: { readonly code: EndCode; readonly by: EndedBy } | null;
  // ── the controls of the call (the local media a call starts with: all on, nothing held) ──
  /** The microphone sends (unmuted); remembered before there is a track, applied when there is. */
  readonly mic: boolean;
  /** The camera: sending, off (its track stopped), or being opened again (getUserMedia runs). */
  readonly camera: 'on' | 'off' | 'opening';
  /** This side sends video at all (false once stopVideo made the call audio-only from here). */
  readonly video: boolean;
  /** Who holds the call. */
  readonly hold: 'none' | 'local' | 'remote' | 'both';
  /** The screen: not shared, being opened (getDisplayMedia runs), or shared instead of the camera. */
  readonly screen: 'off' | 'opening' | 'on';
  /** A device switch's getUserMedia runs, for the microphone or the camera. */
  readonly switching: 'microphone' | 'camera' | null;
  /** The microphone's track ended by itself (unplugged); a switch to another microphone brings one back. */
  readonly micLost: boolean;
  /**
   * An offer for changed media directions (hold, video, a screen in an audio-only call): none owed, owed
   * (renegotiation was busy; it is asked again each time it is back in `stable`), or made and not yet answered.
   */
  readonly offerRequest: 'idle' | 'wanted' | 'offered';
  /** The call's data channel (in-call messages): not open yet, open, or closed. */
  readonly channel: 'waiting' | 'open' | 'closed';
  /** The peer has sent a media state (so a replay of its first one is stale). */
  readonly peerSpoke: boolean;
  /** Warnings the app has been given (codes), beyond dropped candidates. */
  readonly warnings: readonly string[];
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
  queuedMany: false,
  gatheringDone: false,
  batchTimer: false,
  remoteHeld: false,
  busyAnswered: [],
  candidatesDropped: false,
  restarts: 0,
  restartOffer: false,
  heldOffer: false,
  iceUp: false,
  end: null,
  mic: true,
  camera: 'on',
  video: true,
  hold: 'none',
  screen: 'off',
  switching: null,
  micLost: false,
  offerRequest: 'idle',
  channel: 'waiting',
  peerSpoke: false,
  warnings: [],
};

/** Named conditions a row may require (all of them, when it lists several). */
export const CONDITIONS = {
  caller: (w: World) => w.direction === 'outgoing',
  callee: (w: World) => w.direction === 'incoming',
  'batch window open': (w: World) => w.batchTimer,
  'batch window closed': (w: World) => !w.batchTimer,
  'candidates waiting': (w: World) => w.queued || w.gatheringDone,
  'no candidates waiting': (w: World) => !w.queued && !w.gatheringDone,
  'still gathering': (w: World) => !w.gatheringDone,
  'restarts left': (w: World) => w.restarts < MAX_ICE_RESTARTS,
  'no restarts left': (w: World) => w.restarts >= MAX_ICE_RESTARTS,
  'busy window open': (w: World) => w.busyAnswered.length > 0,
  'busy window closed': (w: World) => w.busyAnswered.length === 0,
  'carol not yet answered busy': (w: World) => !w.busyAnswered.includes('carol'),
  'carol already answered busy': (w: World) => w.busyAnswered.includes('carol'),
  'dave not yet answered busy': (w: World) => !w.busyAnswered.includes('dave'),
  'dave already answered busy': (w: World) => w.busyAnswered.includes('dave'),
  'restart offer': (w: World) => w.restartOffer,
  'plain offer': (w: World) => !w.restartOffer,
  ...CONTROL_CONDITIONS,
} satisfies Record<string, (w: World) => boolean>;
export type Condition = keyof typeof CONDITIONS;

/** The warnings the app must have been given in a world (codes, each once, in the order first given). */
export function warningsOf(w: World): string[] {
  return [...new Set([...(w.candidatesDropped ? ['candidates-dropped'] : []), ...w.warnings])];
}

/** The timers that must be pending in a world, one each: the protocol's bounds on every wait. */
export function timersRunning(w: World): TimerName[] {
  // The controls bound no wait of their own: getUserMedia and getDisplayMedia answer when the user does.
  const timers: TimerName[] = [];
  if (w.at === 'active.awaitingSignaling') timers.push('signalingWait');
  if (w.at.startsWith('active.outgoing')) timers.push('invite');
  if (w.at === 'active.incoming') timers.push('inviteLifetime');
  if (w.at === 'active.answering.acquiringMedia') timers.push('answerMedia');
  if (w.at.startsWith('active.connecting')) timers.push('connect');
  if (w.ice === 'interrupted') timers.push('iceGrace');
  if (w.ice?.startsWith('reconnecting')) timers.push('iceRestart');
  if (w.ice === 'awaitingPeerRestart') timers.push('peerIceRestart');
  if (w.at === 'active.connected') timers.push('stats');
  if (w.negotiation === 'awaitingAnswer') timers.push('renegotiation');
  if (w.batchTimer) timers.push('candidateBatch');
  if (w.busyAnswered.length > 0) timers.push('busyWindow');
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
/** What waits to be sent, then end-of-candidates: gathering is over. */
export const QUEUED_CANDIDATES_AND_END = '…queued candidates, end';
export function expandMessages(messages: readonly string[], before: World, after: World = before): string[] {
  return messages.flatMap((message) => {
    if (message === MEDIA_STATE) return [mediaStateMessage(after)];
    if (message === QUEUED_CANDIDATES_AND_END)
      return before.queuedMany ? ['candidates', 'candidates(end)'] : ['candidates(end)'];
    if (message !== QUEUED_CANDIDATES) return [message];
    // No message carries more than the protocol allows: a long queue goes in several, `end` on the last.
    const last = before.gatheringDone ? 'candidates(end)' : 'candidates';
    if (before.queuedMany) return ['candidates', last];
    return before.queued || before.gatheringDone ? [last] : [];
  });
}

/** Renegotiation offers an ICE restart now; the offer carries changed directions too (it pays a request). */
function offerRestart(w: World): World {
  return {
    ...w,
    ice: 'reconnecting.restartOffered',
    negotiation: 'offering',
    restartOffer: true,
    offerRequest: w.offerRequest === 'idle' ? 'idle' : 'offered',
  };
}

/** Renegotiation can take an ICE-restart request now: it is idle, or still waiting on an earlier offer. */
const takesRestart = (w: World) => w.negotiation === 'stable' || w.negotiation === 'awaitingAnswer';

/**
 * What entering a place brings with it, for every row alike (a statechart's entry rules):
 * - `active.connected` starts with both regions `stable`;
 * - `answering.acquiringMedia` with media already in hand goes straight on to creating the answer;
 * - every entry into `ice.reconnecting` counts one ICE restart and asks renegotiation for a restart offer: made
 *   at once if renegotiation can take it (`restartOffered`), else held (`restartWanted`) until renegotiation
 *   is back in `stable`, which then makes it; a restart made while ICE is still up (the link came back, the path
 *   never broke) is over when renegotiation is back in `stable` (`ice.stable`, restarts reset);
 * - `ended` leaves no timer and no region behind.
 */
export function enter(w: World, target: string): World {
  if (target === 'ended') {
    return {
      ...w,
      at: 'ended',
      ice: null,
      negotiation: null,
      batchTimer: false,
      busyAnswered: [],
      camera: w.camera === 'opening' ? 'off' : w.camera,
      screen: 'off',
      switching: null,
      offerRequest: 'idle',
      channel: 'closed',
      heldOffer: false,
    };
  }
  // Media directions changed (hold, video on or off): renegotiation offers now if idle, else once it is.
  if (target === RENEGOTIATE) {
    if (w.negotiation === 'stable')
      return { ...w, negotiation: 'offering', restartOffer: false, offerRequest: 'offered' };
    return { ...w, offerRequest: 'wanted' };
  }
  if (target.startsWith('ice.')) {
    const ice = target.slice('ice.'.length) as IcePlace | 'reconnecting';
    if (ice !== 'reconnecting') return { ...w, ice };
    const restarts = w.restarts + 1;
    if (!takesRestart(w)) return { ...w, ice: 'reconnecting.restartWanted', restarts };
    return { ...offerRestart(w), restarts };
  }
  if (target.startsWith('negotiation.')) {
    const negotiation = target.slice('negotiation.'.length) as NegotiationPlace;
    if (negotiation !== 'stable') return { ...w, negotiation };
    // Back in `stable`: our offer answered pays the offer request made for it; one rolled back (the peer's
    // offer crossed it) or owed is asked for again, after an ICE restart waiting for its turn (which pays it).
    const answered = w.negotiation === 'applyingAnswer';
    const offerRequest = w.offerRequest === 'offered' && answered ? 'idle' : w.offerRequest;
    const settled = { ...w, negotiation, offerRequest };
    // A restart whose path never went down is over once its negotiation is.
    const iceSettled =
      w.ice === 'reconnecting.restartOffered' && w.iceUp
        ? { ...settled, ice: 'stable' as const, restarts: 0 }
        : settled;
    // The peer's offer held meanwhile is answered first; what was asked at this settle waits for the next one.
    if (w.heldOffer) return { ...iceSettled, negotiation: 'answering', heldOffer: false };
    if (w.ice === 'reconnecting.restartWanted') return offerRestart(settled);
    if (offerRequest === 'idle') return iceSettled;
    return { ...iceSettled, negotiation: 'offering', restartOffer: false, offerRequest: 'offered' };
  }
  const at = target as Place;
  if (at === 'active.connected') return { ...w, at, ice: 'stable', negotiation: 'stable', iceUp: true };
  if (at === 'active.answering.acquiringMedia' && w.media) {
    return { ...w, at: 'active.answering.creatingAnswer', ice: null, negotiation: null };
  }
  return { ...w, at, ice: null, negotiation: null };
}
