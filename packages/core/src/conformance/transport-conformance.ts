// The contract every signaling transport keeps, as one suite each adapter runs against its real
// server or broker (as MQTT.js runs one abstract client suite over every wire). Needs vitest.

import { nanoid } from 'nanoid';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope } from '../protocol.js';
import { ringingFrom, WAIT_MS, waitOpen } from '../testing/transport-probes.js';
import type { SignalingTransport } from '../transport.js';

/** What a conformance run needs from an adapter: fresh logged-in transports, and a way to stop it all. */
export interface TransportHarness {
  /** A transport logged in as `userId`, already set up to become `open`. */
  connect(userId: string): Promise<SignalingTransport>;
  /** Tears down everything the harness started (servers, brokers, transports). */
  close(): Promise<void>;
}

function nextEnvelopes(transport: SignalingTransport, count: number): Promise<Envelope[]> {
  return firstValueFrom(transport.incoming$.pipe(take(count), toArray(), timeout(WAIT_MS))).then((frames) =>
    frames.map((frame) => {
      const decoded = decodeEnvelope(frame);
      if (!decoded.ok) throw decoded.error;
      return decoded.envelope;
    }),
  );
}

/**
 * Runs the signaling transport contract. `makeHarness` is called once per test; user ids are fresh per
 * test so suites can share one server.
 */
export function describeSignalingTransport(name: string, makeHarness: () => Promise<TransportHarness>): void {
  describe(`${name} keeps the signaling transport contract`, () => {
    async function withHarness(run: (h: TransportHarness, id: (u: string) => string) => Promise<void>) {
      const harness = await makeHarness();
      const prefix = nanoid(6);
      try {
        await run(harness, (user) => `${user}-${prefix}`);
      } finally {
        await harness.close();
      }
    }

    it('becomes open after connecting', () =>
      withHarness(async (h, id) => {
        const alice = await h.connect(id('alice'));
        await waitOpen(alice);
        alice.close();
      }));

    it('delivers an envelope to its addressee, intact and stamped with the sender', () =>
      withHarness(async (h, id) => {
        const [alice, bob] = await Promise.all([h.connect(id('alice')), h.connect(id('bob'))]);
        await Promise.all([waitOpen(alice), waitOpen(bob)]);
        const received = nextEnvelopes(bob, 1);
        const sent = ringingFrom(id('alice'), id('bob'));
        alice.send(sent);
        const [envelope] = await received;
        expect(envelope).toMatchObject({
          type: 'ringing',
          callId: sent.callId,
          from: id('alice'),
          to: id('bob'),
        });
      }));

    it('keeps the order of envelopes between two users', () =>
      withHarness(async (h, id) => {
        const [alice, bob] = await Promise.all([h.connect(id('alice')), h.connect(id('bob'))]);
        await Promise.all([waitOpen(alice), waitOpen(bob)]);
        const callIds = Array.from({ length: 30 }, () => nanoid());
        const received = nextEnvelopes(bob, callIds.length);
        for (const callId of callIds) alice.send(ringingFrom(id('alice'), id('bob'), callId));
        expect((await received).map((e) => e.callId)).toEqual(callIds);
      }));

    it('answers an envelope to an offline user with `unavailable` for the same call', () =>
      withHarness(async (h, id) => {
        const alice = await h.connect(id('alice'));
        await waitOpen(alice);
        const received = nextEnvelopes(alice, 1);
        const sent = ringingFrom(id('alice'), id('nobody'));
        alice.send(sent);
        const [reply] = await received;
        expect(reply).toMatchObject({
          type: 'unavailable',
          callId: sent.callId,
          from: id('nobody'),
          to: id('alice'),
        });
      }));

    it('delivers to every device a user is connected on', () =>
      withHarness(async (h, id) => {
        const [alice, bob1, bob2] = await Promise.all([
          h.connect(id('alice')),
          h.connect(id('bob')),
          h.connect(id('bob')),
        ]);
        await Promise.all([waitOpen(alice), waitOpen(bob1), waitOpen(bob2)]);
        const received = Promise.all([nextEnvelopes(bob1, 1), nextEnvelopes(bob2, 1)]);
        const sent = ringingFrom(id('alice'), id('bob'));
        alice.send(sent);
        const [[first], [second]] = await received;
        expect(first?.callId).toBe(sent.callId);
        expect(second?.callId).toBe(sent.callId);
      }));

    it('does not let a sender speak as another user', () =>
      withHarness(async (h, id) => {
        const [mallory, bob] = await Promise.all([h.connect(id('mallory')), h.connect(id('bob'))]);
        await Promise.all([waitOpen(mallory), waitOpen(bob)]);
        const received = nextEnvelopes(bob, 1);
        mallory.send(ringingFrom(id('alice'), id('bob')));
        const follow = ringingFrom(id('mallory'), id('bob'));
        mallory.send(follow);
        // Whatever the transport does with the spoofed envelope (re-stamp or refuse), Bob never sees
        // a message that claims to be from Alice.
        const [first] = await received;
        expect(first?.from).toBe(id('mallory'));
      }));

    it('reports closed and completes its observables on close(), errors$ without an error', () =>
      withHarness(async (h, id) => {
        const alice = await h.connect(id('alice'));
        await waitOpen(alice);
        const completed = firstValueFrom(alice.incoming$.pipe(toArray(), timeout(WAIT_MS)));
        const statuses = firstValueFrom(alice.status$.pipe(toArray(), timeout(WAIT_MS)));
        const errors = firstValueFrom(alice.errors$.pipe(toArray(), timeout(WAIT_MS)));
        alice.close();
        await completed;
        expect((await statuses).at(-1)).toBe('closed');
        expect(await errors).toEqual([]);
      }));

    it('replays its current status to a late subscriber', () =>
      withHarness(async (h, id) => {
        const alice = await h.connect(id('alice'));
        await waitOpen(alice);
        expect(await firstValueFrom(alice.status$.pipe(timeout(WAIT_MS)))).toBe('open');
      }));
  });
}

/** What the refusal run needs: transports whose credentials the server or broker turns away. */
export interface RefusalHarness {
  /** A transport logged in as `userId` with credentials its server or broker refuses. */
  connectRefused(userId: string): Promise<SignalingTransport>;
  close(): Promise<void>;
}

/**
 * The failure contract of a transport with credentials: a refusal is one permanent `unauthenticated`
 * error, then `closed`, fast, with no retry (a network without credentials has nothing to run here).
 */
export function describeRefusedCredentials(name: string, makeHarness: () => Promise<RefusalHarness>): void {
  describe(`${name} refuses credentials the transport way`, () => {
    it('reports one permanent unauthenticated error, then closed, within 3 s and without opening', async () => {
      const harness = await makeHarness();
      try {
        const transport = await harness.connectRefused(`mallory-${nanoid(6)}`);
        const [statuses, errors] = await Promise.all([
          firstValueFrom(transport.status$.pipe(toArray(), timeout(3_000))),
          firstValueFrom(transport.errors$.pipe(toArray(), timeout(3_000))),
        ]);
        expect(statuses).toEqual(['connecting', 'closed']);
        expect(errors.map((e) => [e.code, e.reason, e.permanent])).toEqual([
          ['unauthenticated', 'token-refused', true],
        ]);
      } finally {
        await harness.close();
      }
    });
  });
}
