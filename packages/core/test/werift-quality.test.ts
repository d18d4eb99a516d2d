// Call quality over real WebRTC (werift on 127.0.0.1): the stats a real peer connection reports reach
// stats$, and loss put on the path by a UDP relay shows as `poor`, then clears when the loss stops.
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  PLACEHOLDER_DEVICES,
  tone,
  UdpRelay,
} from '@handset/test-support';
import { filter, firstValueFrom, type Observable, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type CallStats, createPhone, type Phone, type QualityLevel } from '../src/index.js';
import { createMemoryNetwork } from '../src/testing/index.js';

const WAIT_MS = 20_000;
// A tone, not the default silence: 3-byte silence frames are about 1 kbps, which a short sampling window on a
// busy machine rounds down to 0 (the bitrate check then fails although audio flows).
const TONE_DEVICES = [
  { deviceId: 'tone', kind: 'audioinput', label: 'Node tone', groupId: 'node', source: tone() } as const,
  ...PLACEHOLDER_DEVICES.filter((device) => device.kind !== 'audioinput'),
];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function weriftPhone(network: ReturnType<typeof createMemoryNetwork>, userId: string, relay?: UdpRelay) {
  const factory = createWeriftPeerConnectionFactory();
  cleanups.push(() => factory.closeAll());
  const phone = createPhone({
    userId,
    transport: network.connect(userId),
    peerConnectionFactory: relay ? relay.wrap(factory) : factory,
    getUserMedia: createWeriftGetUserMedia({ devices: TONE_DEVICES }),
  });
  cleanups.push(async () => phone.dispose());
  return phone;
}

async function connect(alice: Phone, bob: Phone): Promise<void> {
  const ringing = firstValueFrom(
    bob.call$.pipe(
      filter((c) => c.state === 'incoming'),
      timeout(WAIT_MS),
    ),
  );
  alice.makeCall('bob', { audio: true, video: true });
  await ringing;
  bob.answerCall();
  await Promise.all(
    [alice, bob].map((p) =>
      firstValueFrom(
        p.call$.pipe(
          filter((c) => c.state === 'connected'),
          timeout(WAIT_MS),
        ),
      ),
    ),
  );
}

const sampleWhere = (stats$: Observable<CallStats>, test: (s: CallStats) => boolean, ms = WAIT_MS) =>
  firstValueFrom(stats$.pipe(filter(test), timeout(ms)));
const atLevel = (stats$: Observable<CallStats>, levels: QualityLevel[]) =>
  sampleWhere(stats$, (s) => levels.includes(s.quality));

describe('call quality over werift', () => {
  it("shows a direct call's round-trip time, bitrates, codecs and host path", async () => {
    const network = createMemoryNetwork();
    const alice = weriftPhone(network, 'alice');
    const bob = weriftPhone(network, 'bob');
    await connect(alice, bob);
    const sample = await sampleWhere(alice.stats$, (s) => (s.video.inKbps ?? 0) > 0);
    expect(sample).toMatchObject({
      path: 'host',
      quality: 'excellent',
      audio: { codec: expect.stringMatching(/^audio\//) },
      video: { codec: 'video/VP8' },
    });
    expect(sample.roundTripTimeMs).toBeGreaterThanOrEqual(0);
    expect(sample.packetLoss).not.toBeNull();
    for (const kbps of [
      sample.audio.inKbps,
      sample.audio.outKbps,
      sample.video.inKbps,
      sample.video.outKbps,
    ]) {
      expect(kbps).toBeGreaterThan(0);
    }
  }, 30_000);

  it('drops to poor under 10 % loss on the path, recovers when the loss stops, and shows added delay', async () => {
    const relay = new UdpRelay();
    cleanups.push(() => relay.close());
    const network = createMemoryNetwork();
    const alice = weriftPhone(network, 'alice', relay);
    const bob = weriftPhone(network, 'bob', relay);
    await connect(alice, bob);
    // The call really runs through the relay.
    await atLevel(alice.stats$, ['excellent']);
    expect(relay.counts.forwarded).toBeGreaterThan(0);

    relay.set({ dropRate: 0.1 });
    const lossy = await atLevel(alice.stats$, ['poor']);
    expect(lossy.packetLoss).toBeGreaterThan(0.03);
    expect(relay.counts.dropped).toBeGreaterThan(0);

    relay.set({ dropRate: 0 });
    // The first interval may still hold the last losses (a few percent rates excellent already).
    const recovered = await sampleWhere(alice.stats$, (s) => s.packetLoss === 0);
    expect(recovered.quality).toBe('excellent');

    // Delay on the path shows in the round-trip time (100 ms each way).
    relay.set({ delayMs: 100 });
    const delayed = await sampleWhere(alice.stats$, (s) => (s.roundTripTimeMs ?? 0) >= 150);
    expect(delayed.roundTripTimeMs).toBeLessThan(1_000);
  }, 60_000);
});
