// Two server processes' worth of routing (two servers in this process) sharing one real Redis.
import { decodeEnvelope, encodeEnvelope, type TransportStatus } from '@handset/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createToken, type SignalServer } from '../src/server/index.js';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { isKind, rawClient, ringing, SECRET, startTestServer, waitFor } from './support/harness.js';
import { startRedis, type TestRedis } from './support/redis.js';

let redis: TestRedis;
let nodeA: SignalServer;
let nodeB: SignalServer;
const transports: WsTransport[] = [];

beforeAll(async () => {
  redis = await startRedis();
  nodeA = await startTestServer({ redis: { url: redis.url }, nodeId: 'node-a' });
  nodeB = await startTestServer({ redis: { url: redis.url }, nodeId: 'node-b' });
});
afterAll(async () => {
  for (const t of transports) t.close();
  await nodeA.close({ drainMs: 100 });
  await nodeB.close({ drainMs: 100 });
  await redis.stop();
});

function on(node: SignalServer, userId: string): WsTransport {
  const t = createWsTransport({ url: node.url, token: createToken(userId, SECRET, 60), WebSocket });
  transports.push(t);
  return t;
}
const isOpen = (s: TransportStatus) => s === 'open';
const idOf = (frame: string) => {
  const decoded = decodeEnvelope(frame);
  return decoded.ok ? decoded.envelope.id : null;
};

describe('two nodes joined by Redis', () => {
  it('report the cluster as connected in /health', () => {
    expect(nodeA.health().cluster).toBe('connected');
  });

  it('route an envelope from a user on one node to a user on the other, both ways', async () => {
    const alice = on(nodeA, 'alice-1');
    const bob = on(nodeB, 'bob-1');
    await Promise.all([waitFor(alice.status$, isOpen), waitFor(bob.status$, isOpen)]);
    const call = ringing('alice-1', 'bob-1');
    const got = waitFor(bob.incoming$, (f) => idOf(f) === call.id);
    alice.send(call);
    await got;
    const back = ringing('bob-1', 'alice-1', call.callId);
    const gotBack = waitFor(alice.incoming$, (f) => idOf(f) === back.id);
    bob.send(back);
    await gotBack;
  });

  it('deliver to every device of a user, whichever node each device is on', async () => {
    const alice = on(nodeA, 'alice-2');
    const bobHere = on(nodeA, 'bob-2');
    const bobThere = on(nodeB, 'bob-2');
    await Promise.all([alice, bobHere, bobThere].map((t) => waitFor(t.status$, isOpen)));
    const call = ringing('alice-2', 'bob-2');
    const both = Promise.all([
      waitFor(bobHere.incoming$, (f) => idOf(f) === call.id),
      waitFor(bobThere.incoming$, (f) => idOf(f) === call.id),
    ]);
    alice.send(call);
    await both;
  });

  it('answer unavailable for a user on no node', async () => {
    const alice = on(nodeA, 'alice-3');
    await waitFor(alice.status$, isOpen);
    const call = ringing('alice-3', 'nobody-3');
    const reply = waitFor(alice.incoming$, (f) => {
      const decoded = decodeEnvelope(f);
      return decoded.ok && decoded.envelope.type === 'unavailable' && decoded.envelope.callId === call.callId;
    });
    alice.send(call);
    await reply;
  });

  it('refuse a third user on another node sending for a call bound elsewhere', async () => {
    const alice = on(nodeA, 'alice-4');
    const bob = on(nodeB, 'bob-4');
    await Promise.all([waitFor(alice.status$, isOpen), waitFor(bob.status$, isOpen)]);
    const call = ringing('alice-4', 'bob-4');
    const got = waitFor(bob.incoming$, (f) => idOf(f) === call.id);
    alice.send(call);
    await got;
    const mallory = await rawClient(nodeB, { token: nodeB.issueToken('mallory-4') });
    mallory.send(encodeEnvelope(ringing('mallory-4', 'bob-4', call.callId)));
    expect(await mallory.next(isKind('error'))).toMatchObject({ code: 'not-in-call' });
    mallory.socket.terminate();
  });
});
