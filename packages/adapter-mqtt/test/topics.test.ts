import { createTopicLayout, isTopicSafeId } from '@handset/adapter-mqtt';
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

  it('accepts only ids that are safe as one topic level', () => {
    expect(isTopicSafeId('alice.smith@example-1')).toBe(true);
    for (const id of ['', 'a/b', 'a+b', 'a#', 'a b', 'é', 'x'.repeat(129), 42, null]) {
      expect(isTopicSafeId(id)).toBe(false);
    }
  });
});
