// The table, part five: the signaling link comes back during a connected call whose ICE is up. The device may
// be on another network, so ICE restarts without waiting for ICE to notice; but only one side restarts at
// once. When both links came back together (a broker or server restart), two restarts back to back would cost
// a second renegotiation: the caller (impolite) restarts at once, the callee (polite) waits a moment for it.

import { ice, type Row } from './spec-places.js';

export const LINK_RESTART_ROWS: readonly Row[] = [
  { in: [ice('stable')], if: ['caller'], on: 'link.changed(up)', to: 'ice.reconnecting' },
  { in: [ice('stable')], if: ['callee'], on: 'link.changed(up)', to: 'ice.awaitingPeerRestart' },
  // The caller's offer (an ICE restart: its link came back too) renews both sides' candidates; renegotiation
  // answers it as any offer, and this side makes no restart of its own.
  { in: [ice('awaitingPeerRestart')], on: 'remote.negotiate(offer)', to: 'ice.stable' },
  // None in time: only this side's network changed, and the caller has no reason to restart. Restart now.
  { in: [ice('awaitingPeerRestart')], on: 'timer.peerIceRestart', to: 'ice.reconnecting' },
  // ICE broke meanwhile: the old path is gone, nothing is worth waiting for.
  {
    in: [ice('awaitingPeerRestart')],
    on: 'pc.ice(disconnected)',
    to: 'ice.reconnecting',
    set: { iceUp: false },
  },
  { in: [ice('awaitingPeerRestart')], on: 'pc.ice(failed)', to: 'ice.reconnecting', set: { iceUp: false } },
];
