// The table, part two: a call being connected and connected — hang-ups, ICE checks, trickle ICE, the ICE
// link's restarts and renegotiation. Read with spec-places.ts (the words) and README.md.

import {
  ANSWERING,
  APPLYING_ANSWER,
  CHECKING,
  CONNECTED,
  CONNECTING,
  ENDED,
  ice,
  LIVE,
  neg,
  REMOTE_DESCRIPTION_PENDING,
  REMOTE_DESCRIPTION_SET,
  type Row,
} from './spec-places.js';

export const IN_CALL_ROWS: readonly Row[] = [
  // ── hanging up once the call is answered (or being answered) ──
  {
    in: [ANSWERING, CONNECTING, CONNECTED],
    on: 'user.hangup',
    to: ENDED,
    send: ['hangup:normal'],
    end: ['hangup', 'local'],
  },
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
  // Once the call is bound to one device, the peer's other devices have no say; nor has another call.
  { in: [CONNECTING, CONNECTED], on: 'remote.hangup(other device)' },
  { in: LIVE, on: 'remote.hangup(other call)' },

  // ── connecting ──
  { in: [APPLYING_ANSWER], on: 'op.ok', to: CHECKING, set: { remoteHeld: false } },
  // ICE failed while the answer was being applied (a relay-only call its TURN server refused).
  {
    in: [APPLYING_ANSWER],
    on: 'op.ok(ICE already failed)',
    to: ENDED,
    send: ['hangup:connection-failed'],
    end: ['connection-failed', 'local'],
  },
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
  { in: [CHECKING, CONNECTED], if: ['callee'], on: 'remote.answerSelected(this device)' },
  { in: [CHECKING, CONNECTED], on: 'pc.track' },
  // A connected call samples its statistics on its own clock and passes each sample on to the app
  // (`stats$`): nothing moves, nothing is sent.
  { in: [CONNECTED], on: 'timer.stats', if: ['nobody holds'], emit: ['stats'], set: { remoteHeld: false } },
  // Held, no media flows on purpose: the sample says `held` rather than a bad connection.
  {
    in: [CONNECTED],
    on: 'timer.stats',
    if: ['someone holds'],
    emit: ['stats(held)'],
    set: { remoteHeld: false },
  },

  // ── trickle ICE ──
  // Remote candidates are buffered until the description they belong to is applied, then applied in order.
  { in: REMOTE_DESCRIPTION_PENDING, on: 'remote.candidates', set: { remoteHeld: true } },
  // Any still held (connected before the answer's promise settled) go first.
  { in: REMOTE_DESCRIPTION_SET, on: 'remote.candidates', set: { remoteHeld: false } },
  // An invite may ring for minutes: the buffer is bounded, and what does not fit is dropped with a warning.
  {
    in: REMOTE_DESCRIPTION_PENDING,
    on: 'remote.candidates(more than the buffer holds)',
    set: { remoteHeld: true, candidatesDropped: true },
  },
  // Our own candidates (the trickle region) are in rows-setup-speed.ts.

  // ── connected: the ICE link ──
  { in: [ice('stable')], on: 'pc.ice(disconnected)', to: 'ice.interrupted', set: { iceUp: false } },
  { in: [ice('stable')], on: 'pc.ice(failed)', to: 'ice.reconnecting', set: { iceUp: false } },
  { in: [ice('interrupted')], on: 'pc.ice(connected)', to: 'ice.stable', set: { iceUp: true } },
  { in: [ice('interrupted')], on: 'pc.ice(completed)', to: 'ice.stable', set: { iceUp: true } },
  { in: [ice('interrupted')], on: 'pc.ice(failed)', to: 'ice.reconnecting' },
  { in: [ice('interrupted')], on: 'timer.iceGrace', to: 'ice.reconnecting' },
  {
    in: [ice('reconnecting')],
    on: 'pc.ice(connected)',
    to: 'ice.stable',
    set: { restarts: 0, iceUp: true },
  },
  // The signaling link came back (the device may have changed network): ICE restarts at once, with fresh
  // candidates, and a restart offer lost while the link was down is made again. With ICE up (`stable`), only
  // one side restarts at once: rows-link-restart.ts.
  { in: [ice('interrupted')], on: 'link.changed(up)', to: 'ice.reconnecting' },
  { in: [ice('reconnecting')], if: ['restarts left'], on: 'link.changed(up)', to: 'ice.reconnecting' },
  { in: [ice('reconnecting')], if: ['no restarts left'], on: 'link.changed(up)' },
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
  // A lost answer must not leave the call renegotiating forever.
  {
    in: [neg('awaitingAnswer')],
    on: 'timer.renegotiation',
    to: ENDED,
    send: ['hangup:negotiation-failed'],
    end: ['negotiation-failed', 'local'],
  },
  { in: [neg('applyingAnswer')], on: 'op.ok', to: 'negotiation.stable' },
  // Not a collision: the peer answered ours, then offered (its own ICE restart). Held, answered once back in stable.
  { in: [neg('applyingAnswer')], on: 'remote.negotiate(offer)', set: { heldOffer: true } },
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
