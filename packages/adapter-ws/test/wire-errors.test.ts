// How the WebSocket wire's refusals become TransportError reasons: each error code and close code a
// server sends maps to one reason (the table in core's README mirrors this).
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../src/close-codes.js';
import { AUTH_ERROR_CODES } from '../src/signaling-error.js';
import { reasonOfCloseCode, reasonOfErrorCode } from '../src/wire-errors.js';

describe('the WebSocket wire errors', () => {
  it('maps every token refusal to token-refused', () => {
    for (const code of AUTH_ERROR_CODES) expect(reasonOfErrorCode(code)).toBe('token-refused');
  });

  it('maps refusals of the link itself to refused-by-server, and shutdown to server-shutdown', () => {
    for (const code of [
      'too-many-connections',
      'handshake-required',
      'handshake-timeout',
      'too-many-bad-frames',
      'server-busy',
      'slow-consumer',
      'cluster-unavailable',
    ])
      expect(reasonOfErrorCode(code)).toBe('refused-by-server');
    expect(reasonOfErrorCode('server-shutdown')).toBe('server-shutdown');
  });

  it('maps refusals of one message, and codes it does not know, to message-refused', () => {
    for (const code of [
      'rate-limited',
      'not-in-call',
      'invalid-envelope',
      'device-mismatch',
      'a-code-from-a-newer-server',
    ])
      expect(reasonOfErrorCode(code)).toBe('message-refused');
  });

  it('maps close codes without an error frame', () => {
    expect(reasonOfCloseCode(CLOSE_CODES.authRefused)).toBe('token-refused');
    for (const code of [
      CLOSE_CODES.policyViolation,
      CLOSE_CODES.messageTooBig,
      CLOSE_CODES.tryAgainLater,
      CLOSE_CODES.slowConsumer,
    ])
      expect(reasonOfCloseCode(code)).toBe('refused-by-server');
    for (const code of [CLOSE_CODES.serviceRestart, CLOSE_CODES.goingAway])
      expect(reasonOfCloseCode(code)).toBe('server-shutdown');
    for (const code of [CLOSE_CODES.normal, CLOSE_CODES.sessionTakenOver, 1006])
      expect(reasonOfCloseCode(code)).toBeNull();
  });
});
