import { createHmac } from 'node:crypto';
import { HandsetError } from '@handset/core';
import { createToken, TokenError, verifyToken } from '@handset/token';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-secret-of-enough-bytes';
const NOW = Date.UTC(2026, 0, 1);

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (body: string) => `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
const HS256 = part({ alg: 'HS256', typ: 'JWT' });

function reasonOf(token: string, now = NOW): string | null {
  const result = verifyToken(token, SECRET, now);
  return result.ok ? null : result.error.reason;
}

describe('tokens', () => {
  it('bind a user id until they expire', () => {
    const token = createToken('alice', SECRET, 60, NOW);
    expect(verifyToken(token, SECRET, NOW + 59_000)).toEqual({
      ok: true,
      userId: 'alice',
      expiresAt: NOW + 60_000,
    });
  });

  it('are compact HS256 JWTs with sub, iat and exp claims (what EMQX verifies)', () => {
    const [header, payload] = createToken('alice', SECRET, 60, NOW).split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toEqual({
      sub: 'alice',
      iat: NOW / 1000,
      exp: NOW / 1000 + 60,
    });
  });

  it('accept a secret given as bytes the same as the equal string', () => {
    const token = createToken('alice', Buffer.from(SECRET), 60, NOW);
    expect(verifyToken(token, SECRET, NOW)).toMatchObject({ ok: true, userId: 'alice' });
  });

  it('are refused as token-expired once their ttl has passed', () => {
    expect(reasonOf(createToken('alice', SECRET, 60, NOW), NOW + 60_000)).toBe('token-expired');
  });

  it('report refusals as a TokenError, which is a HandsetError', () => {
    const result = verifyToken('x', SECRET, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(TokenError);
    expect(result.error).toBeInstanceOf(HandsetError);
    expect(result.error.code).toBe('unauthenticated');
  });

  it('are refused as token-bad-signature under another secret', () => {
    expect(reasonOf(createToken('alice', 'another-secret-of-bytes', 60, NOW))).toBe('token-bad-signature');
  });

  it('are refused as token-bad-signature when the claims were changed after signing', () => {
    const [header, , signature] = createToken('alice', SECRET, 60, NOW).split('.');
    expect(reasonOf(`${header}.${part({ sub: 'mallory', exp: NOW / 1000 + 60 })}.${signature}`)).toBe(
      'token-bad-signature',
    );
  });

  it('are refused as token-bad-signature when the signature is truncated', () => {
    expect(reasonOf(createToken('alice', SECRET, 60, NOW).slice(0, -10))).toBe('token-bad-signature');
  });

  it('are refused as token-wrong-algorithm when unsigned ("alg": "none")', () => {
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', exp: NOW / 1000 + 60 })}.`;
    // The empty signature already fails the shape check; with any signature the algorithm is refused.
    expect(reasonOf(unsigned)).toBe('token-malformed');
    expect(reasonOf(`${unsigned}AAAA`)).toBe('token-wrong-algorithm');
  });

  it('are refused as token-wrong-algorithm when the header asks for HS512', () => {
    expect(
      reasonOf(signed(`${part({ alg: 'HS512', typ: 'JWT' })}.${part({ sub: 'alice', exp: 4e9 })}`)),
    ).toBe('token-wrong-algorithm');
  });

  it('are refused as token-wrong-algorithm when the header is not JSON', () => {
    expect(
      reasonOf(signed(`${Buffer.from('nope').toString('base64url')}.${part({ sub: 'a', exp: 4e9 })}`)),
    ).toBe('token-wrong-algorithm');
  });

  it.each([
    ['an empty string', ''],
    ['one part', 'x'],
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['non-base64url characters', '!!.??.##'],
    ['the old v1 format', 'v1.abc.def+'],
    ['longer than 4096 characters', 'x'.repeat(5000)],
  ])('are refused as token-malformed when they are %s, without throwing', (_label, token) => {
    expect(reasonOf(token)).toBe('token-malformed');
  });

  it('are refused as token-malformed when they are not a string at all', () => {
    expect(reasonOf(42 as unknown as string)).toBe('token-malformed');
  });

  it('are refused as token-malformed when correctly signed claims are not JSON', () => {
    expect(reasonOf(signed(`${HS256}.${Buffer.from('not json').toString('base64url')}`))).toBe(
      'token-malformed',
    );
  });

  it.each([
    ['no sub', { exp: 4e9 }],
    ['a sub the protocol refuses', { sub: 'a/b', exp: 4e9 }],
    ['a numeric sub', { sub: 7, exp: 4e9 }],
    ['no exp', { sub: 'alice' }],
    ['a string exp', { sub: 'alice', exp: '4000000000' }],
  ])('are refused as token-malformed when correctly signed claims have %s', (_label, claims) => {
    expect(reasonOf(signed(`${HS256}.${part(claims)}`))).toBe('token-malformed');
  });

  it('cannot be created for an id the protocol refuses, with a bad ttl, or with a short secret', () => {
    for (const id of ['', 'a/b', 'a+b', 'a#b', 'a b', 'x'.repeat(129)]) {
      expect(() => createToken(id, SECRET, 60)).toThrow(HandsetError);
    }
    expect(() => createToken('alice', SECRET, 0)).toThrow(HandsetError);
    expect(() => createToken('alice', SECRET, Number.NaN)).toThrow(HandsetError);
    expect(() => createToken('alice', 'short', 60)).toThrow(/at least 16 bytes/);
  });

  it('throws on a short secret when verifying: that is the server misconfigured, not a bad token', () => {
    expect(() => verifyToken('x', 'short')).toThrow(HandsetError);
  });
});

describe('token lifetimes and clocks', () => {
  const seconds = NOW / 1000;
  const claimsToken = (claims: Record<string, unknown>) => signed(`${HS256}.${part(claims)}`);
  const policyReason = (token: string, policy: Parameters<typeof verifyToken>[3]) => {
    const result = verifyToken(token, SECRET, NOW, policy);
    return result.ok ? null : result.error.reason;
  };

  it('are refused as token-lifetime-too-long when correctly signed with exp 1e300', () => {
    expect(reasonOf(claimsToken({ sub: 'alice', iat: seconds, exp: 1e300 }))).toBe('token-lifetime-too-long');
  });

  it('are refused as token-lifetime-too-long without iat when exp is further away than the cap', () => {
    expect(reasonOf(claimsToken({ sub: 'alice', exp: seconds + 8 * 24 * 3600 }))).toBe(
      'token-lifetime-too-long',
    );
  });

  it('are refused as token-lifetime-too-long when exp - iat exceeds the cap, even if little is left', () => {
    const old = { sub: 'alice', iat: seconds - 30 * 24 * 3600, exp: seconds + 3600 };
    expect(reasonOf(claimsToken(old))).toBe('token-lifetime-too-long');
  });

  it('live up to 7 days by default (the demo and dev tokens live 24 h)', () => {
    expect(reasonOf(createToken('alice', SECRET, 7 * 24 * 3600, NOW))).toBeNull();
    expect(reasonOf(createToken('alice', SECRET, 24 * 3600, NOW))).toBeNull();
    expect(reasonOf(createToken('alice', SECRET, 7 * 24 * 3600 + 1, NOW))).toBe('token-lifetime-too-long');
  });

  it('take the lifetime cap from the policy', () => {
    const day = createToken('alice', SECRET, 24 * 3600, NOW);
    expect(policyReason(day, { maxLifetimeSeconds: 3600 })).toBe('token-lifetime-too-long');
    const month = createToken('alice', SECRET, 30 * 24 * 3600, NOW);
    expect(policyReason(month, { maxLifetimeSeconds: 31 * 24 * 3600 })).toBeNull();
  });

  it('are refused as token-not-yet-valid when nbf is beyond the clock-skew allowance', () => {
    const early = { sub: 'alice', iat: seconds, nbf: seconds + 120, exp: seconds + 3600 };
    expect(reasonOf(claimsToken(early))).toBe('token-not-yet-valid');
  });

  it('accept an nbf or iat within the clock-skew allowance (an issuer clock 30 s fast)', () => {
    const skewed = { sub: 'alice', iat: seconds + 30, nbf: seconds + 30, exp: seconds + 3600 };
    expect(reasonOf(claimsToken(skewed))).toBeNull();
  });

  it('are refused as token-not-yet-valid when iat is in the future beyond the allowance', () => {
    const future = { sub: 'alice', iat: seconds + 600, exp: seconds + 3600 };
    expect(reasonOf(claimsToken(future))).toBe('token-not-yet-valid');
  });

  it('take the clock-skew allowance from the policy', () => {
    const skewed = claimsToken({ sub: 'alice', iat: seconds + 30, exp: seconds + 3600 });
    expect(policyReason(skewed, { clockSkewSeconds: 0 })).toBe('token-not-yet-valid');
    expect(policyReason(skewed, { clockSkewSeconds: 60 })).toBeNull();
  });

  it.each([
    ['a string iat', { sub: 'alice', iat: 'now', exp: seconds + 60 }],
    ['a string nbf', { sub: 'alice', nbf: 'now', exp: seconds + 60 }],
    ['a null nbf', { sub: 'alice', nbf: null, exp: seconds + 60 }],
  ])('are refused as token-malformed when correctly signed claims have %s', (_label, claims) => {
    expect(reasonOf(claimsToken(claims))).toBe('token-malformed');
  });

  it('throw on a policy that makes no sense: that is the server misconfigured', () => {
    const token = createToken('alice', SECRET, 60, NOW);
    expect(() => verifyToken(token, SECRET, NOW, { maxLifetimeSeconds: 0 })).toThrow(HandsetError);
    expect(() => verifyToken(token, SECRET, NOW, { clockSkewSeconds: -1 })).toThrow(HandsetError);
    expect(() => verifyToken(token, SECRET, NOW, { maxLifetimeSeconds: Number.NaN })).toThrow(HandsetError);
  });
});
