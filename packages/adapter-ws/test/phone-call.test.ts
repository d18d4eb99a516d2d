// Two real phones (werift WebRTC in Node) calling each other through the signaling server.
import { waitForRemoteMedia } from '@handset/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { startTestServer, waitFor } from './support/harness.js';
import { allOpen, CALL_MS, connectCall, createWeriftPhones, reach } from './support/werift-phones.js';

const phones = createWeriftPhones();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await phones.closeAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(port = 0): Promise<SignalServer> {
  const started = await startTestServer({ port });
  cleanups.push(() => started.close({ drainMs: 100 }));
  return started;
}

describe('two werift phones through the signaling server', () => {
  it('complete a call with media both ways, and hang-up reaches the other side', async () => {
    const s = await server();
    const alice = phones.on(s.url, 'alice');
    const bob = phones.on(s.url, 'bob');
    await allOpen(alice, bob);
    const { callerView: aliceView, calleeView: bobView } = await connectCall(alice.phone, bob.phone);
    await waitForRemoteMedia(aliceView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    await waitForRemoteMedia(bobView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  });

  it('keep the call and its media through a server restart, and hang-up still arrives after it', async () => {
    const first = await startTestServer();
    cleanups.push(() => first.close({ drainMs: 100 }));
    const port = first.port;
    const alice = phones.on(first.url, 'alice');
    const bob = phones.on(first.url, 'bob');
    await allOpen(alice, bob);
    const { calleeView: bobView } = await connectCall(alice.phone, bob.phone);
    const ended: string[] = [];
    bob.phone.events$.subscribe((e) => {
      if (e.type === 'call-ended') ended.push(e.reason.code);
    });
    await first.close({ drainMs: 200 });
    await waitFor(bob.transport.status$, (x) => x === 'reconnecting');
    await server(port);
    await allOpen(alice, bob);
    // Media kept flowing on the peer connection while signaling was away.
    await waitForRemoteMedia(bobView.remoteStream!, { packets: 5, timeoutMs: CALL_MS });
    expect(ended).toEqual([]);
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
  });
});
