// A transport says `open` before it hands over any envelope of the connection it opened. Envelopes the broker
// held for a session arrive right after CONNACK, before the transport has subscribed and said it is online;
// a phone that heard them first would act on them as if its link were still down (its call, back from a
// broker restart, would answer the peer's ICE restart and then restart ICE again on hearing `open`).
import { ringingFrom, waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, startEmbeddedHarness } from './support/embedded-broker.js';
import { nextFrames, statusReached } from './support/frames.js';

describe('the MQTT transport after a reconnect', () => {
  let harness: EmbeddedHarness;
  const id = (name: string) => `${name}-${nanoid(6)}`;
  beforeEach(async () => {
    harness = await startEmbeddedHarness('tcp');
  });
  afterEach(() => harness.close());

  it('says open before it hands over what the broker held for its session while it was away', async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    const aliceTransport = await harness.connect(alice);
    const bobTransport = await harness.connect(bob, { reconnectPolicy: { nextRetryDelayMs: () => 300 } });
    await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
    const seen: string[] = [];
    bobTransport.status$.subscribe((status) => seen.push(`status ${status}`));
    bobTransport.incoming$.subscribe((frame) => seen.push(`frame ${JSON.parse(frame).callId}`));
    const callIds = ['call-1', 'call-2', 'call-3'];
    const away = statusReached(bobTransport, 'reconnecting');
    harness.dropConnection(bobTransport.clientId);
    await away;
    // Held by the broker for Bob's session (he reconnects 300 ms after the drop).
    for (const callId of callIds) aliceTransport.send(ringingFrom(alice, bob, callId));
    await nextFrames(bobTransport, callIds.length);
    expect(seen).toEqual([
      'status open',
      'status reconnecting',
      'status open',
      ...callIds.map((callId) => `frame ${callId}`),
    ]);
  });
});
