// Signed, expiring tokens that bind a user id: `v1.<payload>.<signature>`, base64url, HMAC-SHA256 with
// the server's secret. Node only (node:crypto); browsers only carry the token string.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HandsetError } from '@handset/core';
import { SignalingError } from '../signaling-error.js';

const VERSION = 'v1';
/** Same rule as envelope ids: the user id ends up in `from` fields, logs and Redis channel names. */
const USER_ID = /^[\x21-\x2e\x30-\x7e]{1,128}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MIN_SECRET_BYTES = 16;

export type TokenSecret = string | Uint8Array;

export type TokenVerification =
  | { ok: true; userId: string; expiresAt: number }
  | { ok: false; error: SignalingError };

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
 * A token for `userId`, valid for `ttlSeconds`. Throws `invalid-argument` for an id the protocol would
 * refuse, a non-positive ttl or a secret shorter than 16 bytes.
 */
export function createToken(
  userId: string,
  secret: TokenSecret,
  ttlSeconds: number,
  now: number = Date.now(),
): string {
  if (!USER_ID.test(userId)) {
    throw HandsetError.invalidArgument('user ids are 1-128 printable ASCII characters without spaces or "/"');
  }
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw HandsetError.invalidArgument('ttlSeconds must be a positive number');
  }
  const payload = Buffer.from(
    JSON.stringify({ sub: userId, exp: Math.floor(now / 1000 + ttlSeconds) }),
  ).toString('base64url');
  const body = `${VERSION}.${payload}`;
  return `${body}.${sign(body, secretBytes(secret)).toString('base64url')}`;
}

/** Checks signature, then expiry. Never throws on a bad token (only on a bad secret). */
export function verifyToken(token: string, secret: TokenSecret, now: number = Date.now()): TokenVerification {
  const key = secretBytes(secret);
  const parts = typeof token === 'string' && token.length <= 4096 ? token.split('.') : [];
  const [version, payload, signature] = parts;
  if (parts.length !== 3 || version !== VERSION || !payload || !signature || !BASE64URL.test(payload)) {
    return refuse('token-malformed', 'the token is not a v1 Handset token');
  }
  if (!BASE64URL.test(signature)) return refuse('token-malformed', 'the token signature is not base64url');
  const expected = sign(`${version}.${payload}`, key);
  const given = Buffer.from(signature, 'base64url');
  // Compare digests of equal length in constant time; a length mismatch reveals nothing useful.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse('token-bad-signature', 'the token signature does not match');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return refuse('token-malformed', 'the token payload is not JSON');
  }
  const { sub, exp } = (claims ?? {}) as { sub?: unknown; exp?: unknown };
  if (typeof sub !== 'string' || !USER_ID.test(sub) || typeof exp !== 'number' || !Number.isFinite(exp)) {
    return refuse('token-malformed', 'the token payload lacks a valid user id or expiry');
  }
  if (exp * 1000 <= now) return refuse('token-expired', 'the token has expired');
  return { ok: true, userId: sub, expiresAt: exp * 1000 };
}

function refuse(reason: 'token-malformed' | 'token-bad-signature' | 'token-expired', message: string) {
  return { ok: false, error: SignalingError.of(reason, message) } as const;
}
