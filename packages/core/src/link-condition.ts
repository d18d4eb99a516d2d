// What a phone knows of its signaling link, reduced to what a new call needs to decide: an invite can go
// out now (`up`), maybe soon (`pending`), or not at all (`unreachable`, `refused`).

import type { TransportStatus } from './transport.js';
import type { TransportError } from './transport-error.js';

export type LinkCondition = 'up' | 'pending' | 'unreachable' | 'refused';

/** The facts a condition is read from; each transport status and error updates them. */
export interface LinkFacts {
  readonly status: TransportStatus;
  /** The link has been open at least once: a later drop is a reconnect, worth waiting for. */
  readonly everOpen: boolean;
  /** A connection attempt failed before the link was ever open. */
  readonly firstAttemptFailed: boolean;
  /** The last permanent error, if any: the transport closes after it. */
  readonly permanentError: TransportError | null;
}

export const INITIAL_LINK_FACTS: LinkFacts = {
  status: 'connecting',
  everOpen: false,
  firstAttemptFailed: false,
  permanentError: null,
};

export function withStatus(facts: LinkFacts, status: TransportStatus): LinkFacts {
  // An open link has put any earlier failure behind it.
  if (status === 'open') return { status, everOpen: true, firstAttemptFailed: false, permanentError: null };
  return { ...facts, status };
}

export function withError(facts: LinkFacts, error: TransportError): LinkFacts {
  return {
    ...facts,
    firstAttemptFailed: facts.firstAttemptFailed || (!facts.everOpen && error.reason === 'connect-failed'),
    permanentError: error.permanent ? error : facts.permanentError,
  };
}

export function linkConditionOf(facts: LinkFacts): LinkCondition {
  if (facts.permanentError)
    return facts.permanentError.code === 'unauthenticated' ? 'refused' : 'unreachable';
  if (facts.status === 'open') return 'up';
  if (facts.status === 'closed') return 'unreachable';
  if (!facts.everOpen && facts.firstAttemptFailed) return 'unreachable';
  return 'pending';
}
