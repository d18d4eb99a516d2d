// A call's numbers, read from one WebRTC stats report and the one before it: round-trip time, loss, jitter,
// bitrates, codecs and the connection path. Pure: the sampler (call/stats-sampler.ts) only feeds it reports.
import { type QualityLevel, qualityOf } from './quality.js';

/** The kind of the local candidate carrying the call (a `relay` at either end makes the path `relay`). */
export type ConnectionPath = 'host' | 'srflx' | 'prflx' | 'relay';

export type MediaKind = 'audio' | 'video';

export interface KindStats {
  /** Received, in kbit/s over the last interval; null before a second sample. */
  readonly inKbps: number | null;
  /** Sent, in kbit/s over the last interval; null before a second sample. */
  readonly outKbps: number | null;
  /** The codec in use, as a MIME type (`audio/opus`, `video/VP8`); null when none is reported. */
  readonly codec: string | null;
}

export interface CallStats {
  readonly callId: string | null;
  /** When the report was taken, in the report's own milliseconds. */
  readonly timestamp: number;
  /** From the selected candidate pair (STUN), else from RTCP receiver reports. */
  readonly roundTripTimeMs: number | null;
  /** Received packets lost over the last interval, a fraction (0–1); null before a second sample. */
  readonly packetLoss: number | null;
  /** The worst inbound stream's jitter. */
  readonly jitterMs: number | null;
  readonly audio: KindStats;
  readonly video: KindStats;
  /** From the selected candidate pair; null while no pair is selected. */
  readonly path: ConnectionPath | null;
  readonly quality: QualityLevel;
}

/** The running totals a report holds; the next sample's rates are differences from these. */
export interface StatsCounters {
  readonly timestamp: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly bytes: Readonly<Record<`${MediaKind}${'In' | 'Out'}`, number>>;
}

export interface StatsSample {
  readonly stats: CallStats;
  readonly counters: StatsCounters;
}

/** One entry of a stats report (RTCStats), read field by field: nothing in it is trusted to be there. */
export type Stat = Readonly<Record<string, unknown>>;

const num = (stat: Stat | undefined, key: string): number | undefined => {
  const value = stat?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const str = (stat: Stat | undefined, key: string): string | undefined => {
  const value = stat?.[key];
  return typeof value === 'string' ? value : undefined;
};
const kindOf = (stat: Stat): MediaKind | undefined => {
  const kind = str(stat, 'kind') ?? str(stat, 'mediaType');
  return kind === 'audio' || kind === 'video' ? kind : undefined;
};
const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

/** The pair the transport reports as selected; a browser without `selectedCandidatePairId` marks it `selected`. */
function selectedPair(stats: readonly Stat[], byId: Map<string, Stat>): Stat | undefined {
  for (const stat of stats) {
    const id = stat.type === 'transport' ? str(stat, 'selectedCandidatePairId') : undefined;
    if (id && byId.has(id)) return byId.get(id);
  }
  return (
    stats.find((s) => s.type === 'candidate-pair' && s.selected === true) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded')
  );
}

function pathOf(pair: Stat | undefined, byId: Map<string, Stat>): ConnectionPath | null {
  if (!pair) return null;
  const local = str(byId.get(str(pair, 'localCandidateId') ?? ''), 'candidateType');
  const remote = str(byId.get(str(pair, 'remoteCandidateId') ?? ''), 'candidateType');
  if (local === 'relay' || remote === 'relay') return 'relay';
  return local && CANDIDATE_TYPES.includes(local) ? (local as ConnectionPath) : null;
}

const kbps = (bytes: number, before: number, ms: number) =>
  ms > 0 ? Math.max(0, Math.round(((bytes - before) * 8) / ms)) : null;

/**
 * Reads one report. `previous` is the last sample's counters (null for the first): rates and loss are
 * taken over the interval between the two; a counter that went backwards (a restarted stream) counts as 0.
 */
export function sampleStats(
  stats: readonly Stat[],
  previous: StatsCounters | null,
  callId: string | null,
): StatsSample {
  const byId = new Map(stats.flatMap((s) => (typeof s.id === 'string' ? [[s.id, s] as const] : [])));
  const bytes = { audioIn: 0, audioOut: 0, videoIn: 0, videoOut: 0 };
  const codecs: Record<MediaKind, string | null> = { audio: null, video: null };
  let packetsReceived = 0;
  let packetsLost = 0;
  let jitter: number | undefined;
  let inbound = 0;
  let remoteRtt: number | undefined;
  let timestamp = 0;

  for (const stat of stats) {
    timestamp = Math.max(timestamp, num(stat, 'timestamp') ?? 0);
    const kind = kindOf(stat);
    if (stat.type === 'inbound-rtp' && kind) {
      inbound++;
      packetsReceived += num(stat, 'packetsReceived') ?? 0;
      packetsLost += Math.max(0, num(stat, 'packetsLost') ?? 0);
      bytes[`${kind}In`] += num(stat, 'bytesReceived') ?? 0;
      const streamJitter = num(stat, 'jitter');
      if (streamJitter !== undefined) jitter = Math.max(jitter ?? 0, streamJitter);
    }
    if (stat.type === 'outbound-rtp' && kind) bytes[`${kind}Out`] += num(stat, 'bytesSent') ?? 0;
    if ((stat.type === 'inbound-rtp' || stat.type === 'outbound-rtp') && kind && !codecs[kind]) {
      codecs[kind] = str(byId.get(str(stat, 'codecId') ?? ''), 'mimeType') ?? null;
    }
    if (stat.type === 'remote-inbound-rtp') remoteRtt ??= num(stat, 'roundTripTime');
  }

  const pair = selectedPair(stats, byId);
  const rttSeconds = num(pair, 'currentRoundTripTime') ?? remoteRtt;
  const elapsed = previous ? timestamp - previous.timestamp : 0;
  const counters: StatsCounters = { timestamp, packetsReceived, packetsLost, bytes };
  const received = previous ? Math.max(0, packetsReceived - previous.packetsReceived) : null;
  const lost = previous ? Math.max(0, packetsLost - previous.packetsLost) : null;
  const packetLoss =
    received === null || lost === null || received + lost === 0 ? null : lost / (received + lost);
  const rate = (key: keyof typeof bytes) =>
    previous ? kbps(bytes[key], previous.bytes[key], elapsed) : null;
  const roundTripTimeMs = rttSeconds === undefined ? null : Math.round(rttSeconds * 1000);
  const jitterMs = jitter === undefined ? null : Math.round(jitter * 1000);
  // Media that stops arriving is `lost`, whatever the other numbers say; a first sample has nothing to compare.
  const receiving = received === null || inbound === 0 || received > 0;
  return {
    counters,
    stats: {
      callId,
      timestamp,
      roundTripTimeMs,
      packetLoss,
      jitterMs,
      audio: { inKbps: rate('audioIn'), outKbps: rate('audioOut'), codec: codecs.audio },
      video: { inKbps: rate('videoIn'), outKbps: rate('videoOut'), codec: codecs.video },
      path: pathOf(pair, byId),
      quality: qualityOf({ packetLoss, roundTripTimeMs, jitterMs, receiving }),
    },
  };
}
