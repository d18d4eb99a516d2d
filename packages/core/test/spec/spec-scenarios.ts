// Roads the cover cannot show: each generated path reaches a row by its shortest road, which never meets a
// crossing the rows only make sense of together (the offer owed for a hold, crossed by the peer's offer or
// paid by an ICE restart). Each scenario is a sequence of events the table must accept, step by step.
import type { SpecEvent } from './spec-world.js';

export interface Scenario {
  readonly name: string;
  readonly events: readonly SpecEvent[];
}

/** The callee connected: the polite side, whose own offers yield to the peer's. */
const CALLEE_CONNECTED: readonly SpecEvent[] = [
  'remote.invite(peer)',
  'user.answer',
  'op.ok',
  'op.ok',
  'pc.ice(connected)',
];
const CALLER_CONNECTED: readonly SpecEvent[] = [
  'user.call',
  'op.ok',
  'op.ok',
  'remote.answer',
  'op.ok(ICE already up)',
];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "a hold offer crossed by the peer's offer is made again once the peer's is answered (the polite side)",
    events: [
      ...CALLEE_CONNECTED,
      'user.hold',
      'op.ok',
      'remote.negotiate(offer)',
      'op.ok',
      'op.ok',
      'remote.negotiate(answer)',
      'op.ok',
      'user.hangup',
    ],
  },
  {
    name: 'an ICE restart offered while a resume is owed carries it: no second offer follows',
    events: [
      ...CALLER_CONNECTED,
      'user.hold',
      'op.ok',
      'user.resume',
      'link.changed(up)',
      'op.ok',
      'remote.negotiate(answer)',
      'op.ok',
      'user.hangup',
    ],
  },
];
