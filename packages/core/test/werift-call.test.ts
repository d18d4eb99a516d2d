// Two phones with real WebRTC peer connections (werift: ICE + DTLS + SRTP on 127.0.0.1), joined by the
// in-memory network: the call machine drives real negotiation, real trickle ICE and real media.
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  type WeriftPeerConnection,
  waitForRemoteMedia,
} from '@handset/test-support';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type CallState, type CallView, createPhone, type Phone } from '../src/index.js';
import { createMemoryNetwork } from '../src/testing/index.js';

const WAIT_MS = 20_000;
const factories: ReturnType<typeof createWeriftPeerConnectionFactory>[] = [];

afterEach(async () => {
  await Promise.all(factories.splice(0).map((f) => f.closeAll()));
});

function weriftPhone(network: ReturnType<typeof createMemoryNetwork>, userId: string) {
  const factory = createWeriftPeerConnectionFactory();
  const media = createWeriftGetUserMedia();
  factories.push(factory);
  const transport = network.connect(userId);
  const phone = createPhone({
    userId,
    transport,
    peerConnectionFactory: factory,
    getUserMedia: media,
    timeouts: { iceDisconnectGraceMs: 500, iceRestartMs: 10_000 },
  });
  return { phone, factory, media, transport };
}

function reach(phone: Phone, state: CallState): Promise<CallView> {
  return firstValueFrom(
    phone.call$.pipe(
      filter((call) => call.state === state),
      timeout(WAIT_MS),
    ),
  );
}

describe('a real WebRTC call between two phones (werift)', () => {
  it('connects, carries audio and video both ways, hangs up and leaves nothing open', async () => {
    const network = createMemoryNetwork();
    const alice = weriftPhone(network, 'alice');
    const bob = weriftPhone(network, 'bob');

    const ringing = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob', { audio: true, video: true });
    await ringing;
    bob.phone.answerCall();
    const [aliceCall, bobCall] = await Promise.all([
      reach(alice.phone, 'connected'),
      reach(bob.phone, 'connected'),
    ]);

    // Media really flows: RTP packets of both kinds arrive on each side.
    const [atAlice, atBob] = await Promise.all([
      waitForRemoteMedia(aliceCall.remoteStream!, {
        packets: 10,
        timeoutMs: WAIT_MS,
        kinds: ['audio', 'video'],
      }),
      waitForRemoteMedia(bobCall.remoteStream!, {
        packets: 10,
        timeoutMs: WAIT_MS,
        kinds: ['audio', 'video'],
      }),
    ]);
    expect(atAlice.tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(atBob.tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);

    const bobEnded = reach(bob.phone, 'ended');
    bob.phone.hangupCall();
    const [aliceEnd, bobEnd] = await Promise.all([reach(alice.phone, 'ended'), bobEnded]);
    expect(bobEnd.endReason).toEqual({ code: 'hangup', by: 'local' });
    expect(aliceEnd.endReason).toEqual({ code: 'hangup', by: 'remote' });

    for (const side of [alice, bob]) {
      expect(side.media.tracks.every((track) => track.readyState === 'ended')).toBe(true);
      expect(side.factory.connections.every((pc) => pc.iceConnectionState === 'closed')).toBe(true);
    }
  });

  it('restarts ICE when the connection fails and keeps the call, with media flowing again', async () => {
    const network = createMemoryNetwork();
    const alice = weriftPhone(network, 'alice');
    const bob = weriftPhone(network, 'bob');
    const ringing = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob', { audio: true, video: false });
    await ringing;
    bob.phone.answerCall();
    const [aliceCall] = await Promise.all([reach(alice.phone, 'connected'), reach(bob.phone, 'connected')]);
    await waitForRemoteMedia(aliceCall.remoteStream!, { packets: 5, timeoutMs: WAIT_MS });

    const reconnecting = reach(alice.phone, 'reconnecting');
    const alicePc = alice.factory.connections.at(-1) as WeriftPeerConnection;
    alicePc.forceIceConnectionState('failed');
    await reconnecting;
    const back = await reach(alice.phone, 'connected');

    expect(network.log.some((e) => e.type === 'negotiate' && e.iceRestart)).toBe(true);
    const media = await waitForRemoteMedia(back.remoteStream!, { packets: 5, timeoutMs: WAIT_MS });
    expect(media.tracks[0]?.packets).toBeGreaterThanOrEqual(5);

    alice.phone.hangupCall();
    expect((await reach(bob.phone, 'ended')).endReason).toEqual({ code: 'hangup', by: 'remote' });
  });

  it('a hang-up lost while the peer was offline still ends its call: its ICE-restart offer is answered with a hang-up', async () => {
    const network = createMemoryNetwork();
    const alice = weriftPhone(network, 'alice');
    const bob = weriftPhone(network, 'bob');
    const ringing = reach(bob.phone, 'incoming');
    alice.phone.makeCall('bob', { audio: true, video: false });
    await ringing;
    bob.phone.answerCall();
    await Promise.all([reach(alice.phone, 'connected'), reach(bob.phone, 'connected')]);

    // Bob hangs up while Alice's link is down: the network answers `unavailable` and his hang-up is lost.
    alice.transport.drop();
    bob.phone.hangupCall();
    await reach(bob.phone, 'ended');
    alice.transport.restore();
    expect(network.log.filter((e) => e.type === 'hangup')).toHaveLength(1);

    // Alice's media path fails; her restart offer reaches Bob's phone, which answers for the ended call.
    const started = Date.now();
    const aliceEnded = reach(alice.phone, 'ended');
    (alice.factory.connections.at(-1) as WeriftPeerConnection).forceIceConnectionState('failed');
    const end = await aliceEnded;
    expect(end.endReason).toEqual({ code: 'hangup', by: 'remote' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
