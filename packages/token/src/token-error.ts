// Why a token was refused: a closed set of reasons on core's error type, so each transport can map them
// to its own refusal (a WebSocket close frame, an MQTT CONNACK) without parsing messages.
import { HandsetError } from '@handset/core';

/** Every reason `verifyToken` refuses a token. */
export type TokenErrorReason =
  /** Not three base64url parts, too long, or claims without a valid `sub` and `exp`. */
  | 'token-malformed'
  /** The signature does not match the secret (or the claims were changed after signing). */
  | 'token-bad-signature'
  /** The token was valid once and has expired. */
  | 'token-expired'
  /** The header names an algorithm other than HS256 (`"alg": "none"` included). */
  | 'token-wrong-algorithm';

export class TokenError extends HandsetError {
  /** The token's own reason; `code` is core's `unauthenticated`. */
  readonly reason: TokenErrorReason;

  constructor(reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super('unauthenticated', message, options);
    this.reason = reason;
  }
}
