// Why a call ended, and who ended it: a closed union that the app can switch over exhaustively.

export type EndCode =
  | 'hangup'
  | 'cancelled'
  | 'declined'
  | 'busy'
  | 'no-answer'
  | 'unavailable'
  | 'answered-elsewhere'
  | 'media-denied'
  | 'media-failed'
  | 'negotiation-failed'
  | 'connection-failed'
  | 'protocol-error'
  | 'unauthenticated'
  | 'signaling-unavailable'
  | 'platform-error';

/** `local`: this phone ended it (its user, or its own timer or failure); `remote`: the peer or the network did. */
export type EndedBy = 'local' | 'remote';

/** Why a call ended (`code`) and which side ended it (`by`). */
export interface EndReason {
  readonly code: EndCode;
  readonly by: EndedBy;
  /** Extra detail for logs, e.g. the getUserMedia error name. Not for branching. */
  readonly detail?: string;
}

/** One line per code; the README's reason table is generated from it. */
export const END_CODE_DESCRIPTIONS: Record<EndCode, string> = {
  hangup: 'The call was connected (or being answered) and one side hung up.',
  cancelled: 'The caller gave up before the call was answered.',
  declined: 'The callee rejected the call.',
  busy: 'The callee is in another call; the invite was answered busy automatically.',
  'no-answer':
    'Nobody answered within the invite lifetime (caller) / the caller gave up ringing us (callee).',
  unavailable: 'The callee is offline: the transport knows nobody is there to ring.',
  'answered-elsewhere': "Another of the callee's devices answered first.",
  'media-denied': 'getUserMedia was refused (permission denied by the user or the browser).',
  'media-failed': 'getUserMedia failed for another reason (no camera, device busy...).',
  'negotiation-failed': 'Creating or applying an SDP offer/answer failed on this side.',
  'connection-failed': 'ICE never connected, or the connection was lost and every ICE restart failed.',
  'protocol-error': 'The peer sent a description that could not be applied (malformed SDP).',
  unauthenticated:
    "The signaling link refused this phone's credentials (bad, expired or wrong-user token): no call can be made until the app logs in again.",
  'signaling-unavailable':
    'The signaling link is closed, was never reached, or did not come back within `signalingWaitMs`: the invite could not go out.',
  'platform-error':
    'A platform port threw (the peer-connection factory, or the transport send); the error itself is on `events$` as `call-error`.',
};
