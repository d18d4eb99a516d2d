// The one error a signaling transport reports, whatever its wire (WebSocket, MQTT, in memory): a closed
// reason, whether retrying can help, and core's umbrella code so an app can branch on `code` alone.
import { HandsetError } from './errors.js';

/** Every reason a transport reports on `errors$`; the README's transport-error table lists each. */
export type TransportErrorReason =
  /** The credentials were refused: malformed, badly signed, expired or wrong-algorithm token. */
  | 'token-refused'
  /** The token is valid but names another user than the transport's (or the phone's) user id. */
  | 'token-wrong-user'
  /** The token supplier threw, or returned something that is not a non-empty string. */
  | 'token-unavailable'
  /** The options can never work (a URL that is not a URL, an empty token, a bad client id). */
  | 'invalid-configuration'
  /** A connection attempt failed: nothing listening, not a signaling server, TLS or network error. */
  | 'connect-failed'
  /** The server or broker refused the link for a limit (too many connections, rate, slow reader). */
  | 'refused-by-server'
  /** A message was refused by the server or broker (rate limit, not in call, ACL); the link stays. */
  | 'message-refused'
  /** Envelopes were dropped because the outgoing queue was full while the link was down. */
  | 'queue-overflow'
  /** The server is shutting down or restarting; the link reconnects. */
  | 'server-shutdown'
  /** The reconnect policy gave up: the transport is closed. */
  | 'reconnect-gave-up';

const PERMANENT: ReadonlySet<TransportErrorReason> = new Set([
  'token-refused',
  'token-wrong-user',
  'invalid-configuration',
  'reconnect-gave-up',
]);

export interface TransportErrorOptions {
  cause?: unknown;
  /** The wire's own code (a WebSocket close/error code, an MQTT reason code), for logs. */
  wireCode?: string | number;
}

export class TransportError extends HandsetError {
  override readonly name: string = 'TransportError';
  readonly reason: TransportErrorReason;
  /** True when retrying with the same options cannot help: the transport closes. */
  readonly permanent: boolean;
  readonly wireCode: string | number | undefined;

  constructor(reason: TransportErrorReason, message: string, options: TransportErrorOptions = {}) {
    super(
      reason === 'token-refused' || reason === 'token-wrong-user' ? 'unauthenticated' : 'transport',
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
    this.permanent = PERMANENT.has(reason);
    this.wireCode = options.wireCode;
  }

  static of(reason: TransportErrorReason, message: string, options?: TransportErrorOptions): TransportError {
    return new TransportError(reason, message, options);
  }
}

export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}
