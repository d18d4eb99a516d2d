// Two werift phones calling each other across two server nodes joined by a real Redis: the caller on
// node A, the callee on node B.
import { waitForRemoteMedia } from '@handset/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { startTestServer } from './support/harness.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { allOpen, CALL_MS, connectCall, createWeriftPhones, reach } from './support/werift-phones.js';

let redis: TestRedis;
let nodeA: SignalServer;
let nodeB: SignalServer;
const phones = createWeriftPhones();

beforeAll(async () => {
  redis = await startRedis();
  nodeA = await startTestServer({ redis: { url: redis.url }, nodeId: 'node-a' });
  nodeB = await startTestServer({ redis: { url: redis.url }, nodeId: 'node-b' });
});
afterEach(() => phones.closeAll());
afterAll(async () => {
  await nodeA?.close({ drainMs: 100 });
  await nodeB?.close({ drainMs: 100 });
  await redis?.stop();
});

describe('two werift phones on two nodes joined by Redis', () => {
  it('ring, answer, connect, send media both ways and end with hangup on both sides', async () => {
    expect([nodeA.health().cluster, nodeB.health().cluster]).toEqual(['connected', 'connected']);
    const alice = phones.on(nodeA.url, 'alice');
    const bob = phones.on(nodeB.url, 'bob');
    await allOpen(alice, bob);
    const { callerView, calleeView } = await connectCall(alice.phone, bob.phone);
    expect(calleeView).toMatchObject({ direction: 'incoming', peerId: 'alice', callId: callerView.callId });
    await waitForRemoteMedia(callerView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    await waitForRemoteMedia(calleeView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    const aliceEnded = reach(alice.phone, 'ended');
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await aliceEnded).endReason).toEqual({ code: 'hangup', by: 'local' });
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  }, 60_000);
});
