import { createHmac } from 'node:crypto';
import { HandsetError } from '@handset/core';
import { describe, expect, it } from 'vitest';
import { createToken, verifyToken } from '../src/server/token.js';

const secret = 'a-test-secret-of-enough-length';

describe('tokens', () => {
  it('verify to the user id they were created for', () => {
    const result = verifyToken(createToken('alice', secret, 60), secret);
    expect(result).toMatchObject({ ok: true, userId: 'alice' });
  });

  it('are refused as expired once their ttl has passed', () => {
    const token = createToken('alice', secret, 60, 1_000_000);
    const result = verifyToken(token, secret, 1_000_000 + 61_000);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.reason).toBe('token-expired');
  });

  it('are refused with bad-signature under another secret', () => {
    const result = verifyToken(createToken('alice', secret, 60), 'another-secret-of-enough-length');
    expect(!result.ok && result.error.reason).toBe('token-bad-signature');
  });

  it('are refused with bad-signature when the payload was changed to another user', () => {
    const [version, , signature] = createToken('alice', secret, 60).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', exp: 4_000_000_000 })).toString('base64url');
    const result = verifyToken(`${version}.${forged}.${signature}`, secret);
    expect(!result.ok && result.error.reason).toBe('token-bad-signature');
  });

  it.each([
    ['an empty string', ''],
    ['two parts', 'v1.abc'],
    ['an unknown version', 'v2.abc.def'],
    ['non-base64url characters', 'v1.a+b.c/d'],
    ['a truncated signature', `${createToken('alice', secret, 60).slice(0, -10)}`],
  ])('are refused when they are %s', (_label, token) => {
    const result = verifyToken(token, secret);
    expect(result.ok).toBe(false);
    expect(!result.ok && ['token-malformed', 'token-bad-signature']).toContain(
      !result.ok && result.error.reason,
    );
  });

  it('are refused as malformed when a correctly signed payload is not JSON', () => {
    // Only the secret's holder can produce this; verify still answers with a typed error, not a throw.
    const body = `v1.${Buffer.from('not json').toString('base64url')}`;
    const signature = createHmac('sha256', secret).update(body).digest('base64url');
    const result = verifyToken(`${body}.${signature}`, secret);
    expect(!result.ok && result.error.reason).toBe('token-malformed');
  });

  it('cannot be created for an id the protocol refuses, nor with a short secret', () => {
    expect(() => createToken('a/b', secret, 60)).toThrow(HandsetError);
    expect(() => createToken('alice', 'short', 60)).toThrow(HandsetError);
    expect(() => createToken('alice', secret, 0)).toThrow(HandsetError);
  });
});
