// The table, part four: what keeps setup short. Our own ICE candidates on their way to the peer (the call's
// trickle region): the first of a burst leaves at once; while its batch window is open, later ones wait and
// leave together when it closes; end-of-candidates leaves at once; none leaves before its description. And
// the callee applies the caller's offer while its camera and microphone open, not after; the caller is
// connected as soon as ICE is, not when the platform's promise for the answer settles.

import {
  APPLYING_ANSWER,
  CALLEE_MEDIA,
  CLEAR_CANDIDATES,
  CONNECTED,
  CREATING_ANSWER,
  DESCRIPTION_BEING_MADE,
  DESCRIPTION_OUT,
  ENDED,
  GATHERS_MANY,
  HAS_LOCAL_DESCRIPTION,
  type Row,
} from './spec-places.js';
import { QUEUED_CANDIDATES, QUEUED_CANDIDATES_AND_END } from './spec-world.js';

export const SETUP_SPEED_ROWS: readonly Row[] = [
  // ── the callee's media opens while the caller's offer is applied ──
  // The offer cannot be applied: the peer sent something broken, heard as soon as it is known.
  {
    in: [CALLEE_MEDIA],
    on: 'op.refused',
    to: ENDED,
    send: ['hangup:protocol-error'],
    end: ['protocol-error', 'remote'],
  },

  // ── the caller: ICE up while the answer is being applied ──
  // ICE needs the callee's credentials from the answer: it is up only once the platform has the answer, though
  // its promise may settle later (tens of ms in a busy page). The candidates held for the answer stay held
  // (a browser blocks in addIceCandidate until that promise settles): the connected call hands them over with
  // the peer's next candidates, or at its first stats sample.
  { in: [APPLYING_ANSWER], on: 'pc.ice(connected)', to: CONNECTED },
  { in: [APPLYING_ANSWER], on: 'pc.ice(completed)', to: CONNECTED },
  // ── the callee: ICE up while the answer is being made ──
  // The answer has not left yet: it leaves first, then the call is connected.
  {
    in: [CREATING_ANSWER],
    on: 'op.ok(ICE already up)',
    to: CONNECTED,
    send: ['answer', QUEUED_CANDIDATES],
    set: { ...CLEAR_CANDIDATES, remoteHeld: false },
  },

  // ── a candidate with no window open: at once, or held for the description being made ──
  {
    in: DESCRIPTION_OUT,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidate',
    send: ['candidates'],
    set: { batchTimer: true },
  },
  {
    in: DESCRIPTION_BEING_MADE,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidate',
    set: { queued: true, batchTimer: true },
  },
  // A window is open: the candidate rides in the next message.
  {
    in: HAS_LOCAL_DESCRIPTION,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidate',
    set: { queued: true },
  },

  // ── a burst of more candidates than one message holds (a host with many interfaces, an ICE restart) ──
  // The first leaves at once; the rest (one message's worth) wait for the window.
  {
    in: [CONNECTED],
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidates(more than one message holds)',
    send: ['candidates'],
    set: { queued: true, batchTimer: true },
  },
  {
    in: DESCRIPTION_BEING_MADE,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidates(more than one message holds)',
    set: { queued: true, queuedMany: true, batchTimer: true },
  },
  {
    in: GATHERS_MANY,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidates(more than one message holds)',
    set: { queued: true, queuedMany: true },
  },

  // ── end-of-candidates: nothing more will come, so nothing waits for a window ──
  {
    in: DESCRIPTION_OUT,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidatesEnd',
    send: ['candidates(end)'],
  },
  {
    in: DESCRIPTION_OUT,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidatesEnd',
    send: [QUEUED_CANDIDATES_AND_END],
    set: { ...CLEAR_CANDIDATES, batchTimer: false },
  },
  {
    in: DESCRIPTION_BEING_MADE,
    if: ['still gathering', 'batch window closed'],
    on: 'pc.candidatesEnd',
    set: { gatheringDone: true, batchTimer: true },
  },
  {
    in: DESCRIPTION_BEING_MADE,
    if: ['still gathering', 'batch window open'],
    on: 'pc.candidatesEnd',
    set: { gatheringDone: true },
  },

  // ── the window closes ──
  // The description is still being made: what waits keeps waiting, another window opens.
  { in: DESCRIPTION_BEING_MADE, on: 'timer.candidateBatch' },
  // What waited leaves in one message (or as few as the protocol's limit allows); another window opens, as
  // a burst is likely still going on.
  {
    in: DESCRIPTION_OUT,
    if: ['candidates waiting'],
    on: 'timer.candidateBatch',
    send: [QUEUED_CANDIDATES],
    set: CLEAR_CANDIDATES,
  },
  // Nothing came during the window: the next candidate is the first of a new burst.
  {
    in: DESCRIPTION_OUT,
    if: ['no candidates waiting'],
    on: 'timer.candidateBatch',
    set: { batchTimer: false },
  },
];
