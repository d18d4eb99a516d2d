// The broker entry's tokens are @handset/token's (one format for both transports); the broker turns a
// token refusal into its own `bad-credentials` refusal and logs the token's reason.
import { createTopicLayout } from '@handset/adapter-mqtt';
import {
  BrokerRefusal,
  createAccessControl,
  createToken,
  TokenError,
  verifyToken,
} from '@handset/adapter-mqtt/broker';
import * as shared from '@handset/token';
import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-secret-of-enough-bytes';
const NOW = Date.UTC(2026, 0, 1);

function login(password: string) {
  const logs: { event: string; fields?: Record<string, unknown> }[] = [];
  const control = createAccessControl({
    layout: createTopicLayout(),
    secret: SECRET,
    now: () => NOW,
    log: (_level, event, fields) => logs.push(fields ? { event, fields } : { event }),
  });
  let outcome: { error: unknown; ok: boolean | null } | undefined;
  control.authenticate({ id: 'alice:client-1' } as Client, 'alice', Buffer.from(password), (error, ok) => {
    outcome = { error, ok };
  });
  return { outcome, logs };
}

describe('broker tokens', () => {
  it('are the shared @handset/token implementation', () => {
    expect(createToken).toBe(shared.createToken);
    expect(verifyToken).toBe(shared.verifyToken);
    expect(TokenError).toBe(shared.TokenError);
  });

  it('log a client in when valid and issued to the username', () => {
    const { outcome } = login(createToken('alice', SECRET, 60, NOW));
    expect(outcome).toEqual({ error: null, ok: true });
  });

  it.each([
    ['expired', createToken('alice', SECRET, 60, NOW - 120_000), 'token-expired'],
    [
      'signed with another secret',
      createToken('alice', 'another-secret-of-bytes', 60, NOW),
      'token-bad-signature',
    ],
    ['garbage', 'not-a-token', 'token-malformed'],
  ])('refuse a token that is %s as bad-credentials, logging the reason %s', (_label, token, reason) => {
    const { outcome, logs } = login(token);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toBeInstanceOf(BrokerRefusal);
    expect(outcome?.error).toMatchObject({ code: 'bad-credentials', cause: { reason } });
    expect(logs).toContainEqual({
      event: 'auth-refused',
      fields: expect.objectContaining({ code: 'bad-credentials', reason: expect.stringContaining(reason) }),
    });
  });
});
