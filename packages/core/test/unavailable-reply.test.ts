// The one builder of the synthetic `unavailable` every network answers with.
import { describe, expect, it } from 'vitest';
import { createEnvelope, decodeEnvelope, encodeEnvelope, unavailableReplyTo } from '../src/index.js';

const ringing = createEnvelope(
  { type: 'ringing', callId: 'call-1', from: 'alice', fromDevice: 'a1', to: 'bob' },
  'msg-1',
);

describe('unavailableReplyTo', () => {
  it('answers for the addressee, to the sender, in the same call, naming who answered', () => {
    const reply = unavailableReplyTo(ringing, 'broker', 'msg-2');
    expect(reply).toEqual({
      v: ringing.v,
      id: 'msg-2',
      type: 'unavailable',
      callId: 'call-1',
      from: 'bob',
      fromDevice: 'broker',
      to: 'alice',
    });
    expect(decodeEnvelope(encodeEnvelope(reply!)).ok).toBe(true);
  });

  it('never answers an unavailable (two offline parties would loop)', () => {
    expect(unavailableReplyTo(unavailableReplyTo(ringing, 'network')!, 'network')).toBeNull();
  });
});
