// The server entry's tokens are @handset/token's: one compact JWT (HS256) format for both transports.
import * as shared from '@handset/token';
import { describe, expect, it } from 'vitest';
import { createToken, TokenError, verifyToken } from '../src/server/index.js';
import { AUTH_ERROR_CODES, isAuthErrorCode } from '../src/signaling-error.js';

describe('server tokens', () => {
  it('are the shared @handset/token implementation', () => {
    expect(createToken).toBe(shared.createToken);
    expect(verifyToken).toBe(shared.verifyToken);
    expect(TokenError).toBe(shared.TokenError);
  });

  it('are compact HS256 JWTs, not the old v1 format', () => {
    const [header] = createToken('alice', 'a-test-secret-of-enough-length', 60).split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });

  it('have every refusal reason among the auth codes the client stops on', () => {
    const reasons: shared.TokenErrorReason[] = [
      'token-malformed',
      'token-bad-signature',
      'token-expired',
      'token-wrong-algorithm',
      'token-not-yet-valid',
      'token-lifetime-too-long',
    ];
    for (const reason of reasons) expect(isAuthErrorCode(reason)).toBe(true);
    expect(AUTH_ERROR_CODES).toHaveLength(reasons.length);
  });
});
