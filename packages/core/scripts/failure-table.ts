// The README's failure table: every failure a user can meet, what the app gets, and how soon. Bounds are
// named by their timeout and shown with its default, so a changed default or a new end code cannot drift.
import type { CallTimeouts } from '../src/call/context.js';
import type { EndCode } from '../src/end-reason.js';
import type { HandsetErrorCode } from '../src/errors.js';

export interface FailureRow {
  readonly failure: string;
  /** The call ends with this end code... */
  readonly ends?: EndCode;
  /** ...and/or the app gets this error code (thrown, or on `events$`). */
  readonly error?: HandsetErrorCode;
  /** How soon: at once, one round trip, or after one of the call's timeouts. */
  readonly when:
    | 'at once'
    | 'one round trip'
    | { readonly after: keyof CallTimeouts; readonly note?: string };
}

export const FAILURES: readonly FailureRow[] = [
  {
    failure: 'Calling with a refused token (bad, expired, wrong secret or wrong user)',
    ends: 'unauthenticated',
    error: 'unauthenticated',
    when: 'at once',
  },
  {
    failure:
      'Calling while the signaling link is closed, or was never reached (nothing listening, not a signaling server)',
    ends: 'signaling-unavailable',
    error: 'transport',
    when: 'at once',
  },
  {
    failure: 'Calling while the link is reconnecting, and it does not come back',
    ends: 'signaling-unavailable',
    when: { after: 'signalingWaitMs' },
  },
  {
    failure:
      'The link closes for good while the call is being placed, or while it rings or is being answered here (a refused token ends it `unauthenticated` instead)',
    ends: 'signaling-unavailable',
    when: 'at once',
  },
  {
    failure: 'Calling your own user id, a peer id the protocol refuses, or with no media',
    error: 'invalid-argument',
    when: 'at once',
  },
  {
    failure: 'Calling, answering or rejecting when the call is not in a state for it',
    error: 'invalid-state',
    when: 'at once',
  },
  { failure: 'The callee is offline', ends: 'unavailable', when: 'one round trip' },
  { failure: 'The callee is in another call', ends: 'busy', when: 'one round trip' },
  { failure: 'The callee declines', ends: 'declined', when: 'one round trip' },
  { failure: 'Nobody answers', ends: 'no-answer', when: { after: 'inviteMs' } },
  { failure: 'The caller gives up before an answer', ends: 'cancelled', when: 'one round trip' },
  {
    failure: "Another of the callee's devices answered first",
    ends: 'answered-elsewhere',
    when: 'one round trip',
  },
  { failure: 'Camera or microphone permission refused', ends: 'media-denied', when: 'at once' },
  { failure: 'Camera or microphone cannot be opened', ends: 'media-failed', when: 'at once' },
  {
    failure: 'Camera or microphone never opens while answering (a prompt nobody answers)',
    ends: 'media-failed',
    when: { after: 'answerMediaMs', note: "detail `'timeout'`" },
  },
  { failure: 'This side cannot create its offer or answer', ends: 'negotiation-failed', when: 'at once' },
  { failure: "The peer's description cannot be applied", ends: 'protocol-error', when: 'at once' },
  { failure: 'The media connection never comes up', ends: 'connection-failed', when: { after: 'connectMs' } },
  {
    failure:
      "A relay-only call (`iceTransportPolicy: 'relay'`) whose TURN server refuses its credentials (wrong, expired) or gives no relay candidate within `relayGatheringTimeoutMs` (5 s)",
    ends: 'connection-failed',
    error: 'turn-refused',
    when: 'at once',
  },
  {
    failure: 'The media connection is lost and every ICE restart fails',
    ends: 'connection-failed',
    when: { after: 'iceRestartMs', note: '× `maxIceRestarts`, after `iceDisconnectGraceMs`' },
  },
  {
    failure: 'A renegotiation (or ICE-restart) answer never comes',
    ends: 'negotiation-failed',
    when: { after: 'renegotiationMs' },
  },
  {
    failure: 'The peer-connection factory or the transport send throws',
    ends: 'platform-error',
    error: 'port-failed',
    when: 'at once',
  },
  {
    failure: 'The peer connection throws on close() (the call still ends, with this warning)',
    error: 'port-failed',
    when: 'at once',
  },
  {
    failure:
      "The peer hung up while this side's link was down (its hang-up lost): ends when this side next sends it anything",
    ends: 'hangup',
    when: 'one round trip',
  },
  { failure: 'A frame from the network that is not JSON', error: 'malformed-json', when: 'at once' },
  {
    failure: 'An envelope that breaks the protocol (fields, ids, sizes)',
    error: 'invalid-envelope',
    when: 'at once',
  },
  { failure: 'An envelope of another protocol version', error: 'unsupported-version', when: 'at once' },
  { failure: 'An envelope of an unknown type', error: 'unknown-type', when: 'at once' },
  { failure: 'A frame larger than `maxFrameBytes`', error: 'oversize', when: 'at once' },
  {
    failure: 'A remote ICE candidate the peer connection refuses (the call goes on)',
    error: 'candidate-rejected',
    when: 'at once',
  },
  {
    failure: 'More remote candidates before the remote description than a call keeps (the call goes on)',
    error: 'candidates-dropped',
    when: 'at once',
  },
];

const seconds = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

export function failureTable(rows: readonly FailureRow[], defaults: CallTimeouts): string {
  const lines = rows.map((row) => {
    const gets = [row.ends && `ends \`${row.ends}\``, row.error && `\`${row.error}\``]
      .filter(Boolean)
      .join(', ');
    const when =
      typeof row.when === 'string'
        ? row.when
        : `after \`${row.when.after}\` (${seconds(defaults[row.when.after])})${row.when.note ? `, ${row.when.note}` : ''}`;
    return `| ${row.failure} | ${gets} | ${when} |`;
  });
  return ['| failure | the app gets | how soon |', '| --- | --- | --- |', ...lines].join('\n');
}
