// The TURN relay this server hands its users: fresh short-lived credentials (coturn's TURN REST API
// scheme, shared secret) in each welcome, and again before they expire, so no app code fetches them.
import { HandsetError, type IceServerConfig, isValidId } from '@handset/core';
import { turnCredentials } from '@handset/token';

export interface TurnRelayOptions {
  /** The relay's URLs as clients reach it, e.g. `['turn:turn.example.com:3478?transport=udp']`. */
  urls: string[];
  /** coturn's `static-auth-secret` (never logged). */
  secret: string;
  /** How long each set of credentials works. Default 86 400 (a day); 60 s to 7 days. */
  ttlSeconds?: number;
  /**
   * How often a connected user is sent a fresh set. Default three quarters of the ttl, so a set is
   * replaced well before it expires; shorter only for tests.
   */
  refreshEveryMs?: number;
}

export interface TurnRelay {
  iceServersFor(userId: string): IceServerConfig[];
  readonly refreshEveryMs: number;
}

export const DEFAULT_TURN_TTL_SECONDS = 86_400;

/** Checks the options once (a bad secret or URL throws `invalid-argument` at startup, not per login). */
export function createTurnRelay(options: TurnRelayOptions): TurnRelay {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  const issue = (userId: string) =>
    turnCredentials({ secret: options.secret, userId, ttlSeconds, urls: options.urls });
  issue('startup-check');
  const refreshEveryMs = options.refreshEveryMs ?? Math.floor(ttlSeconds * 750);
  if (!Number.isFinite(refreshEveryMs) || refreshEveryMs < 100 || refreshEveryMs >= ttlSeconds * 1000) {
    throw HandsetError.invalidArgument('turn.refreshEveryMs must be at least 100 and shorter than the ttl');
  }
  return {
    // Every authenticated id passed isValidId; one with ':' (legal in ids) would split the TURN username.
    iceServersFor: (userId) => (isValidId(userId) && !userId.includes(':') ? issue(userId) : []),
    refreshEveryMs,
  };
}
