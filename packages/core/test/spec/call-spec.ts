// The call's behaviour as a table, the way SIP's RFCs tabulate responses: in a place, on an event (and
// when a condition holds), the call goes to a place, sends these messages and ends with this reason.
// Written from the protocol (src/protocol.ts) and the README's end-reason table, never from the machine.
import type { EndCode, EndedBy } from '../../src/end-reason.js';
import { CALL_IDS, type Condition, QUEUED_CANDIDATES, type SpecEvent } from './spec-world.js';

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
  /** World changes beyond the place (call ids, media in hand, candidate bookkeeping). */
  readonly set?: Readonly<Record<string, unknown>>;
}

const IDLE = 'idle';
const CALLER_MEDIA = 'active.acquiringMedia';
const OUTGOING = 'active.outgoing';
const CREATING_OFFER = 'active.outgoing.dialing.creatingOffer';
const INVITING = 'active.outgoing.dialing.inviting';
const RINGING = 'active.outgoing.ringing';
const INCOMING = 'active.incoming';
const ANSWERING = 'active.answering';
const CALLEE_MEDIA = 'active.answering.acquiringMedia';
const CREATING_ANSWER = 'active.answering.creatingAnswer';
const CONNECTING = 'active.connecting';
const APPLYING_ANSWER = 'active.connecting.applyingAnswer';
const CHECKING = 'active.connecting.checking';
const CONNECTED = 'active.connected';
const ACTIVE = 'active';
const ENDED = 'ended';
const ice = (place: string) => `active.connected.ice.${place}`;
const neg = (place: string) => `active.connected.negotiation.${place}`;

/** The invite is out: the peer knows the call and may answer it. */
const INVITE_OUT = [INVITING, RINGING];
/** We have set a local description, so the peer connection gathers candidates. */
const HAS_LOCAL_DESCRIPTION = [CREATING_OFFER, INVITING, RINGING, CREATING_ANSWER, CONNECTING, CONNECTED];
/** Our description is out: candidates may follow it. */
const DESCRIPTION_OUT = [INVITING, RINGING, CONNECTING, CONNECTED];
/** Places where the peer has our call id and may trickle candidates. */
const PEER_TRICKLES = [INVITING, RINGING, INCOMING, ANSWERING, CONNECTING, CONNECTED];

const CLEAR_CANDIDATES = { queued: false, gatheringDone: false };

export const ROWS: readonly Row[] = [
  // ── idle ──
  { in: [IDLE], on: 'user.call', to: CALLER_MEDIA, set: { direction: 'outgoing', callId: CALL_IDS.ours } },
  {
    in: [IDLE],
    on: 'remote.invite(peer)',
    to: INCOMING,
    send: ['ringing'],
    set: { direction: 'incoming', callId: CALL_IDS.theirs },
  },
  // Invite lifetime: an invite whose lifetime the transport used up never rings.
  { in: [IDLE], on: 'remote.invite(stale)' },

  // ── the caller gets its media ──
  { in: [CALLER_MEDIA], on: 'op.ok', to: CREATING_OFFER, set: { media: true } },
  { in: [CALLER_MEDIA], on: 'op.denied', to: ENDED, end: ['media-denied', 'local'] },
  { in: [CALLER_MEDIA], on: 'op.failed', to: ENDED, end: ['media-failed', 'local'] },
  // Nothing was sent yet: the peer needs no word from us.
  { in: [CALLER_MEDIA], on: 'user.hangup', to: ENDED, end: ['cancelled', 'local'] },

  // ── the caller makes its offer and invites ──
  {
    in: [CREATING_OFFER],
    on: 'op.ok',
    to: INVITING,
    send: ['invite', QUEUED_CANDIDATES],
    set: CLEAR_CANDIDATES,
  },
  { in: [CREATING_OFFER], on: 'op.failed', to: ENDED, end: ['negotiation-failed', 'local'] },
  { in: [CREATING_OFFER], on: 'user.hangup', to: ENDED, end: ['cancelled', 'local'] },
  // Candidates never travel before the description they belong to: they wait for the invite.
  { in: [CREATING_OFFER], on: 'timer.candidateBatch', set: { batchTimer: false } },

  // ── the invite is out ──
  { in: [INVITING], on: 'remote.ringing', to: RINGING },
  // Another of the callee's devices rings too.
  { in: [RINGING], on: 'remote.ringing' },
  { in: [OUTGOING], on: 'user.hangup', to: ENDED, send: ['cancel'], end: ['cancelled', 'local'] },
  { in: [OUTGOING], on: 'timer.invite', to: ENDED, send: ['cancel'], end: ['no-answer', 'local'] },
  // The first device to answer is the call; the callee's other devices hear they can stop.
  { in: INVITE_OUT, on: 'remote.answer', to: APPLYING_ANSWER, send: ['answer-selected'] },
  // A reject from any one device ends the call; the caller cancels the invite on the others.
  {
    in: INVITE_OUT,
    on: 'remote.reject(declined)',
    to: ENDED,
    send: ['cancel'],
    end: ['declined', 'remote'],
  },
  { in: INVITE_OUT, on: 'remote.reject(busy)', to: ENDED, send: ['cancel'], end: ['busy', 'remote'] },
  { in: INVITE_OUT, on: 'remote.unavailable', to: ENDED, end: ['unavailable', 'remote'] },
  // The callee answered on one device and then could not open its camera.
  { in: INVITE_OUT, on: 'remote.hangup(media-failed)', to: ENDED, end: ['media-failed', 'remote'] },

  // ── glare: both invite each other; the lesser call id is the call ──
  {
    in: [CALLER_MEDIA],
    on: 'remote.invite(peer, lesser id)',
    to: CALLEE_MEDIA,
    send: ['cancel @call-m'],
    set: { direction: 'incoming', callId: CALL_IDS.lesser, ...CLEAR_CANDIDATES },
  },
  {
    in: [OUTGOING],
    on: 'remote.invite(peer, lesser id)',
    to: CREATING_ANSWER,
    send: ['cancel @call-m'],
    set: { direction: 'incoming', callId: CALL_IDS.lesser, ...CLEAR_CANDIDATES },
  },
  // Glare won: the peer adopts our invite.
  { in: [CALLER_MEDIA, OUTGOING], on: 'remote.invite(peer, greater id)' },

  // ── busy: an invite from someone else during a call ──
  { in: [ACTIVE], on: 'remote.invite(stranger)', send: ['reject:busy to carol @call-s'] },
  // The invite of this call, delivered a second time.
  { in: [INCOMING, ANSWERING, CONNECTING, CONNECTED], if: ['callee'], on: 'remote.invite(again)' },

  // ── the callee rings ──
  { in: [INCOMING], on: 'user.answer', to: CALLEE_MEDIA },
  { in: [INCOMING], on: 'user.reject', to: ENDED, send: ['reject:declined'], end: ['declined', 'local'] },
  { in: [INCOMING], on: 'user.hangup', to: ENDED, send: ['reject:declined'], end: ['declined', 'local'] },
  { in: [INCOMING], on: 'timer.inviteLifetime', to: ENDED, end: ['no-answer', 'remote'] },
  {
    in: [INCOMING, ANSWERING],
    on: 'remote.answerSelected(other device)',
    to: ENDED,
    end: ['answered-elsewhere', 'remote'],
  },
  {
    in: [INCOMING, ANSWERING, CONNECTING],
    if: ['callee'],
    on: 'remote.cancel',
    to: ENDED,
    end: ['cancelled', 'remote'],
  },

  // ── the callee answers ──
  { in: [CALLEE_MEDIA], on: 'op.ok', to: CREATING_ANSWER, set: { media: true } },
  {
    in: [CALLEE_MEDIA],
    on: 'op.denied',
    to: ENDED,
    send: ['hangup:media-failed'],
    end: ['media-denied', 'local'],
  },
  {
    in: [CALLEE_MEDIA],
    on: 'op.failed',
    to: ENDED,
    send: ['hangup:media-failed'],
    end: ['media-failed', 'local'],
  },
  {
    in: [CREATING_ANSWER],
    on: 'op.ok',
    to: CHECKING,
    send: ['answer', QUEUED_CANDIDATES],
    set: CLEAR_CANDIDATES,
  },
  // The caller's offer could not be applied: the peer sent something broken.
  {
    in: [CREATING_ANSWER],
    on: 'op.refused',
    to: ENDED,
    send: ['hangup:protocol-error'],
    end: ['protocol-error', 'remote'],
  },
  {
    in: [CREATING_ANSWER],
    on: 'op.failed',
    to: ENDED,
    send: ['hangup:negotiation-failed'],
    end: ['negotiation-failed', 'local'],
  },
  { in: [ANSWERING], on: 'timer.candidateBatch', set: { batchTimer: false } },

  // ── hanging up once the call is answered (or being answered) ──
  { in: [ACTIVE], on: 'user.hangup', to: ENDED, send: ['hangup:normal'], end: ['hangup', 'local'] },
  { in: [CONNECTING, CONNECTED], on: 'remote.hangup(normal)', to: ENDED, end: ['hangup', 'remote'] },
  {
    in: [CONNECTED],
    on: 'remote.hangup(connection-failed)',
    to: ENDED,
    end: ['connection-failed', 'remote'],
  },
  {
    in: [CONNECTED],
    on: 'remote.hangup(negotiation-failed)',
    to: ENDED,
    end: ['negotiation-failed', 'remote'],
  },
  { in: [CONNECTED], on: 'remote.hangup(protocol-error)', to: ENDED, end: ['protocol-error', 'remote'] },

  // ── connecting ──
  { in: [APPLYING_ANSWER], on: 'op.ok', to: CHECKING },
  // ICE came up while the answer was being applied.
  { in: [APPLYING_ANSWER], on: 'op.ok(ICE already up)', to: CONNECTED },
  {
    in: [APPLYING_ANSWER],
    on: 'op.refused',
    to: ENDED,
    send: ['hangup:protocol-error'],
    end: ['protocol-error', 'remote'],
  },
  { in: [CHECKING], on: 'pc.ice(connected)', to: CONNECTED },
  { in: [CHECKING], on: 'pc.ice(completed)', to: CONNECTED },
  {
    in: [CHECKING],
    on: 'pc.ice(failed)',
    to: ENDED,
    send: ['hangup:connection-failed'],
    end: ['connection-failed', 'local'],
  },
  {
    in: [CONNECTING],
    on: 'timer.connect',
    to: ENDED,
    send: ['hangup:connection-failed'],
    end: ['connection-failed', 'local'],
  },
  // Multiple devices: once the call is bound to one device, a late answer from another changes nothing.
  { in: [CONNECTING], if: ['caller'], on: 'remote.answer(other device)' },
  // The caller confirms the device that answered: this one.
  { in: [CHECKING], if: ['callee'], on: 'remote.answerSelected(this device)' },
  { in: [CHECKING, CONNECTED], on: 'pc.track' },

  // ── trickle ICE ──
  // Remote candidates are applied, or buffered until the description they belong to: no word, no move.
  { in: PEER_TRICKLES, on: 'remote.candidates' },
  // Local candidates go in batches: the first one opens the window, later ones ride along.
  {
    in: HAS_LOCAL_DESCRIPTION,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidate',
    set: { queued: true, batchTimer: true },
  },
  {
    in: HAS_LOCAL_DESCRIPTION,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidate',
    set: { queued: true },
  },
  {
    in: HAS_LOCAL_DESCRIPTION,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidatesEnd',
    set: { gatheringDone: true, batchTimer: true },
  },
  {
    in: HAS_LOCAL_DESCRIPTION,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidatesEnd',
    set: { gatheringDone: true },
  },
  {
    in: DESCRIPTION_OUT,
    on: 'timer.candidateBatch',
    send: [QUEUED_CANDIDATES],
    set: { ...CLEAR_CANDIDATES, batchTimer: false },
  },

  // ── connected: the ICE link ──
  { in: [ice('stable')], on: 'pc.ice(disconnected)', to: 'ice.interrupted' },
  { in: [ice('stable')], on: 'pc.ice(failed)', to: 'ice.reconnecting' },
  { in: [ice('interrupted')], on: 'pc.ice(connected)', to: 'ice.stable' },
  { in: [ice('interrupted')], on: 'pc.ice(completed)', to: 'ice.stable' },
  { in: [ice('interrupted')], on: 'pc.ice(failed)', to: 'ice.reconnecting' },
  { in: [ice('interrupted')], on: 'timer.iceGrace', to: 'ice.reconnecting' },
  { in: [ice('reconnecting')], on: 'pc.ice(connected)', to: 'ice.stable', set: { restarts: 0 } },
  { in: [ice('reconnecting')], if: ['restarts left'], on: 'timer.iceRestart', to: 'ice.reconnecting' },
  {
    in: [ice('reconnecting')],
    if: ['no restarts left'],
    on: 'timer.iceRestart',
    to: ENDED,
    send: ['hangup:connection-failed'],
    end: ['connection-failed', 'local'],
  },

  // ── connected: renegotiation (perfect negotiation; the callee is the polite peer) ──
  {
    in: [neg('stable')],
    on: 'pc.negotiationNeeded',
    to: 'negotiation.offering',
    set: { restartOffer: false },
  },
  { in: [neg('stable')], on: 'remote.negotiate(offer)', to: 'negotiation.answering' },
  // An answer nobody asked for.
  { in: [neg('stable')], on: 'remote.negotiate(answer)' },
  {
    in: [neg('offering')],
    if: ['plain offer'],
    on: 'op.ok',
    to: 'negotiation.awaitingAnswer',
    send: ['negotiate:offer'],
  },
  {
    in: [neg('offering')],
    if: ['restart offer'],
    on: 'op.ok',
    to: 'negotiation.awaitingAnswer',
    send: ['negotiate:offer+restart'],
  },
  {
    in: [neg('offering')],
    on: 'op.failed',
    to: ENDED,
    send: ['hangup:negotiation-failed'],
    end: ['negotiation-failed', 'local'],
  },
  // Offers crossed: the polite side yields to the peer's offer, the impolite side ignores it.
  {
    in: [neg('offering'), neg('awaitingAnswer')],
    if: ['callee'],
    on: 'remote.negotiate(offer)',
    to: 'negotiation.answering',
  },
  { in: [neg('offering'), neg('awaitingAnswer')], if: ['caller'], on: 'remote.negotiate(offer)' },
  { in: [neg('awaitingAnswer')], on: 'remote.negotiate(answer)', to: 'negotiation.applyingAnswer' },
  { in: [neg('applyingAnswer')], on: 'op.ok', to: 'negotiation.stable' },
  {
    in: [neg('applyingAnswer')],
    on: 'op.refused',
    to: ENDED,
    send: ['hangup:protocol-error'],
    end: ['protocol-error', 'remote'],
  },
  { in: [neg('answering')], on: 'op.ok', to: 'negotiation.stable', send: ['negotiate:answer'] },
  {
    in: [neg('answering')],
    on: 'op.refused',
    to: ENDED,
    send: ['hangup:protocol-error'],
    end: ['protocol-error', 'remote'],
  },
  {
    in: [neg('answering')],
    on: 'op.failed',
    to: ENDED,
    send: ['hangup:negotiation-failed'],
    end: ['negotiation-failed', 'local'],
  },
];

/** A row's name in reports: where, on what, under which conditions. */
export const rowName = (row: Row): string =>
  `${row.in.join(' | ')} × ${row.on}${row.if ? ` [${row.if.join(', ')}]` : ''}`;
