// What the server sends one client within one event-loop turn leaves in one write: a burst of envelopes
// relayed to a peer costs one writev (one wake-up of the receiver), not one per envelope, and still
// arrives whole and in order.
import { Socket } from 'node:net';
import { encodeEnvelope } from '@handset/core';
import { afterEach, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { SignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, startTestServer } from './support/harness.js';

let server: SignalServer | null = null;
const clients: RawClient[] = [];
let restoreWritev: (() => void) | null = null;

afterEach(async () => {
  restoreWritev?.();
  restoreWritev = null;
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
  server = null;
});

const UNLIMITED = {
  messagesPerSecond: 1e6,
  messageBurst: 1e6,
  userMessagesPerSecond: 1e6,
  userMessageBurst: 1e6,
  addressMessagesPerSecond: 1e6,
  addressMessageBurst: 1e6,
};

/** Counts the writes (`_writev` calls) the server makes on sockets of its port. */
function countServerWrites(port: number): { readonly count: number } {
  const prototype = Socket.prototype as unknown as { _writev: (...args: unknown[]) => unknown };
  const original = prototype._writev;
  const counter = { count: 0 };
  prototype._writev = function (this: Socket, ...args: unknown[]) {
    if (this.localPort === port) counter.count += 1;
    return original.apply(this, args);
  };
  restoreWritev = () => {
    prototype._writev = original;
  };
  return counter;
}

/** Writes `frames` from `client` in one TCP write, so the server reads them in one chunk. */
function sendInOneWrite(client: RawClient, frames: string[]): void {
  const tcp = (client.socket as WebSocket & { _socket: Socket })._socket;
  tcp.cork();
  for (const frame of frames) client.send(frame);
  tcp.uncork();
}

it('relays a burst read in one chunk to its addressee in one write, in order', async () => {
  server = await startTestServer({ limits: UNLIMITED });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  const bob = await rawClient(server, { token: server.issueToken('bob') });
  clients.push(alice, bob);
  const burst = Array.from({ length: 40 }, () => ringing('alice', 'bob'));
  const writes = countServerWrites(server.port);
  sendInOneWrite(
    alice,
    burst.map((envelope) => encodeEnvelope(envelope)),
  );
  const last = burst.at(-1)?.id;
  await bob.next((frame) => frame.id === last);
  const received = bob.frames.map((frame) => JSON.parse(frame) as { id?: string }).filter((f) => f.id);
  expect(received.map((f) => f.id)).toEqual(burst.map((envelope) => envelope.id));
  // One per envelope before batching; a couple at most with it (the chunk may be split on the way).
  expect(writes.count).toBeLessThanOrEqual(4);
});

it('answers each bad frame of a burst with its own error frame, in order', async () => {
  server = await startTestServer({ limits: UNLIMITED });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(alice);
  const frames = ['{"v":1', '{"v":1,"type":"nope"}', JSON.stringify({ kind: 'ping', t: 7 })];
  sendInOneWrite(alice, frames);
  await alice.next((frame) => frame.kind === 'pong' && frame.t === 7);
  const answers = alice.frames
    .map((frame) => JSON.parse(frame) as { kind: string; code?: string })
    .filter((frame) => frame.kind !== 'welcome');
  expect(answers.map((a) => a.code ?? a.kind)).toEqual(['malformed-json', 'unknown-type', 'pong']);
});

it('writes nothing more to a connection it closed within the same turn, and the others still get theirs', async () => {
  server = await startTestServer({ limits: { ...UNLIMITED, badFramesBeforeClose: 2 } });
  const mallory = await rawClient(server, { token: server.issueToken('mallory') });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  const bob = await rawClient(server, { token: server.issueToken('bob') });
  clients.push(mallory, alice, bob);
  // Mallory's third bad frame closes her; the two after it arrive in the same chunk and are not answered.
  sendInOneWrite(mallory, ['x', 'x', 'x', 'x', 'x']);
  const envelope = ringing('alice', 'bob');
  alice.send(encodeEnvelope(envelope));
  const closed = await mallory.closed;
  expect(closed.code).toBe(1008);
  const errors = mallory.frames
    .map((frame) => JSON.parse(frame) as { kind: string; code?: string })
    .filter((frame) => frame.kind === 'error');
  expect(errors.map((e) => e.code)).toEqual(['malformed-json', 'malformed-json', 'too-many-bad-frames']);
  await expect(bob.next((frame) => frame.id === envelope.id)).resolves.toMatchObject({ type: 'ringing' });
  expect(await alice.next(isKind('error'), 300).catch(() => null)).toBeNull();
});
