// A device changes network mid-call, over real WebRTC (werift on 127.0.0.1): the media path through a UDP
// relay dies and the device's signaling link drops; when the link comes back the call restarts ICE at once,
// finds a new path (fresh relay ports for the restart's candidates) and media flows again, within a bound.
import {
  countRtp,
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  UdpRelay,
  waitForRemoteMedia,
} from '@handset/test-support';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type CallState, type CallView, createPhone, type Phone } from '../src/index.js';
import { createMemoryNetwork, type MemoryTransport } from '../src/testing/index.js';

const WAIT_MS = 20_000;
/** Generous for a shared 2-core machine; a restart on loopback takes well under a second when idle. */
const RECOVERY_BOUND_MS = 10_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function relayedPhone(network: ReturnType<typeof createMemoryNetwork>, userId: string, relay: UdpRelay) {
  const factory = createWeriftPeerConnectionFactory();
  cleanups.push(() => factory.closeAll());
  const transport = network.connect(userId);
  const phone = createPhone({
    userId,
    transport,
    peerConnectionFactory: relay.wrap(factory),
    getUserMedia: createWeriftGetUserMedia(),
    // The restart must come from the link's return, not from ICE giving up.
    timeouts: { iceDisconnectGraceMs: 60_000, iceRestartMs: 60_000 },
  });
  cleanups.push(async () => phone.dispose());
  return { phone, transport };
}

const reach = (phone: Phone, state: CallState): Promise<CallView> =>
  firstValueFrom(
    phone.call$.pipe(
      filter((call) => call.state === state),
      timeout(WAIT_MS),
    ),
  );

/** Resolves when `count()` has grown by `packets` since the call, polling every 20 ms. */
async function grows(count: () => number, packets: number, ms: number): Promise<void> {
  const from = count();
  const until = Date.now() + ms;
  while (count() - from < packets) {
    if (Date.now() > until) throw new Error(`no media within ${ms} ms (${count() - from} packets)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a network change during a werift call', () => {
  it('recovers media on a new path within a bounded time once the link is back', async () => {
    const relay = new UdpRelay();
    cleanups.push(() => relay.close());
    const network = createMemoryNetwork();
    const alice = relayedPhone(network, 'alice', relay);
    const bob = relayedPhone(network, 'bob', relay);

    const ringing = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob', { audio: true, video: false });
    await ringing;
    bob.phone.answerCall();
    const [aliceCall, bobCall] = await Promise.all([
      reach(alice.phone, 'connected'),
      reach(bob.phone, 'connected'),
    ]);
    await Promise.all(
      [aliceCall, bobCall].map((call) =>
        waitForRemoteMedia(call.remoteStream!, { packets: 10, timeoutMs: WAIT_MS, kinds: ['audio'] }),
      ),
    );
    const counters = [aliceCall, bobCall].map((call) => countRtp(call.remoteStream!.getTracks()[0]!));
    cleanups.push(async () => {
      for (const counter of counters) counter.stop();
    });

    // The network changes under Alice: her media path is gone and her signaling link drops with it.
    (alice.transport as MemoryTransport).drop();
    relay.cut();
    // Let what was in flight drain: media has stopped both ways.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalled = counters.map((c) => c.count);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(counters.map((c) => c.count)).toEqual(stalled);

    const reconnecting = reach(alice.phone, 'reconnecting');
    const back = Date.now();
    (alice.transport as MemoryTransport).restore();
    await reconnecting;
    await Promise.all(counters.map((counter) => grows(() => counter.count, 10, RECOVERY_BOUND_MS)));
    const recoveredMs = Date.now() - back;
    console.log(`media recovered ${recoveredMs} ms after the link came back`);
    expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
    await reach(alice.phone, 'connected');
  }, 60_000);
});
