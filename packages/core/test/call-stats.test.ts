// Reading a stats report: each number from where a browser (and werift) puts it, rates and loss over the
// interval between two reports, and entries that are missing or malformed ignored rather than trusted.
import { describe, expect, it } from 'vitest';
import { type Stat, sampleStats } from '../src/call-stats.js';

interface Traffic {
  at: number;
  received: number;
  lost: number;
  audioIn: number;
  videoIn: number;
  audioOut: number;
  videoOut: number;
  localType?: string;
  remoteType?: string;
}

/** A report shaped as Chromium gives it: transport → selected pair → candidates; rtp streams → codecs. */
function report(t: Traffic): Stat[] {
  return [
    { id: 'T1', type: 'transport', timestamp: t.at, selectedCandidatePairId: 'CP1' },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: t.at,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      currentRoundTripTime: 0.048,
      state: 'succeeded',
    },
    { id: 'CP2', type: 'candidate-pair', timestamp: t.at, localCandidateId: 'L2', remoteCandidateId: 'R1' },
    { id: 'L1', type: 'local-candidate', timestamp: t.at, candidateType: t.localType ?? 'host' },
    { id: 'L2', type: 'local-candidate', timestamp: t.at, candidateType: 'relay' },
    { id: 'R1', type: 'remote-candidate', timestamp: t.at, candidateType: t.remoteType ?? 'host' },
    { id: 'CA', type: 'codec', timestamp: t.at, mimeType: 'audio/opus' },
    { id: 'CV', type: 'codec', timestamp: t.at, mimeType: 'video/VP8' },
    {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp: t.at,
      codecId: 'CA',
      packetsReceived: t.received,
      packetsLost: t.lost,
      bytesReceived: t.audioIn,
      jitter: 0.004,
    },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: t.at,
      codecId: 'CV',
      packetsReceived: 0,
      packetsLost: 0,
      bytesReceived: t.videoIn,
      jitter: 0.012,
    },
    { id: 'OA', type: 'outbound-rtp', kind: 'audio', timestamp: t.at, codecId: 'CA', bytesSent: t.audioOut },
    { id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: t.at, codecId: 'CV', bytesSent: t.videoOut },
  ];
}

const start: Traffic = {
  at: 1_000,
  received: 100,
  lost: 0,
  audioIn: 0,
  videoIn: 0,
  audioOut: 0,
  videoOut: 0,
};
const oneSecondLater: Traffic = {
  at: 2_000,
  received: 190,
  lost: 10,
  audioIn: 4_000,
  videoIn: 62_500,
  audioOut: 5_000,
  videoOut: 125_000,
};

describe('a stats sample', () => {
  it('takes the round-trip time from the selected candidate pair, the worst jitter, and the codecs', () => {
    const { stats } = sampleStats(report(start), null, 'call-1');
    expect(stats).toMatchObject({
      callId: 'call-1',
      timestamp: 1_000,
      roundTripTimeMs: 48,
      jitterMs: 12,
      audio: { codec: 'audio/opus' },
      video: { codec: 'video/VP8' },
      path: 'host',
    });
  });

  it('has no rates and no loss before there is an interval to measure them over', () => {
    const { stats } = sampleStats(report(start), null, 'call-1');
    expect(stats.packetLoss).toBeNull();
    expect([stats.audio.inKbps, stats.audio.outKbps, stats.video.inKbps, stats.video.outKbps]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('measures loss and bitrates over the interval since the previous sample', () => {
    const first = sampleStats(report(start), null, 'call-1');
    const { stats } = sampleStats(report(oneSecondLater), first.counters, 'call-1');
    expect(stats.packetLoss).toBeCloseTo(0.1);
    expect(stats.audio).toMatchObject({ inKbps: 32, outKbps: 40 });
    expect(stats.video).toMatchObject({ inKbps: 500, outKbps: 1_000 });
    expect(stats.quality).toBe('poor');
  });

  it('names the path by the selected pair: a relay at either end is `relay`, else the local type', () => {
    expect(sampleStats(report({ ...start, localType: 'srflx' }), null, null).stats.path).toBe('srflx');
    expect(sampleStats(report({ ...start, localType: 'relay' }), null, null).stats.path).toBe('relay');
    expect(sampleStats(report({ ...start, remoteType: 'relay' }), null, null).stats.path).toBe('relay');
    expect(sampleStats(report({ ...start, localType: 'prflx' }), null, null).stats.path).toBe('prflx');
  });

  it('finds the pair a browser marks `selected` when the transport does not name it (Firefox)', () => {
    const stats = report(start).filter((s) => s.type !== 'transport');
    const marked = stats.map((s) => (s.id === 'CP2' ? { ...s, selected: true } : s));
    expect(sampleStats(marked, null, null).stats.path).toBe('relay');
  });

  it('has no path while no pair is selected, and an RTCP round-trip time instead of STUN’s', () => {
    const stats: Stat[] = [
      { id: 'RI', type: 'remote-inbound-rtp', kind: 'audio', timestamp: 5, roundTripTime: 0.12 },
    ];
    expect(sampleStats(stats, null, null).stats).toMatchObject({ path: null, roundTripTimeMs: 120 });
  });

  it('is `lost` when media stops arriving, whatever the other numbers say', () => {
    const first = sampleStats(report(oneSecondLater), null, null);
    const { stats } = sampleStats(report({ ...oneSecondLater, at: 3_000 }), first.counters, null);
    expect(stats.quality).toBe('lost');
    expect(stats.packetLoss).toBeNull();
  });

  it('counts a counter that went backwards (a restarted stream) as nothing, not as negative traffic', () => {
    const first = sampleStats(report(oneSecondLater), null, null);
    const restarted = { ...start, at: 3_000, received: 50 };
    const { stats } = sampleStats(report(restarted), first.counters, null);
    expect(stats.audio.inKbps).toBe(0);
    expect(stats.quality).toBe('lost');
  });

  it('ignores entries and fields of the wrong type instead of trusting them', () => {
    const garbage: Stat[] = [
      { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: '7', jitter: Number.NaN },
      { id: 'X', type: 'inbound-rtp', kind: 'smell', packetsReceived: 9 },
      { id: 'T', type: 'transport', selectedCandidatePairId: 'nowhere' },
      { type: 'candidate-pair', localCandidateId: 42 },
    ];
    const { stats } = sampleStats(garbage, null, null);
    expect(stats).toMatchObject({ path: null, jitterMs: null, roundTripTimeMs: null, quality: 'excellent' });
  });
});
