// Hostile input at a running server (bounded): arbitrary frames and well-formed but hostile envelopes
// from one user, then two other users' werift phones must still complete a call through the same server.
import { MESSAGE_TYPES } from '@handset/core';
import { waitForRemoteMedia } from '@handset/test-support';
import fc from 'fast-check';
import { nanoid } from 'nanoid';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { type RawClient, rawClient, startTestServer } from './support/harness.js';
import { allOpen, CALL_MS, connectCall, createWeriftPhones, reach } from './support/werift-phones.js';

let server: SignalServer;
let mallory: RawClient;
const phones = createWeriftPhones();
beforeAll(async () => {
  // Generous rates and no bad-frame cutoff, so the fuzz exercises parsing and routing rather than the
  // limits (each has its own test in limits.test.ts).
  server = await startTestServer({
    limits: {
      messagesPerSecond: 10_000,
      messageBurst: 10_000,
      userMessagesPerSecond: 10_000,
      userMessageBurst: 10_000,
      addressMessagesPerSecond: 10_000,
      addressMessageBurst: 10_000,
      badFramesBeforeClose: 1_000_000,
    },
  });
  mallory = await rawClient(server, { token: server.issueToken('mallory') });
});
afterEach(() => phones.closeAll());
afterAll(async () => {
  mallory.socket.terminate();
  await server.close({ drainMs: 100 });
});

const id = fc.oneof(fc.constantFrom('alice', 'bob', 'mallory', 'nobody', ''), fc.string({ maxLength: 140 }));
const hostileEnvelope = fc
  .record({
    type: fc.constantFrom(...MESSAGE_TYPES),
    callId: id,
    from: id,
    fromDevice: id,
    to: id,
    toDevice: fc.option(id, { nil: undefined }),
    ageMs: fc.option(fc.integer(), { nil: undefined }),
    sdp: fc.string({ maxLength: 200 }),
    extra: fc.anything(),
  })
  .map(({ extra, ...fields }) => JSON.stringify({ v: 1, id: nanoid(), ...fields, extra }));
const frame = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json(),
  fc.anything().map((value) => JSON.stringify(value) ?? 'undefined'),
  hostileEnvelope,
  fc.record({ kind: fc.string({ maxLength: 10 }), t: fc.anything() }).map((f) => JSON.stringify(f)),
  fc.constantFrom('{"kind":"bye"', '{"kind":"hello","token":"x"}', '{"v":1}', 'null', '[]', '""'),
);

it('still carries a real call between other users after 200 runs of arbitrary and hostile frames', async () => {
  fc.assert(
    fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), (frames) => {
      for (const f of frames) mallory.send(f);
    }),
    { numRuns: 200 },
  );
  // Mallory's own connection has answered everything so far (pongs come in order)...
  mallory.send(JSON.stringify({ kind: 'ping', t: 424242 }));
  await mallory.next((f) => f.kind === 'pong' && f.t === 424242);
  expect(mallory.frames.some((f) => JSON.parse(f).kind === 'error')).toBe(true);
  // ...and a real call between two other users still completes through the same server.
  const alice = phones.on(server.url, 'alice');
  const bob = phones.on(server.url, 'bob');
  await allOpen(alice, bob);
  const { callerView, calleeView } = await connectCall(alice.phone, bob.phone);
  await waitForRemoteMedia(callerView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
  await waitForRemoteMedia(calleeView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
  const bobEnded = reach(bob.phone, 'ended');
  alice.phone.hangupCall();
  expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  expect(server.health().status).toBe('ok');
}, 60_000);
