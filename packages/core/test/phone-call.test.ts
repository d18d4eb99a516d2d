import { filter, firstValueFrom, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createPhone, type Phone } from '../src/index.js';
import { createFakeMedia, createFakePeerConnections, createMemoryNetwork } from '../src/testing/index.js';

function phoneFor(network: ReturnType<typeof createMemoryNetwork>, userId: string) {
  const pcs = createFakePeerConnections();
  const media = createFakeMedia();
  const phone = createPhone({
    userId,
    transport: network.connect(userId),
    peerConnectionFactory: pcs.factory,
    getUserMedia: media.getUserMedia,
  });
  return { phone, pcs, media };
}

const reach = (phone: Phone, state: string) =>
  firstValueFrom(
    phone.call$.pipe(
      filter((c) => c.state === state),
      timeout(2000),
    ),
  );

describe('two phones on an in-memory network', () => {
  it('call, answer, connect and hang up', async () => {
    const network = createMemoryNetwork();
    const alice = phoneFor(network, 'alice');
    const bob = phoneFor(network, 'bob');
    const incoming = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob');
    await incoming;
    await reach(alice.phone, 'ringing');
    bob.phone.answerCall();
    await Promise.all([reach(alice.phone, 'connected'), reach(bob.phone, 'connected')]);
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    const [aliceView, bobView] = [await reach(alice.phone, 'ended'), await bobEnded];
    expect(aliceView.endReason).toEqual({ code: 'hangup', by: 'local' });
    expect(bobView.endReason).toEqual({ code: 'hangup', by: 'remote' });
    for (const side of [alice, bob]) {
      expect(side.pcs.created.every((pc) => pc.closed && pc.listenerCount === 0)).toBe(true);
      expect(side.media.streams.flatMap((s) => s.tracks).every((t) => t.stopped)).toBe(true);
    }
  });
});
