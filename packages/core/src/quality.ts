// How good a call sounds, from its numbers: a mean opinion score (the ITU-T E-model, simplified as LiveKit's
// connection-quality scorer does) cut into four levels. Pure, so the thresholds are tested and documented once.

/** `held`: the call is on hold (by either side), so no media flows on purpose and nothing is scored. */
export type QualityLevel = 'excellent' | 'good' | 'poor' | 'lost' | 'held';

/** The inputs of a score: what the last sampling interval measured. */
export interface QualityInputs {
  /** Packets lost over the last interval, as a fraction of those expected (0–1); null before a second sample. */
  readonly packetLoss: number | null;
  readonly roundTripTimeMs: number | null;
  readonly jitterMs: number | null;
  /** Media packets arrived during the last interval (false: media stopped flowing). */
  readonly receiving: boolean;
}

/** The thresholds, in one table (the README's quality table is checked against it). */
export const QUALITY_THRESHOLDS = {
  /** A score at or above this is `excellent`. LiveKit: 4.1. */
  excellentMos: 4.1,
  /** A score at or above this (and below `excellentMos`) is `good`; below, `poor`. LiveKit: 3.6. */
  goodMos: 3.6,
  /**
   * Each percent of loss costs this much of the E-model's R factor. Higher than the codec-neutral 2.5 because
   * a call has no redundancy (no RED, no FEC negotiated): about 2.5 % loss still rates excellent, 6 % poor.
   */
  lossWeight: 4,
} as const;

/**
 * The E-model's R factor (93.2 at best) turned into a mean opinion score (1–4.5). Delay counts as one-way
 * latency plus twice the jitter (a jitter buffer holds about that much) plus 10 ms of codec delay.
 */
export function meanOpinionScore({ packetLoss, roundTripTimeMs, jitterMs }: QualityInputs): number {
  const latency = (roundTripTimeMs ?? 0) / 2 + 2 * (jitterMs ?? 0) + 10;
  const delayImpairment = latency < 160 ? latency / 40 : (latency - 120) / 10;
  const lossImpairment = (packetLoss ?? 0) * 100 * QUALITY_THRESHOLDS.lossWeight;
  const r = Math.max(0, Math.min(100, 93.2 - delayImpairment - lossImpairment));
  // The cubic dips below 1 for R under about 6.5: clamped, so a worse connection never scores better.
  return Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}

export function qualityOf(inputs: QualityInputs): QualityLevel {
  if (!inputs.receiving) return 'lost';
  const mos = meanOpinionScore(inputs);
  if (mos >= QUALITY_THRESHOLDS.excellentMos) return 'excellent';
  if (mos >= QUALITY_THRESHOLDS.goodMos) return 'good';
  return 'poor';
}
