// Hostile input at a running server (bounded): arbitrary frames and well-formed but hostile envelopes
// from one user, then two other users must still exchange messages through the same server.
import { createEnvelope, decodeEnvelope, MESSAGE_TYPES } from '@handset/core';
import fc from 'fast-check';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import {
  connectTransport,
  type RawClient,
  rawClient,
  ringing,
  startTestServer,
  waitFor,
} from './support/harness.js';

let server: SignalServer;
let mallory: RawClient;
beforeAll(async () => {
  // A generous rate so the fuzz exercises parsing and routing rather than the rate limiter.
  server = await startTestServer({ limits: { messagesPerSecond: 10_000, messageBurst: 10_000 } });
  mallory = await rawClient(server, { token: server.issueToken('mallory') });
});
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

it('keeps relaying between other users after 200 runs of arbitrary and hostile frames', async () => {
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
  // ...and the server still works for everybody else.
  const alice = connectTransport(server, 'alice');
  const bob = connectTransport(server, 'bob');
  await Promise.all([waitFor(alice.status$, (s) => s === 'open'), waitFor(bob.status$, (s) => s === 'open')]);
  const call = ringing('alice', 'bob');
  const got = waitFor(bob.incoming$, (f) => {
    const decoded = decodeEnvelope(f);
    return decoded.ok && decoded.envelope.id === call.id;
  });
  alice.send(call);
  const answer = createEnvelope(
    { type: 'answer', callId: call.callId, from: 'bob', fromDevice: 'b', to: 'alice', sdp: 'v=0' },
    nanoid(),
  );
  await got;
  const back = waitFor(alice.incoming$, (f) => {
    const decoded = decodeEnvelope(f);
    return decoded.ok && decoded.envelope.id === answer.id;
  });
  bob.send(answer);
  await back;
  expect(server.health().status).toBe('ok');
  alice.close();
  bob.close();
});
