import { createToken, verifyToken } from '@handset/adapter-mqtt/broker';
import { HandsetError } from '@handset/core';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-secret-of-enough-bytes';
const NOW = Date.UTC(2026, 0, 1);

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('broker tokens', () => {
  it('binds a user id until it expires', () => {
    const token = createToken('alice', SECRET, 60, NOW);
    expect(verifyToken(token, SECRET, NOW + 59_000)).toEqual({
      ok: true,
      userId: 'alice',
      expiresAt: NOW + 60_000,
    });
  });

  it('is a compact HS256 JWT with sub and exp claims (what EMQX verifies)', () => {
    const [header, payload] = createToken('alice', SECRET, 60, NOW).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      sub: 'alice',
      exp: NOW / 1000 + 60,
    });
  });

  it('refuses an expired token', () => {
    const token = createToken('alice', SECRET, 60, NOW);
    expect(verifyToken(token, SECRET, NOW + 60_000)).toMatchObject({
      ok: false,
      error: { code: 'bad-credentials' },
    });
  });

  it('refuses a token signed with another secret', () => {
    const token = createToken('alice', 'another-secret-of-bytes', 60, NOW);
    expect(verifyToken(token, SECRET, NOW)).toMatchObject({ ok: false, error: { code: 'bad-credentials' } });
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [header, , signature] = createToken('alice', SECRET, 60, NOW).split('.');
    const forged = `${header}.${part({ sub: 'mallory', exp: NOW / 1000 + 60 })}.${signature}`;
    expect(verifyToken(forged, SECRET, NOW)).toMatchObject({ ok: false, error: { code: 'bad-credentials' } });
  });

  it('refuses an unsigned token ("alg": "none")', () => {
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', exp: NOW / 1000 + 60 })}.`;
    expect(verifyToken(unsigned, SECRET, NOW)).toMatchObject({
      ok: false,
      error: { code: 'bad-credentials' },
    });
  });

  it('refuses garbage, an empty string and an oversize token without throwing', () => {
    for (const token of ['', 'x', 'a.b', 'a.b.c.d', '!!.??.##', 'x'.repeat(5000)]) {
      expect(verifyToken(token, SECRET, NOW)).toMatchObject({
        ok: false,
        error: { code: 'bad-credentials' },
      });
    }
  });

  it('refuses to create a token for an id that cannot be a topic level, or with a bad ttl or secret', () => {
    expect(() => createToken('a+b', SECRET, 60)).toThrow(HandsetError);
    expect(() => createToken('a/b', SECRET, 60)).toThrow(HandsetError);
    expect(() => createToken('alice', SECRET, 0)).toThrow(HandsetError);
    expect(() => createToken('alice', 'short', 60)).toThrow(HandsetError);
  });
});
