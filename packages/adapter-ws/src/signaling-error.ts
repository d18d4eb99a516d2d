// The WebSocket server's refusals (auth, limits, call membership) as one closed set of codes: what its error
// frames and close reasons carry. The client transport reports them to apps as core's TransportError
// (`wireCode` keeps the code; see wire-errors.ts).
import { HandsetError } from '@handset/core';
// A type-only import: the client stays free of the token package's Node crypto.
import type { TokenErrorReason } from '@handset/token';

/** Every code of the server's error frames and startup errors (a few are kept for older clients' logs). */
export type SignalingErrorCode =
  /** Every reason @handset/token refuses a token (malformed, bad signature, expired, ...). */
  | TokenErrorReason
  /** The token's `nbf` or `iat` is in the future (beyond the clock-skew allowance). */
  | 'token-not-yet-valid'
  /** The token's lifetime exceeds what the server accepts (`maxLifetimeSeconds`, default 7 days). */
  | 'token-lifetime-too-long'
  /** The first frame was not a `hello` with a token. */
  | 'handshake-required'
  /** No `hello` arrived within the server's handshake timeout. */
  | 'handshake-timeout'
  /** The user already has as many connections as the server allows. */
  | 'too-many-connections'
  /** The connection sends faster than the server's rate limit; the message was dropped. */
  | 'rate-limited'
  /** The connection sent more bad frames than the server allows (`badFramesBeforeClose`); closed with 1008. */
  | 'too-many-bad-frames'
  /** The server holds too many connections waiting to log in; this one was evicted (close 1013). */
  | 'server-busy'
  /** The client did not read what the server sent; closed with 4008. */
  | 'slow-consumer'
  /** The envelope names a call the sender (or the addressee) is not part of. */
  | 'not-in-call'
  /** A frame that is JSON with a `kind` the control protocol does not know, or wrong fields. */
  | 'invalid-control-frame'
  /** A call envelope the protocol refused (see `protocolCode` in the frame's message). */
  | 'malformed-json'
  | 'invalid-envelope'
  | 'unsupported-version'
  | 'unknown-type'
  | 'oversize'
  /** The server is shutting down or restarting. */
  | 'server-shutdown'
  /** The client gave up reconnecting (its reconnect policy returned null). */
  | 'reconnect-gave-up'
  /** The client dropped a queued envelope because its queue was full. */
  | 'queue-overflow'
  /** The WebSocket could not even be created (bad URL, no WebSocket constructor). */
  | 'connect-failed'
  /** The token supplier threw or returned something that is not a string. */
  | 'token-unavailable'
  /** The server runs in Node only (the `browser` build of `@handset/adapter-ws/server`). */
  | 'server-not-in-browser'
  /** startSignalServer: another process already listens on the configured host and port. */
  | 'address-in-use'
  /** startSignalServer: the configured address cannot be bound (not local, no permission). */
  | 'listen-failed'
  /** An envelope's `fromDevice` differs from the device id this session is bound to (its first one). */
  | 'device-mismatch'
  /** An envelope's `fromDevice` is one the server keeps for itself (`server`, `broker`, `network`). */
  | 'reserved-device'
  /** The cluster's Redis is unreachable: a new login is refused at once (close 1013); try again later. */
  | 'cluster-unavailable';

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
