// Quality levels from a call's numbers, and the README's quality tables checked against the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanOpinionScore, QUALITY_THRESHOLDS, type QualityInputs, qualityOf } from '../src/quality.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const tableRows = (name: string): string[][] => {
  const block = README.split(`<!-- ${name}:begin`)[1]?.split(`<!-- ${name}:end -->`)[0] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
};

const clean: QualityInputs = { packetLoss: 0, roundTripTimeMs: 20, jitterMs: 2, receiving: true };

describe('call quality', () => {
  it('is excellent on a clean loopback-like connection', () => {
    expect(qualityOf(clean)).toBe('excellent');
  });

  it('is lost when media stops arriving, even with perfect numbers', () => {
    expect(qualityOf({ ...clean, receiving: false })).toBe('lost');
  });

  it('drops to poor under 10 % loss and comes back when it stops', () => {
    expect(qualityOf({ ...clean, packetLoss: 0.1 })).toBe('poor');
    expect(qualityOf({ ...clean, packetLoss: 0 })).toBe('excellent');
  });

  it('gets no better as loss, round-trip time or jitter grow', () => {
    let last = Number.POSITIVE_INFINITY;
    for (let loss = 0; loss <= 0.3; loss += 0.01) {
      const score = meanOpinionScore({ ...clean, packetLoss: loss });
      expect(score).toBeLessThanOrEqual(last);
      last = score;
    }
    for (const field of ['roundTripTimeMs', 'jitterMs'] as const) {
      last = Number.POSITIVE_INFINITY;
      for (let ms = 0; ms <= 2_000; ms += 50) {
        const score = meanOpinionScore({ ...clean, [field]: ms });
        expect(score).toBeLessThanOrEqual(last);
        last = score;
      }
    }
  });

  it('reads unknown numbers (a first sample) as perfect rather than guessing', () => {
    expect(qualityOf({ packetLoss: null, roundTripTimeMs: null, jitterMs: null, receiving: true })).toBe(
      'excellent',
    );
  });

  it('README: the threshold table says what QUALITY_THRESHOLDS says', () => {
    const rows = Object.fromEntries(tableRows('quality-thresholds').map(([level, when]) => [level, when]));
    expect(rows).toEqual({
      excellent: `score ≥ ${QUALITY_THRESHOLDS.excellentMos}`,
      good: `${QUALITY_THRESHOLDS.goodMos} ≤ score < ${QUALITY_THRESHOLDS.excellentMos}`,
      poor: `score < ${QUALITY_THRESHOLDS.goodMos}`,
      lost: 'no media packet arrived during the last interval (media stopped)',
    });
    expect(README).toContain(`\`lossWeight\` is ${QUALITY_THRESHOLDS.lossWeight} `);
  });

  it('README: every example row is what qualityOf gives', () => {
    const rows = tableRows('quality-examples');
    expect(rows.length).toBeGreaterThan(5);
    for (const [loss, rtt, jitter, level] of rows) {
      const inputs: QualityInputs = {
        packetLoss: Number.parseFloat(loss!) / 100,
        roundTripTimeMs: Number.parseFloat(rtt!),
        jitterMs: Number.parseFloat(jitter!),
        receiving: true,
      };
      expect({ loss, rtt, jitter, level: qualityOf(inputs) }).toEqual({ loss, rtt, jitter, level });
    }
  });
});
