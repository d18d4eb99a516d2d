// The call's behaviour as a table, the way SIP's RFCs tabulate responses: in a place, on an event (and
// when a condition holds), the call goes to a place, sends these messages and ends with this reason.
// Written from the protocol (src/protocol.ts) and the README's end-reason table, never from the machine.

import { CALL_SETUP_ROWS } from './rows-call-setup.js';
import { IN_CALL_ROWS } from './rows-in-call.js';
import { IN_CALL_CONTROL_ROWS } from './rows-in-call-controls.js';
import { LINK_RESTART_ROWS } from './rows-link-restart.js';
import { SETUP_SPEED_ROWS } from './rows-setup-speed.js';
import type { Row } from './spec-places.js';

export type { Row } from './spec-places.js';

export const ROWS: readonly Row[] = [
  ...CALL_SETUP_ROWS,
  ...SETUP_SPEED_ROWS,
  ...IN_CALL_ROWS,
  ...LINK_RESTART_ROWS,
  ...IN_CALL_CONTROL_ROWS,
];

/** A row's name in reports: where, on what, under which conditions. */
export const rowName = (row: Row): string =>
  `${row.in.join(' | ')} × ${row.on}${row.if ? ` [${row.if.join(', ')}]` : ''}`;
