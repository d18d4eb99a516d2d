import { HandsetError } from '@handset/core';
import { turnCredentials } from '@handset/token';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 0, 1);
const BASE = { secret: 'north-wind-secret', userId: 'alice', ttlSeconds: 60, urls: ['turn:127.0.0.1:3478'] };

describe('turnCredentials', () => {
  it('gives the TURN REST API pair: username <expiry>:<userId>, credential base64(HMAC-SHA1(secret, username))', () => {
    // Vector from openssl: echo -n "1767225660:alice" | openssl dgst -sha1 -hmac north-wind-secret -binary | base64
    expect(turnCredentials({ ...BASE, now: NOW })).toEqual([
      {
        urls: ['turn:127.0.0.1:3478'],
        username: '1767225660:alice',
        credential: 'ZzxVmcrlp97tBdL/ZdYSkW6N4C4=',
      },
    ]);
  });

  it('expires ttlSeconds after now, in whole unix seconds', () => {
    const [server] = turnCredentials({ ...BASE, ttlSeconds: 3600, now: NOW + 999 });
    expect(server?.username).toBe(`${NOW / 1000 + 3600}:alice`);
  });

  it.each([
    ['a user id with ":"', { userId: 'a:b' }],
    ['a user id the protocol refuses', { userId: 'has space' }],
    ['a ttl under a minute', { ttlSeconds: 59 }],
    ['a ttl over a week', { ttlSeconds: 7 * 24 * 3600 + 1 }],
    ['a fractional ttl', { ttlSeconds: 90.5 }],
    ['no urls', { urls: [] }],
    ['a stun: url', { urls: ['stun:127.0.0.1:3478'] }],
    ['an empty secret', { secret: '' }],
  ])('refuses %s with invalid-argument', (_what, change) => {
    const attempt = () => turnCredentials({ ...BASE, ...change });
    expect(attempt).toThrow(HandsetError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
