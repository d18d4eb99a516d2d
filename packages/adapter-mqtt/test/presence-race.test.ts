// Regression: a callee whose transport is `open` is never reported offline, however the caller's read of
// its retained presence interleaves with the broker. aedes writes retained messages a few event-loop turns
// after the SUBACK, so the answer to the caller's next request can overtake them: in Chromium 1 call in
// 20 ended `unavailable` while the callee was online, because one quiet round trip after the SUBACK was
// taken as "every retained presence has arrived".
import { Readable } from 'node:stream';
import type { MqttTransport } from '@handset/adapter-mqtt';
import { decodeEnvelope } from '@handset/core';
import { waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, map, race, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, startEmbeddedHarness } from './support/embedded-broker.js';
import { invite, WAIT_MS } from './support/frames.js';

/**
 * Connects a fresh caller and callee, waits until both are `open`, and sends an invite: resolves with
 * what came first, the invite at the callee or an `unavailable` at the caller. (An invite the caller's
 * transport takes for undeliverable is answered `unavailable` and never published, so exactly one of
 * the two happens.)
 */
async function callOnce(
  harness: EmbeddedHarness,
  callerOptions: { presenceSettleMs?: number } = {},
): Promise<'delivered' | 'unavailable'> {
  const suffix = nanoid(8);
  const [caller, callee] = [`caller-${suffix}`, `callee-${suffix}`];
  const transports: MqttTransport[] = await Promise.all([
    harness.connect(caller, callerOptions),
    harness.connect(callee),
  ]);
  const [callerTransport, calleeTransport] = transports as [MqttTransport, MqttTransport];
  try {
    await Promise.all([waitOpen(callerTransport), waitOpen(calleeTransport)]);
    const sent = invite(caller, callee);
    const outcome = firstValueFrom(
      race(
        calleeTransport.incoming$.pipe(
          filter((frame) => {
            const decoded = decodeEnvelope(frame);
            return decoded.ok && decoded.envelope.callId === sent.callId;
          }),
          map(() => 'delivered' as const),
        ),
        callerTransport.incoming$.pipe(
          filter((frame) => {
            const decoded = decodeEnvelope(frame);
            return decoded.ok && decoded.envelope.type === 'unavailable';
          }),
          map(() => 'unavailable' as const),
        ),
      ).pipe(timeout(WAIT_MS)),
    );
    callerTransport.send(sent);
    return await outcome;
  } finally {
    for (const transport of transports) transport.close();
    await Promise.all(transports.map((transport) => transport.ended));
  }
}

interface RetainedSource {
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/**
 * Makes the embedded broker write retained presence only after it has answered the subscriber's next
 * request (or after 100 ms if none comes): the order that occurs by chance when a fast client's round
 * trip overtakes aedes's retained delivery, here made to happen on every read.
 */
function holdRetainedPresence(harness: EmbeddedHarness): void {
  const aedes = harness.broker.aedes;
  const persistence = (aedes as unknown as { persistence: RetainedSource }).persistence;
  const original = persistence.createRetainedStreamCombi.bind(persistence);
  // aedes emits `subscribe` just before it opens the retained stream for that subscription.
  let subscriber = '';
  aedes.on('subscribe', (_subscriptions, client) => {
    subscriber = client.id;
  });
  persistence.createRetainedStreamCombi = (patterns) => {
    const source = original(patterns);
    if (!patterns.some((pattern) => pattern.includes('/presence/'))) return source;
    const clientId = subscriber;
    const released = new Promise<void>((resolve) => {
      const timer = setTimeout(done, 100);
      function onUnsubscribe(_topics: string[], client: { id: string }) {
        // aedes emits `unsubscribe` right after writing the UNSUBACK.
        if (client.id === clientId) done();
      }
      function done() {
        clearTimeout(timer);
        aedes.off('unsubscribe', onUnsubscribe);
        resolve();
      }
      aedes.on('unsubscribe', onUnsubscribe);
    });
    return Readable.from(
      (async function* () {
        await released;
        yield* source;
      })(),
    );
  };
}

describe('presence of a callee that just came online', () => {
  let harness: EmbeddedHarness;
  afterEach(() => harness?.close());

  describe('with retained presence written after the answer to the next request (embedded broker, tcp)', () => {
    beforeEach(async () => {
      harness = await startEmbeddedHarness('tcp');
      holdRetainedPresence(harness);
    });

    it('delivers every invite of 20 fresh pairs and answers none `unavailable`', async () => {
      const outcomes: string[] = [];
      // A long settle period: the held presence must be waited for, never outwaited.
      for (let pair = 0; pair < 20; pair += 1)
        outcomes.push(await callOnce(harness, { presenceSettleMs: 20_000 }));
      expect(outcomes).toEqual(Array(20).fill('delivered'));
    });

    it('still answers an invite to a user who never connected `unavailable`', async () => {
      const caller = `caller-${nanoid(8)}`;
      const transport = await harness.connect(caller);
      await waitOpen(transport);
      const sent = invite(caller, `nobody-${nanoid(8)}`);
      const reply = firstValueFrom(transport.incoming$.pipe(timeout(WAIT_MS)));
      transport.send(sent);
      expect(decodeEnvelope(await reply)).toMatchObject({
        ok: true,
        envelope: { type: 'unavailable', callId: sent.callId, fromDevice: 'broker' },
      });
    });
  });

  describe('on the embedded broker as it is (ws, as browsers connect)', () => {
    beforeEach(async () => {
      harness = await startEmbeddedHarness('ws');
    });

    it('delivers every invite of 200 fresh pairs and answers none `unavailable`', async () => {
      const outcomes: string[] = [];
      for (let pair = 0; pair < 200; pair += 1) outcomes.push(await callOnce(harness));
      expect(outcomes).toEqual(Array(200).fill('delivered'));
    }, 120_000);
  });
});
