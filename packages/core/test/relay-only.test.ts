// Relay-only calls (`iceTransportPolicy: 'relay'`) whose TURN server gives nothing: the call ends
// `connection-failed` after a `turn-refused` warning instead of waiting out the connect timeout.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPhone,
  type IceServerConfig,
  type PeerConnectionConfig,
  type PeerConnectionPort,
  type Phone,
  type PhoneEvent,
} from '../src/index.js';
import { guardRelayOnly } from '../src/relay-only-guard.js';
import {
  createFakeMedia,
  createFakePeerConnections,
  createMemoryNetwork,
  FakePeerConnection,
  type FakePeerConnectionOptions,
} from '../src/testing/index.js';
import { ManualClock, settle } from './manual-clock.js';

const phones: Phone[] = [];
afterEach(() => {
  for (const phone of phones.splice(0)) phone.dispose();
});

const RELAY: IceServerConfig[] = [{ urls: 'turn:relay.test:3478', username: '1:alice', credential: 'c' }];

function relayCall(alicePc: FakePeerConnectionOptions, policy: 'relay' | 'all' = 'relay') {
  const network = createMemoryNetwork();
  const clock = new ManualClock();
  const configs: PeerConnectionConfig[] = [];
  const make = (userId: string, pcOptions: FakePeerConnectionOptions) => {
    const pcs = createFakePeerConnections(pcOptions);
    const events: PhoneEvent[] = [];
    const phone = createPhone({
      userId,
      deviceId: `${userId}-1`,
      transport: network.connect(userId),
      peerConnectionFactory: (config) => {
        configs.push(config);
        return pcs.factory(config);
      },
      getUserMedia: createFakeMedia().getUserMedia,
      iceServers: RELAY,
      iceTransportPolicy: policy,
      clock: clock.for(userId),
    });
    phones.push(phone);
    phone.events$.subscribe((event) => events.push(event));
    return { phone, events };
  };
  const alice = make('alice', alicePc);
  const bob = make('bob', {});
  return { alice, bob, clock, configs };
}

/** Promise jobs, then the candidate batch window, twice over (as phone-rig's settle). */
async function settled(clock: ManualClock) {
  for (let round = 0; round < 2; round++) {
    await settle();
    await clock.advance(20);
  }
  await settle();
}

async function answered(call: ReturnType<typeof relayCall>) {
  call.alice.phone.makeCall('bob', { audio: true, video: false });
  await settled(call.clock);
  call.bob.phone.answerCall();
  await settled(call.clock);
}

const endOf = (events: PhoneEvent[]) => events.find((e) => e.type === 'call-ended');
const warningOf = (events: PhoneEvent[]) => events.find((e) => e.type === 'call-warning');

describe('a relay-only call', () => {
  it('passes the ICE servers and the policy to the peer-connection factory', async () => {
    const call = relayCall({});
    await answered(call);
    expect(call.configs[0]).toEqual({
      iceServers: RELAY,
      iceTransportPolicy: 'relay',
      bundlePolicy: 'max-bundle',
    });
  });

  it('whose gathering ends with no candidate ends connection-failed at once, after a turn-refused warning', async () => {
    const call = relayCall({ candidates: 0 });
    await answered(call);
    expect(endOf(call.alice.events)).toMatchObject({ reason: { code: 'connection-failed', by: 'local' } });
    expect(warningOf(call.alice.events)).toMatchObject({ error: { code: 'turn-refused' } });
    expect(call.alice.events.indexOf(warningOf(call.alice.events)!)).toBeLessThan(
      call.alice.events.indexOf(endOf(call.alice.events)!),
    );
  });

  it('that gathers a relay candidate is not touched', async () => {
    const call = relayCall({ candidates: 1 });
    await answered(call);
    await call.clock.advance(10_000);
    expect(call.alice.phone).toBeDefined();
    expect(endOf(call.alice.events)).toBeUndefined();
    expect(warningOf(call.alice.events)).toBeUndefined();
  });

  it('with policy all and no candidate is left to ICE (host candidates may come from elsewhere)', async () => {
    const call = relayCall({ candidates: 0 }, 'all');
    await answered(call);
    expect(endOf(call.alice.events)).toBeUndefined();
    expect(warningOf(call.alice.events)).toBeUndefined();
  });
});

describe('guardRelayOnly', () => {
  const silentGathering = (): PeerConnectionPort => {
    // A platform still trying the relay (werift retries a refused allocation): no candidate, no end.
    const pc = new FakePeerConnection({ candidates: 0 });
    const addEventListener = pc.addEventListener.bind(pc);
    pc.addEventListener = ((type: string, listener: never) => {
      if (type !== 'icecandidate') addEventListener(type as 'track', listener);
    }) as typeof pc.addEventListener;
    return pc;
  };
  const refusals: unknown[] = [];
  const guard = (pc: PeerConnectionPort, clock: ManualClock) =>
    guardRelayOnly(
      pc,
      { iceServers: RELAY, iceTransportPolicy: 'relay' },
      { gatheringTimeoutMs: 5_000, clock: clock.for('pc'), onRefused: (r) => refusals.push(r) },
    );

  it('returns the port itself unless the policy is relay', () => {
    const pc = new FakePeerConnection();
    const clock = new ManualClock();
    const options = { gatheringTimeoutMs: 5_000, clock: clock.for('pc'), onRefused: () => {} };
    expect(guardRelayOnly(pc, { iceServers: RELAY }, options)).toBe(pc);
    expect(guardRelayOnly(pc, { iceServers: RELAY, iceTransportPolicy: 'all' }, options)).toBe(pc);
  });

  it('reports failed once gathering gave nothing for gatheringTimeoutMs and the answer is in', async () => {
    refusals.length = 0;
    const clock = new ManualClock();
    const pc = guard(silentGathering(), clock);
    const states: string[] = [];
    pc.addEventListener('iceconnectionstatechange', () => states.push(pc.iceConnectionState));
    await pc.setLocalDescription(await pc.createOffer());
    await pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' });
    await settle();
    await clock.advance(4_999);
    expect(pc.iceConnectionState).not.toBe('failed');
    await clock.advance(1);
    expect(pc.iceConnectionState).toBe('failed');
    expect(states).toEqual(['failed']);
    expect(refusals).toHaveLength(1);
  });

  it('keeps the TURN error a platform reported (a browser says 401) for the warning', async () => {
    refusals.length = 0;
    const clock = new ManualClock();
    const fake = new FakePeerConnection({ candidates: 0 });
    const pc = guard(fake, clock);
    (fake as unknown as { emit(type: string, event: unknown): void }).emit('icecandidateerror', {
      errorCode: 401,
      errorText: 'Unauthorized',
      url: 'turn:relay.test:3478',
    });
    await pc.setLocalDescription(await pc.createOffer());
    await pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' });
    await settle();
    expect(refusals).toEqual([{ errorCode: 401, errorText: 'Unauthorized', url: 'turn:relay.test:3478' }]);
  });

  it('an ICE restart judges the new gathering afresh', async () => {
    refusals.length = 0;
    const clock = new ManualClock();
    const pc = guard(silentGathering(), clock);
    await pc.setLocalDescription(await pc.createOffer());
    await pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' });
    await clock.advance(5_000);
    expect(pc.iceConnectionState).toBe('failed');
    pc.restartIce();
    expect(pc.iceConnectionState).not.toBe('failed');
  });
});
