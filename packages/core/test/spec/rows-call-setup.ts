// The table, part one: setting a call up — from idle through the link, media, the invite, glare, busy
// replies and the callee's ringing, to the answer. Read with spec-places.ts (the words) and README.md.

import {
  ANSWER_CROSSED,
  ANSWER_NOT_SENT,
  ANSWERING,
  APPLYING_ANSWER,
  AWAITING_SIGNALING,
  CALLEE_MEDIA,
  CALLER_MEDIA,
  CHECKING,
  CLEAR_CANDIDATES,
  CONNECTED,
  CONNECTING,
  CREATING_ANSWER,
  CREATING_OFFER,
  ENDED,
  IDLE,
  INCOMING,
  INVITE_OUT,
  INVITING,
  LIVE,
  OUTGOING,
  PAST_THE_INVITE,
  RINGING,
  type Row,
  UNANSWERED,
} from './spec-places.js';
import { CALL_IDS, QUEUED_CANDIDATES } from './spec-world.js';

export const CALL_SETUP_ROWS: readonly Row[] = [
  // ── idle ──
  { in: [IDLE], on: 'user.call', to: CALLER_MEDIA, set: { direction: 'outgoing', callId: CALL_IDS.ours } },
  // Fail fast: a link that cannot carry the invite ends the call at once, with the real reason.
  {
    in: [IDLE],
    on: 'user.call(link unreachable)',
    to: ENDED,
    set: { direction: 'outgoing', callId: CALL_IDS.ours },
    end: ['signaling-unavailable', 'local'],
  },
  {
    in: [IDLE],
    on: 'user.call(link refused)',
    to: ENDED,
    set: { direction: 'outgoing', callId: CALL_IDS.ours },
    end: ['unauthenticated', 'local'],
  },
  // A link that is reconnecting is waited for, for a bounded time.
  {
    in: [IDLE],
    on: 'user.call(link pending)',
    to: AWAITING_SIGNALING,
    set: { direction: 'outgoing', callId: CALL_IDS.ours },
  },
  // A peer-connection factory that throws ends the call with a typed reason instead of crashing the app.
  {
    in: [IDLE],
    on: 'user.call(no peer connection)',
    to: ENDED,
    send: ['hangup:negotiation-failed'],
    set: { direction: 'outgoing', callId: CALL_IDS.ours },
    end: ['platform-error', 'local'],
  },
  {
    in: [IDLE],
    on: 'remote.invite(peer, no peer connection)',
    to: ENDED,
    send: ['ringing', 'hangup:negotiation-failed'],
    set: { direction: 'incoming', callId: CALL_IDS.theirs },
    end: ['platform-error', 'local'],
  },
  {
    in: [IDLE],
    on: 'remote.invite(peer)',
    to: INCOMING,
    send: ['ringing'],
    set: { direction: 'incoming', callId: CALL_IDS.theirs },
  },
  // Invite lifetime: an invite whose lifetime the transport used up never rings.
  { in: [IDLE], on: 'remote.invite(stale)' },

  // A send that throws is reported and ends the call: the peer cannot be told anyway.
  {
    in: [IDLE],
    on: 'remote.invite(peer, send throws)',
    to: ENDED,
    set: { direction: 'incoming', callId: CALL_IDS.theirs },
    end: ['platform-error', 'local'],
  },

  // ── the caller waits for its link ──
  { in: [AWAITING_SIGNALING], on: 'link.changed(up)', to: CALLER_MEDIA },
  { in: [AWAITING_SIGNALING], on: 'link.changed(refused)', to: ENDED, end: ['unauthenticated', 'local'] },
  {
    in: [AWAITING_SIGNALING],
    on: 'link.changed(unreachable)',
    to: ENDED,
    end: ['signaling-unavailable', 'local'],
  },
  { in: [AWAITING_SIGNALING], on: 'timer.signalingWait', to: ENDED, end: ['signaling-unavailable', 'local'] },
  { in: [AWAITING_SIGNALING], on: 'user.hangup', to: ENDED, end: ['cancelled', 'local'] },

  // ── the link changes under a call ──
  { in: UNANSWERED, on: 'link.changed(refused)', to: ENDED, end: ['unauthenticated', 'local'] },
  { in: UNANSWERED, on: 'link.changed(unreachable)', to: ENDED, end: ['signaling-unavailable', 'local'] },
  // A link that drops does not end a call: the invite's own timer still bounds the wait.
  { in: LIVE, on: 'link.changed(pending)' },
  { in: LIVE, on: 'link.changed(up)' },
  // The callee's answer cannot leave over a link gone for good: ringing on would be a lie.
  { in: ANSWER_NOT_SENT, on: 'link.changed(refused)', to: ENDED, end: ['unauthenticated', 'local'] },
  {
    in: ANSWER_NOT_SENT,
    on: 'link.changed(unreachable)',
    to: ENDED,
    end: ['signaling-unavailable', 'local'],
  },
  // Once the answer has crossed, the call lives on the peer connection.
  { in: ANSWER_CROSSED, on: 'link.changed(refused)' },
  { in: ANSWER_CROSSED, on: 'link.changed(unreachable)' },

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
  // The callee answered on one device and then could not open its camera: its other devices must stop too.
  {
    in: INVITE_OUT,
    on: 'remote.hangup(media-failed)',
    to: ENDED,
    send: ['cancel'],
    end: ['media-failed', 'remote'],
  },

  // ── glare: both invite each other; the lesser call id is the call ──
  {
    in: [CALLER_MEDIA],
    on: 'remote.invite(peer, lesser id)',
    to: CALLEE_MEDIA,
    send: ['cancel @call-m'],
    set: { direction: 'incoming', callId: CALL_IDS.lesser, ...CLEAR_CANDIDATES, remoteHeld: false },
  },
  {
    in: [OUTGOING],
    on: 'remote.invite(peer, lesser id)',
    to: CREATING_ANSWER,
    send: ['cancel @call-m'],
    // Our dropped offer's connection goes, and its batch window with it.
    set: {
      direction: 'incoming',
      callId: CALL_IDS.lesser,
      ...CLEAR_CANDIDATES,
      batchTimer: false,
      remoteHeld: false,
    },
  },
  // Glare won: the peer adopts our invite.
  { in: [CALLER_MEDIA, OUTGOING], on: 'remote.invite(peer, greater id)' },

  // ── busy: an invite from someone else during a call, answered once per sender per reply window ──
  // The first `busy` opens a reply window (its timer starts); senders answered within it share it.
  {
    in: LIVE,
    if: ['carol not yet answered busy', 'busy window closed'],
    on: 'remote.invite(stranger)',
    send: ['reject:busy to carol @call-s'],
    set: { busyAnswered: ['carol'] },
  },
  {
    in: LIVE,
    if: ['dave not yet answered busy', 'busy window closed'],
    on: 'remote.invite(second stranger)',
    send: ['reject:busy to dave @call-t'],
    set: { busyAnswered: ['dave'] },
  },
  {
    in: LIVE,
    if: ['dave not yet answered busy', 'busy window open'],
    on: 'remote.invite(second stranger)',
    send: ['reject:busy to dave @call-t'],
    set: { busyAnswered: ['carol', 'dave'] },
  },
  {
    in: LIVE,
    if: ['carol not yet answered busy', 'busy window open'],
    on: 'remote.invite(stranger)',
    send: ['reject:busy to carol @call-s'],
    set: { busyAnswered: ['carol', 'dave'] },
  },
  // A flood of invites cannot spend our send budget.
  { in: LIVE, if: ['carol already answered busy'], on: 'remote.invite(stranger)' },
  { in: LIVE, if: ['dave already answered busy'], on: 'remote.invite(second stranger)' },
  { in: LIVE, on: 'timer.busyWindow', set: { busyAnswered: [] } },
  // The invite of this call, delivered a second time.
  { in: [INCOMING, ANSWERING, CONNECTING, CONNECTED], if: ['callee'], on: 'remote.invite(again)' },

  // ── the callee rings ──
  { in: [INCOMING], on: 'user.answer', to: CALLEE_MEDIA },
  { in: [INCOMING], on: 'user.reject', to: ENDED, send: ['reject:declined'], end: ['declined', 'local'] },
  { in: [INCOMING], on: 'user.hangup', to: ENDED, send: ['reject:declined'], end: ['declined', 'local'] },
  { in: [INCOMING], on: 'timer.inviteLifetime', to: ENDED, end: ['no-answer', 'remote'] },
  // Even a device that already answered: the caller chose another one of ours.
  {
    in: PAST_THE_INVITE,
    if: ['callee'],
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
    set: { ...CLEAR_CANDIDATES, remoteHeld: false },
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
  // A permission prompt nobody answers must not hold the call: the caller's cancel may never come.
  {
    in: [CALLEE_MEDIA],
    on: 'timer.answerMedia',
    to: ENDED,
    send: ['hangup:media-failed'],
    end: ['media-failed', 'local'],
  },
];
