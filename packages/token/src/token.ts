// Signed, expiring tokens that bind a user id, as compact JWTs (HS256, claims `sub`, `iat`, `exp`): the
// WebSocket server and the embedded MQTT broker verify them, and EMQX's JWT authenticator accepts them too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HandsetError, isValidId } from '@handset/core';
import { TokenError, type TokenErrorReason } from './token-error.js';

export type TokenSecret = string | Uint8Array;

export type TokenVerification =
  | { ok: true; userId: string; expiresAt: number }
  | { ok: false; error: TokenError };

/** What a verifier accepts beyond a good signature: how long a token may live, how far clocks may differ. */
export interface TokenPolicy {
  /**
   * The longest lifetime accepted, from `iat` to `exp` and from now to `exp`: a leaked token must not be
   * good for ever (a signed `exp` of 1e300 is refused). Default 7 days.
   */
  maxLifetimeSeconds?: number;
  /** How far the issuer's clock may run ahead of ours when checking `nbf` and `iat`. Default 60 s. */
  clockSkewSeconds?: number;
}

export const DEFAULT_TOKEN_POLICY: Readonly<Required<TokenPolicy>> = Object.freeze({
  maxLifetimeSeconds: 7 * 24 * 60 * 60,
  clockSkewSeconds: 60,
});

const MIN_SECRET_BYTES = 16;
/** Real tokens are ~200 characters; the bound keeps a hostile client from making us hash megabytes. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function secretBytes(secret: TokenSecret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw HandsetError.invalidArgument(`the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return bytes;
}

function sign(body: string, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * A token for `userId`, valid for `ttlSeconds` from `now` (ms). Throws `invalid-argument` for an id the
 * protocol refuses (core's `isValidId`), a non-positive ttl, or a secret shorter than 16 bytes.
 */
export function createToken(
  userId: string,
  secret: TokenSecret,
  ttlSeconds: number,
  now: number = Date.now(),
): string {
  if (!isValidId(userId)) {
    throw HandsetError.invalidArgument(
      'user ids are 1-128 printable ASCII characters without spaces, "/", "+" or "#"',
    );
  }
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw HandsetError.invalidArgument('ttlSeconds must be a positive number');
  }
  const key = secretBytes(secret);
  const claims = { sub: userId, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000 + ttlSeconds) };
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(body, key).toString('base64url')}`;
}

/**
 * Checks the shape, the algorithm, the signature, then the claims: `exp` not passed, `nbf` and `iat` not in
 * the future (beyond the clock-skew allowance), and a lifetime within the policy's cap. Never throws on a bad
 * token (only on a bad secret or policy, which are the server's mistakes, not the client's).
 */
export function verifyToken(
  token: string,
  secret: TokenSecret,
  now: number = Date.now(),
  policy: TokenPolicy = {},
): TokenVerification {
  const key = secretBytes(secret);
  const { maxLifetimeSeconds, clockSkewSeconds } = checkTokenPolicy(policy);
  const parts = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
  const [header, payload, signature] = parts;
  if (
    parts.length !== 3 ||
    !header ||
    !payload ||
    !signature ||
    ![header, payload, signature].every(isBase64Url)
  ) {
    return refuse('token-malformed', 'the token is not a compact JWT');
  }
  // Only HS256: accepting the header's choice of algorithm is the classic JWT downgrade ("alg": "none").
  if (readJson(header)?.alg !== 'HS256')
    return refuse('token-wrong-algorithm', 'the token is not signed with HS256');
  const expected = sign(`${header}.${payload}`, key);
  const given = Buffer.from(signature, 'base64url');
  // Equal-length digests compared in constant time; a length mismatch reveals nothing useful.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse('token-bad-signature', 'the token signature does not match');
  }
  const claims = readJson(payload);
  const sub = claims?.sub;
  const exp = claims?.exp;
  if (!isValidId(sub) || !isTime(exp)) {
    return refuse('token-malformed', 'the token lacks a valid user id or expiry');
  }
  const iat = claims?.iat;
  const nbf = claims?.nbf;
  if ((iat !== undefined && !isTime(iat)) || (nbf !== undefined && !isTime(nbf))) {
    return refuse('token-malformed', 'the token has a non-numeric iat or nbf');
  }
  const nowSeconds = now / 1000;
  if (exp <= nowSeconds) return refuse('token-expired', 'the token has expired');
  // Expiry gets no allowance (a late refusal is safe); a start time does, or a fast issuer clock locks users out.
  const latestStart = nowSeconds + clockSkewSeconds;
  if (nbf !== undefined && nbf > latestStart)
    return refuse('token-not-yet-valid', 'the token is not valid yet (nbf)');
  if (iat !== undefined && iat > latestStart) {
    return refuse('token-not-yet-valid', 'the token says it was issued in the future (iat)');
  }
  // Measured from now too: a token without iat (or with an old one) still may not outlive the cap from here.
  if (
    (iat !== undefined && exp - iat > maxLifetimeSeconds) ||
    exp - nowSeconds > maxLifetimeSeconds + clockSkewSeconds
  ) {
    return refuse('token-lifetime-too-long', `the token lives longer than ${maxLifetimeSeconds} s`);
  }
  return { ok: true, userId: sub, expiresAt: exp * 1000 };
}

/**
 * The policy with its defaults filled in; throws `invalid-argument` for one `verifyToken` would refuse. A server
 * calls it at start, so a bad policy stops the server instead of failing every login.
 */
export function checkTokenPolicy(policy: TokenPolicy = {}): Required<TokenPolicy> {
  const merged = {
    maxLifetimeSeconds: policy.maxLifetimeSeconds ?? DEFAULT_TOKEN_POLICY.maxLifetimeSeconds,
    clockSkewSeconds: policy.clockSkewSeconds ?? DEFAULT_TOKEN_POLICY.clockSkewSeconds,
  };
  if (!Number.isFinite(merged.maxLifetimeSeconds) || merged.maxLifetimeSeconds <= 0) {
    throw HandsetError.invalidArgument('maxLifetimeSeconds must be a positive number');
  }
  if (!Number.isFinite(merged.clockSkewSeconds) || merged.clockSkewSeconds < 0) {
    throw HandsetError.invalidArgument('clockSkewSeconds must be a number of seconds, 0 or more');
  }
  return merged;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isBase64Url(part: string): boolean {
  return BASE64URL.test(part);
}

function readJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function refuse(reason: TokenErrorReason, message: string): TokenVerification {
  return { ok: false, error: new TokenError(reason, message) };
}
