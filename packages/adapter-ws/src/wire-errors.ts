// How the WebSocket wire's refusals (server error-frame codes, close codes) become core's TransportError,
// the one error type an app receives from a transport. The table in core's README mirrors this mapping.
import { TransportError, type TransportErrorReason } from '@handset/core';
import { CLOSE_CODES } from './close-codes.js';
import { isAuthErrorCode } from './signaling-error.js';

/** Error-frame codes that refuse the link itself (the server closes it after saying so). */
const LINK_REFUSALS: ReadonlySet<string> = new Set([
  'too-many-connections',
  'handshake-required',
  'handshake-timeout',
  'too-many-bad-frames',
  'server-busy',
  'slow-consumer',
  'cluster-unavailable',
]);

/** The reason a server error-frame code maps to; unknown codes (a newer server) are message refusals. */
export function reasonOfErrorCode(code: string): TransportErrorReason {
  if (isAuthErrorCode(code)) return 'token-refused';
  if (code === 'server-shutdown') return 'server-shutdown';
  if (LINK_REFUSALS.has(code)) return 'refused-by-server';
  return 'message-refused';
}

/** A server error frame as the TransportError an app sees, keeping the server's code as `wireCode`. */
export function transportErrorOfFrame(code: string, message: string): TransportError {
  return TransportError.of(reasonOfErrorCode(code), message, { wireCode: code });
}

/** The reason a close code maps to when no error frame said why (the frame may have been lost). */
export function reasonOfCloseCode(code: number): TransportErrorReason | null {
  switch (code) {
    case CLOSE_CODES.authRefused:
      return 'token-refused';
    case CLOSE_CODES.policyViolation:
    case CLOSE_CODES.messageTooBig:
    case CLOSE_CODES.tryAgainLater:
    case CLOSE_CODES.slowConsumer:
      return 'refused-by-server';
    case CLOSE_CODES.serviceRestart:
    case CLOSE_CODES.goingAway:
      return 'server-shutdown';
    default:
      return null;
  }
}
