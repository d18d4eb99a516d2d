// Why a token was refused: a closed set of reasons on core's error type, so each transport can map them
// to its own refusal (a WebSocket close frame, an MQTT CONNACK) without parsing messages.
import { HandsetError } from '@handset/core';

/** Every reason `verifyToken` refuses a token, with what it means (the README's table is checked against it). */
export const TOKEN_ERROR_REASONS = {
  'token-malformed':
    'Not three base64url parts, longer than 4096 characters, or claims without a valid `sub` and numeric `exp` (or with a non-numeric `iat`/`nbf`).',
  'token-wrong-algorithm':
    'The header names anything but `HS256` (`"alg": "none"`, `HS512`...) or is not JSON.',
  'token-bad-signature': 'The signature does not match the secret, or the claims were changed after signing.',
  'token-expired': '`exp` is at or before `now`.',
  'token-not-yet-valid':
    '`nbf` (not before) or `iat` (issued at) is later than `now` plus the clock-skew allowance.',
  'token-lifetime-too-long':
    '`exp` is further than `maxLifetimeSeconds` after `iat`, or (with or without `iat`) after `now` plus the clock-skew allowance.',
} as const;

export type TokenErrorReason = keyof typeof TOKEN_ERROR_REASONS;

/** Why a token was refused, with a `reason` from `TOKEN_ERROR_REASONS`. */
export class TokenError extends HandsetError {
  /** The token's own reason; `code` is core's `unauthenticated`. */
  readonly reason: TokenErrorReason;

  constructor(reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super('unauthenticated', message, options);
    this.reason = reason;
  }
}
