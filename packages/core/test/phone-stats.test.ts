// The phone's stats$: sampled from the peer connection while a call is connected, on the call's clock, and
// never after (no timer, no request) once it has ended.
import { describe, expect, it } from 'vitest';
import type { CallStats } from '../src/index.js';
import { connectedCall } from './phone-scenarios.js';

/** A report whose counters grow by one second of traffic each time it is read. */
function growingReport() {
  let second = 0;
  return () => {
    second++;
    return [
      { id: 'T', type: 'transport', timestamp: second * 1000, selectedCandidatePairId: 'P' },
      {
        id: 'P',
        type: 'candidate-pair',
        timestamp: second * 1000,
        localCandidateId: 'L',
        remoteCandidateId: 'R',
        currentRoundTripTime: 0.002,
      },
      { id: 'L', type: 'local-candidate', timestamp: second * 1000, candidateType: 'host' },
      { id: 'R', type: 'remote-candidate', timestamp: second * 1000, candidateType: 'host' },
      {
        id: 'I',
        type: 'inbound-rtp',
        kind: 'audio',
        timestamp: second * 1000,
        packetsReceived: 50 * second,
        packetsLost: 0,
        bytesReceived: 4000 * second,
        jitter: 0.001,
      },
    ];
  };
}

describe('stats$', () => {
  it('gives one sample per interval while the call is connected, with rates, path and quality', async () => {
    // The report is programmed before connecting: the baseline is taken on entering `connected`.
    const phones = await connectedCall({}, { alice: { pc: { stats: [] } } });
    phones.alice.pc().setStats(growingReport());
    const samples: CallStats[] = [];
    phones.alice.phone.stats$.subscribe((s) => samples.push(s));
    await phones.rig.clock.advance(phones.rig.timeouts.statsIntervalMs);
    await phones.rig.settle();
    await phones.rig.clock.advance(phones.rig.timeouts.statsIntervalMs);
    await phones.rig.settle();
    expect(samples).toHaveLength(2);
    expect(samples[1]).toMatchObject({
      callId: phones.callId,
      roundTripTimeMs: 2,
      jitterMs: 1,
      packetLoss: 0,
      path: 'host',
      quality: 'excellent',
      audio: { inKbps: 32 },
    });
    phones.rig.dispose();
  });

  it('stops sampling when the call ends: no timer left, no more reports asked for', async () => {
    const phones = await connectedCall({}, { alice: { pc: { stats: [] } } });
    const pc = phones.alice.pc();
    const samples: CallStats[] = [];
    phones.alice.phone.stats$.subscribe((s) => samples.push(s));
    await phones.rig.clock.advance(phones.rig.timeouts.statsIntervalMs);
    await phones.rig.settle();
    expect(samples).toHaveLength(1);
    expect(phones.rig.clock.pending(phones.alice.deviceId)).toHaveLength(1);
    phones.alice.phone.hangupCall();
    await phones.rig.settle();
    expect(phones.alice.view().state).toBe('ended');
    expect(phones.rig.clock.pending(phones.alice.deviceId)).toEqual([]);
    const asked = pc.statsRequests;
    await phones.rig.clock.advance(10 * phones.rig.timeouts.statsIntervalMs);
    await phones.rig.settle();
    expect(pc.statsRequests).toBe(asked);
    expect(samples).toHaveLength(1);
    phones.rig.dispose();
  });

  it('sets no new timer when a report asked for before the call ended arrives after it', async () => {
    const phones = await connectedCall({}, { alice: { pc: { stats: [] } } });
    let answer: (entries: readonly object[]) => void = () => {};
    phones.alice.pc().setStats(() => new Promise((resolve) => (answer = resolve)));
    const samples: CallStats[] = [];
    phones.alice.phone.stats$.subscribe((s) => samples.push(s));
    await phones.rig.clock.advance(phones.rig.timeouts.statsIntervalMs);
    phones.alice.phone.hangupCall();
    await phones.rig.settle();
    answer([]);
    await phones.rig.settle();
    expect(phones.alice.view().state).toBe('ended');
    expect(phones.rig.clock.pending(phones.alice.deviceId)).toEqual([]);
    expect(samples).toEqual([]);
    phones.rig.dispose();
  });

  it('keeps sampling when a report fails once', async () => {
    const phones = await connectedCall({}, { alice: { pc: { stats: [] } } });
    const pc = phones.alice.pc();
    let calls = 0;
    pc.setStats(() => {
      calls++;
      if (calls === 2) throw new Error('report failed');
      return [];
    });
    const samples: CallStats[] = [];
    phones.alice.phone.stats$.subscribe((s) => samples.push(s));
    for (let i = 0; i < 3; i++) {
      await phones.rig.clock.advance(phones.rig.timeouts.statsIntervalMs);
      await phones.rig.settle();
    }
    expect(samples).toHaveLength(2);
    expect(phones.alice.view().state).toBe('connected');
    phones.rig.dispose();
  });

  it('is silent, and sets no timer, for a peer connection without getStats', async () => {
    const phones = await connectedCall();
    const samples: CallStats[] = [];
    phones.alice.phone.stats$.subscribe((s) => samples.push(s));
    expect(phones.rig.clock.pending(phones.alice.deviceId)).toEqual([]);
    await phones.rig.clock.advance(5 * phones.rig.timeouts.statsIntervalMs);
    expect(samples).toEqual([]);
    phones.rig.dispose();
  });

  it('is off with statsIntervalMs 0', async () => {
    const phones = await connectedCall(
      { timeouts: { statsIntervalMs: 0 } },
      { alice: { pc: { stats: [] } } },
    );
    expect(phones.alice.pc().statsRequests).toBe(0);
    expect(phones.rig.clock.pending(phones.alice.deviceId)).toEqual([]);
    phones.rig.dispose();
  });
});
