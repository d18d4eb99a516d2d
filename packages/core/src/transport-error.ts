// The one error a signaling transport reports, whatever its wire (WebSocket, MQTT, in memory): a closed
// reason, whether retrying can help, and core's umbrella code so an app can branch on `code` alone.
import { HandsetError } from './errors.js';

/**
 * Every reason a transport reports on `errors$`, whether retrying can help, and what it means. The README's
 * transport-error table lists each (a test keeps the two in step).
 */
export const TRANSPORT_ERRORS = {
  'token-refused': {
    permanent: true,
    meaning: 'The credentials were refused: malformed, badly signed, expired or wrong-algorithm token.',
  },
  'token-wrong-user': {
    permanent: true,
    meaning: "The token is valid but names another user than the transport's `userId`.",
  },
  'token-unavailable': {
    permanent: false,
    meaning: 'The token function threw, or returned something that is not a non-empty string.',
  },
  'invalid-configuration': {
    permanent: true,
    meaning:
      'The options can never work: a URL that is not a URL, an empty token, a refused client id or inbox.',
  },
  'connect-failed': {
    permanent: false,
    meaning: 'A connection attempt failed: nothing listening, not a signaling server, no answer in time.',
  },
  'refused-by-server': {
    permanent: false,
    meaning: 'The server or broker refused or cut the link for a limit (connections, rate, slow reader).',
  },
  'message-refused': {
    permanent: false,
    meaning: 'One message was refused (rate limit, not in call, ACL); the link stays.',
  },
  'queue-overflow': {
    permanent: false,
    meaning: 'The oldest queued envelope was dropped: the queue was full while the link was down.',
  },
  'server-shutdown': {
    permanent: false,
    meaning: 'The server or broker is shutting down or restarting; the link reconnects.',
  },
  'reconnect-gave-up': {
    permanent: true,
    meaning: 'The reconnect policy gave up: the transport is closed.',
  },
} as const satisfies Record<string, { permanent: boolean; meaning: string }>;

export type TransportErrorReason = keyof typeof TRANSPORT_ERRORS;

/** Refused credentials are core's `unauthenticated`; every other reason is `transport`. */
export function codeOfTransportReason(reason: TransportErrorReason): 'unauthenticated' | 'transport' {
  return reason === 'token-refused' || reason === 'token-wrong-user' ? 'unauthenticated' : 'transport';
}

export interface TransportErrorOptions {
  cause?: unknown;
  /** The wire's own code (a WebSocket close/error code, an MQTT reason code), for logs. */
  wireCode?: string | number;
}

/** A failure of the signaling link or of one message, with its `reason` and whether it is `permanent`. */
export class TransportError extends HandsetError {
  override readonly name: string = 'TransportError';
  readonly reason: TransportErrorReason;
  /** True when retrying with the same options cannot help: the transport closes. */
  readonly permanent: boolean;
  readonly wireCode: string | number | undefined;

  constructor(reason: TransportErrorReason, message: string, options: TransportErrorOptions = {}) {
    super(
      codeOfTransportReason(reason),
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
    this.permanent = TRANSPORT_ERRORS[reason].permanent;
    this.wireCode = options.wireCode;
  }

  static of(reason: TransportErrorReason, message: string, options?: TransportErrorOptions): TransportError {
    return new TransportError(reason, message, options);
  }
}

export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}
