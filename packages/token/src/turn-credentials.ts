// Short-lived TURN credentials in coturn's TURN REST API scheme (`use-auth-secret`): the relay checks them
// with the secret it shares with the signaling side, so no per-user state is kept anywhere.
import { createHmac } from 'node:crypto';
import { HandsetError, type IceServerConfig, isValidId } from '@handset/core';

export interface TurnCredentialOptions {
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** Who the credentials are for; coturn logs it, and it must not contain the ':' separator. */
  userId: string;
  /** How long the credentials work, from `now`. */
  ttlSeconds: number;
  /** The relay's URLs, e.g. `['turn:turn.example.com:3478?transport=udp']`. */
  urls: string[];
  /** Milliseconds since the epoch; default `Date.now()`. */
  now?: number;
}

/** At least a minute (a call must have time to start) and at most a week (a leak must not last). */
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * `[{ urls, username: '<unix expiry>:<userId>', credential: base64(HMAC-SHA1(secret, username)) }]`.
 * Throws `invalid-argument` for an id the protocol refuses, a ttl outside 60 s - 7 days, no URLs or an
 * empty secret: these are the operator's configuration, checked once at startup.
 */
export function turnCredentials(options: TurnCredentialOptions): IceServerConfig[] {
  const { secret, userId, ttlSeconds, urls } = options;
  if (!isValidId(userId) || userId.includes(':')) {
    throw HandsetError.invalidArgument('TURN user ids are protocol user ids without ":"');
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS) {
    throw HandsetError.invalidArgument(
      `the TURN ttl must be a whole number of seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`,
    );
  }
  if (secret.length === 0) throw HandsetError.invalidArgument('the TURN secret is empty');
  if (urls.length === 0 || !urls.every((url) => /^turns?:/.test(url))) {
    throw HandsetError.invalidArgument('TURN urls are one or more turn: or turns: URLs');
  }
  const expiry = Math.floor((options.now ?? Date.now()) / 1000) + ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return [{ urls: [...urls], username, credential }];
}
