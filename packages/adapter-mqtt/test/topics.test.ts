import { clientIdOf, createTopicLayout, isClientIdOf } from '@handset/adapter-mqtt';
import { isValidId } from '@handset/core';
import { describe, expect, it } from 'vitest';

describe('the topic layout', () => {
  const topics = createTopicLayout();

  it('puts everything under the versioned prefix', () => {
    expect(topics.inbox('bob', 'alice')).toBe('handset/v1/u/bob/inbox/alice');
    expect(topics.inboxFilter('bob')).toBe('handset/v1/u/bob/inbox/+');
    expect(topics.presence('bob', 'phone')).toBe('handset/v1/u/bob/presence/phone');
    expect(topics.presenceFilter('bob')).toBe('handset/v1/u/bob/presence/+');
  });

  it('reads back the topics it builds', () => {
    expect(topics.parse(topics.inbox('bob', 'alice'))).toEqual({
      kind: 'inbox',
      userId: 'bob',
      senderId: 'alice',
    });
    expect(topics.parse(topics.presence('bob', 'phone'))).toEqual({
      kind: 'presence',
      userId: 'bob',
      deviceId: 'phone',
    });
  });

  it('reads anything else as null', () => {
    for (const topic of [
      'handset/v1/u/bob/inbox',
      'handset/v1/u/bob/inbox/alice/extra',
      'handset/v1/u/+/inbox/alice',
      'handset/v1/u/bob/other/alice',
      'handset/v2/u/bob/inbox/alice',
      '$SYS/broker',
      '',
    ]) {
      expect(topics.parse(topic)).toBeNull();
    }
  });

  it('takes another prefix', () => {
    expect(createTopicLayout('acme/calls/v1').inbox('bob', 'alice')).toBe('acme/calls/v1/u/bob/inbox/alice');
  });

  it("uses the protocol's own id rule, which keeps every id one safe topic level", () => {
    expect(isValidId('alice.smith@example-1')).toBe(true);
    for (const id of ['', 'a/b', 'a+b', 'a#', 'a b', 'é', 'x'.repeat(129), 42, null]) {
      expect(isValidId(id)).toBe(false);
    }
  });

  it("reads a presence level that is a client id, even past an id's length", () => {
    const user = 'u'.repeat(128);
    const clientId = clientIdOf(user, 'd'.repeat(64));
    expect(topics.parse(topics.presence(user, clientId))).toEqual({
      kind: 'presence',
      userId: user,
      deviceId: clientId,
    });
    // Another user's client id is no device of this user, and is too long to be a plain id.
    expect(topics.parse(topics.presence('bob', clientId))).toBeNull();
  });

  it("reads a connection's ice topic only when its level is a client id of that user", () => {
    expect(topics.ice('bob', 'bob:phone')).toBe('handset/v1/u/bob/ice/bob:phone');
    expect(topics.parse(topics.ice('bob', 'bob:phone'))).toEqual({
      kind: 'ice',
      userId: 'bob',
      clientId: 'bob:phone',
    });
    for (const topic of [
      'handset/v1/u/bob/ice/alice:phone',
      'handset/v1/u/bob/ice/phone',
      'handset/v1/u/bob/ice/+',
      'handset/v1/u/bob/ice',
    ]) {
      expect(topics.parse(topic)).toBeNull();
    }
  });
});

describe('the client id rule', () => {
  it('is <userId>:<device>, the device 1-64 of A-Za-z0-9_-', () => {
    expect(isClientIdOf('alice:phone_1-X', 'alice')).toBe(true);
    expect(isClientIdOf(clientIdOf('a:b', 'dev'), 'a:b')).toBe(true);
    for (const clientId of [
      'alice',
      'alice:',
      'bob:phone',
      'alice:ph one',
      'alice:ph/one',
      `alice:${'x'.repeat(65)}`,
      42,
      null,
    ])
      expect(isClientIdOf(clientId, 'alice')).toBe(false);
  });
});
