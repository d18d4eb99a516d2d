// The words the table is written in: where a row applies (places, named as in the state diagram, and the
// groups of places one rule covers) and what a row says. Nothing here knows the machine.
import type { EndCode, EndedBy } from '../../src/end-reason.js';
import type { Condition, SpecEvent, World } from './spec-world.js';

export interface Row {
  /**
   * Where the row applies: dotted places; a prefix covers every place under it, and the most specific row
   * wins. `active.connected.ice.*` and `active.connected.negotiation.*` address one region of a connected call.
   */
  readonly in: readonly string[];
  readonly on: SpecEvent;
  readonly if?: readonly Condition[];
  /** A place, `ice.<place>` or `negotiation.<place>`; none: the call stays where it is. */
  readonly to?: string;
  /**
   * Messages the peer (or whoever is named) hears, in order: `type[:reason or description type][ to <user>]
   * [ @<call id>]` — the addressee when it is not the peer, the call id when it is not the call's own.
   */
  readonly send?: readonly string[];
  readonly end?: readonly [EndCode, EndedBy];
  /** What the call emits to the app in the step (`stats`: a statistics sample). */
  readonly emit?: readonly string[];
  /** World changes beyond the place (call ids, media in hand, candidate bookkeeping). */
  readonly set?: Partial<World>;
  /** A warning the app is given (a HandsetError code): the call goes on. */
  readonly warn?: string;
}

export const IDLE = 'idle';
export const AWAITING_SIGNALING = 'active.awaitingSignaling';
export const CALLER_MEDIA = 'active.acquiringMedia';
export const OUTGOING = 'active.outgoing';
export const CREATING_OFFER = 'active.outgoing.dialing.creatingOffer';
export const INVITING = 'active.outgoing.dialing.inviting';
export const RINGING = 'active.outgoing.ringing';
export const INCOMING = 'active.incoming';
export const ANSWERING = 'active.answering';
export const CALLEE_MEDIA = 'active.answering.acquiringMedia';
export const CREATING_ANSWER = 'active.answering.creatingAnswer';
export const CONNECTING = 'active.connecting';
export const APPLYING_ANSWER = 'active.connecting.applyingAnswer';
export const CHECKING = 'active.connecting.checking';
export const CONNECTED = 'active.connected';
/** Every place of a call whose link was up when it began (a call waiting for signaling sends nothing). */
export const LIVE = [CALLER_MEDIA, OUTGOING, INCOMING, ANSWERING, CONNECTING, CONNECTED];
/** The caller has not been answered: a link that is gone for good ends the call, naming why. */
export const UNANSWERED = [CALLER_MEDIA, OUTGOING];
/** The callee has not sent its answer yet: a link gone for good cannot carry it, so it ends the call. */
export const ANSWER_NOT_SENT = [INCOMING, ANSWERING];
/** The answer has crossed: the call lives on its peer connection, whatever the link does. */
export const ANSWER_CROSSED = [CONNECTING, CONNECTED];
/** Past the invite: the peer's device knows the call (the callee's side of it, or a bound device). */
export const PAST_THE_INVITE = [INCOMING, ANSWERING, CONNECTING, CONNECTED];
export const ENDED = 'ended';
/** Before the call connects, its microphone and camera can be set already (remembered until media exists). */
export const BEFORE_CONNECTED = [CALLER_MEDIA, OUTGOING, INCOMING, ANSWERING, CONNECTING];
/** Renegotiation idle, or busy (an offer for changed directions then waits until it is idle again). */
export const NEGOTIATION_IDLE = ['active.connected.negotiation.stable'];
export const NEGOTIATION_BUSY = [
  'active.connected.negotiation.offering',
  'active.connected.negotiation.awaitingAnswer',
  'active.connected.negotiation.applyingAnswer',
  'active.connected.negotiation.answering',
];
export const ice = (place: string) => `active.connected.ice.${place}`;
export const neg = (place: string) => `active.connected.negotiation.${place}`;

/** The invite is out: the peer knows the call and may answer it. */
export const INVITE_OUT = [INVITING, RINGING];
/** We have set a local description, so the peer connection gathers candidates. */
export const HAS_LOCAL_DESCRIPTION = [
  CREATING_OFFER,
  INVITING,
  RINGING,
  CREATING_ANSWER,
  CONNECTING,
  CONNECTED,
];
/**
 * A description of ours is being made and not yet sent (the first offer or answer, or a renegotiation's):
 * candidates gathered for it must wait for it.
 */
export const DESCRIPTION_BEING_MADE = [
  CREATING_OFFER,
  CREATING_ANSWER,
  'active.connected.negotiation.offering',
  'active.connected.negotiation.answering',
];
/** Our description is out: candidates may follow it. */
export const DESCRIPTION_OUT = [INVITING, RINGING, CONNECTING, CONNECTED];
/** The peer has our call id and may trickle candidates, but its description is not applied yet. */
export const REMOTE_DESCRIPTION_PENDING = [INVITING, RINGING, INCOMING, ANSWERING, APPLYING_ANSWER];
/** The peer's description is applied: its candidates go straight to the connection. */
export const REMOTE_DESCRIPTION_SET = [CHECKING, CONNECTED];

export const CLEAR_CANDIDATES = { queued: false, queuedMany: false, gatheringDone: false };
/** Where a host with many interfaces gathers a flood of candidates: a first description, or an ICE restart. */
export const GATHERS_MANY = [CREATING_OFFER, CREATING_ANSWER, CONNECTED];
