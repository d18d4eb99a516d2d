// The WebSocket server's refusals (auth, limits, call membership) as one closed set of codes: what its error
// frames and close reasons carry. The client transport reports them to apps as core's TransportError
// (`wireCode` keeps the code; see wire-errors.ts).
import { HandsetError } from '@handset/core';
// A type-only import: the client stays free of the token package's Node crypto.
import type { TokenErrorReason } from '@handset/token';

/**
 * Every code of the server's error frames and startup errors besides the token's own reasons, with what it
 * means (the README's error table is checked against this and `TokenErrorReason`).
 */
export const SIGNALING_ERROR_CODES = {
  'handshake-required': 'The first frame was not a `hello` with a token.',
  'handshake-timeout': "No `hello` arrived within the server's handshake timeout.",
  'too-many-connections': 'The user already has as many connections as the server allows.',
  'rate-limited': "The connection sends faster than the server's rate limit; the message was dropped.",
  'too-many-bad-frames':
    'The connection sent more bad frames than the server allows (`badFramesBeforeClose`); closed with 1008.',
  'server-busy':
    'The server holds too many connections waiting to log in; this one was evicted (close 1013).',
  'slow-consumer': 'The client did not read what the server sent; closed with 4008.',
  'not-in-call': 'The envelope names a call the sender (or the addressee) is not part of.',
  'invalid-control-frame':
    'A frame that is JSON with a `kind` the control protocol does not know, or wrong fields.',
  // A call envelope the protocol refused: core's protocol error codes, passed through.
  'malformed-json': "Core's protocol error (binary frames too).",
  'invalid-envelope': "Core's protocol error.",
  'unsupported-version': "Core's protocol error.",
  'unknown-type': "Core's protocol error.",
  oversize: "Core's protocol error.",
  'server-shutdown': 'The server is shutting down or restarting.',
  'server-not-in-browser':
    'The server runs in Node only (the `browser` build of `@handset/adapter-ws/server`).',
  'address-in-use': 'startSignalServer: another process already listens on the configured host and port.',
  'listen-failed': 'startSignalServer: the configured address cannot be bound (not local, no permission).',
  'device-mismatch':
    "An envelope's `fromDevice` differs from the device id this session is bound to (its first one).",
  'reserved-device':
    "An envelope's `fromDevice` is one the server keeps for itself (`server`, `broker`, `network`).",
  'cluster-unavailable':
    "The cluster's Redis is unreachable: a new login is refused at once (close 1013); try again later.",
} as const;

/** Every reason @handset/token refuses a token (malformed, bad signature, expired, ...), and the server's own. */
export type SignalingErrorCode = TokenErrorReason | keyof typeof SIGNALING_ERROR_CODES;

/** Codes that mean the server will not accept these credentials: the client stops instead of retrying. */
export const AUTH_ERROR_CODES: readonly SignalingErrorCode[] = [
  'token-malformed',
  'token-bad-signature',
  'token-expired',
  'token-wrong-algorithm',
  'token-not-yet-valid',
  'token-lifetime-too-long',
];

export function isAuthErrorCode(code: string): boolean {
  return (AUTH_ERROR_CODES as readonly string[]).includes(code);
}

/** An error of the WebSocket adapter, with a code from `SignalingErrorCode`. */
export class SignalingError extends HandsetError {
  /** The adapter's reason; `code` is core's umbrella code `transport`. */
  readonly reason: SignalingErrorCode;

  constructor(reason: SignalingErrorCode, message: string, options?: { cause?: unknown }) {
    super('transport', message, options);
    this.reason = reason;
  }

  static of(reason: SignalingErrorCode, message: string, cause?: unknown): SignalingError {
    return new SignalingError(reason, message, { cause });
  }
}
