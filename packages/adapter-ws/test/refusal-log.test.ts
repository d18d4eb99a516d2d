// A flood of refusals must not flood the log: each kind of per-attempt refusal is logged in full a few
// times, then counted and summarized (`refusals-unlogged`), so the log stays bounded however many arrive.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { createServerLog, REFUSAL_LOG } from '../src/server/logger.js';
import { tryOpen } from './support/front-door.js';
import { type LogEntry, rawClient, startTestServer } from './support/harness.js';

let server: (SignalServer & { logs: LogEntry[] }) | undefined;

afterEach(async () => {
  await server?.close({ drainMs: 100 });
  server = undefined;
});

/** Runs `attempt` `count` times, `parallel` at a time (bounded, so the test never floods itself). */
async function repeat(count: number, parallel: number, attempt: () => Promise<void>): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started += 1;
      await attempt();
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

/** No front-door rate limit gets in the way: every attempt reaches the refusal under test. */
const OPEN_DOOR = { addressConnectsPerSecond: 10_000, addressConnectBurst: 10_000 };

const summed = (logs: LogEntry[], field: string) =>
  logs.filter((e) => e.event === 'refusals-unlogged').reduce((sum, e) => sum + Number(e[field] ?? 0), 0);

describe('refusal logging under a flood', () => {
  it('500 upgrades from a refused origin give a bounded number of log entries, and a summary counts the rest', async () => {
    const s = await startTestServer({ allowedOrigins: ['https://app.example.com'], limits: OPEN_DOOR });
    server = s;
    let refused = 0;
    await repeat(500, 20, async () => {
      const attempt = await tryOpen(s.url, { origin: 'https://evil.example' });
      if (!attempt.ok && attempt.status === 403) refused += 1;
    });
    expect(refused).toBe(500);
    await s.close({ drainMs: 100 });
    const logged = s.logs.filter((e) => e.event === 'origin-refused');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(REFUSAL_LOG.loggedPerPeriod * 2);
    // Every refusal is accounted for: logged in full, or counted in a summary (the last one at close).
    expect(logged.length + summed(s.logs, 'originRefused')).toBe(500);
    expect(s.logs.length).toBeLessThan(60);
  });

  it('200 hellos with a bad token give a bounded number of connection-refused entries, and a summary counts the rest', async () => {
    const s = await startTestServer({ limits: OPEN_DOOR });
    server = s;
    let closed = 0;
    await repeat(200, 10, async () => {
      const client = await rawClient(s);
      client.send(JSON.stringify({ kind: 'hello', token: 'not-a-token' }));
      await client.closed;
      closed += 1;
    });
    expect(closed).toBe(200);
    await s.close({ drainMs: 100 });
    const logged = s.logs.filter((e) => e.event === 'connection-refused');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(REFUSAL_LOG.loggedPerPeriod * 2);
    expect(logged.length + summed(s.logs, 'connectionRefused')).toBe(200);
  });
});

describe('the refusal summary', () => {
  it('is written at the end of each period, and a new period logs in full again', () => {
    vi.useFakeTimers();
    try {
      const seen: LogEntry[] = [];
      const { log, close } = createServerLog((level, event, fields) =>
        seen.push({ ...fields, level, event }),
      );
      const refuse = () => log('warn', 'origin-refused', { origin: 'https://evil.example' });
      for (let i = 0; i < REFUSAL_LOG.loggedPerPeriod + 5; i += 1) refuse();
      log('info', 'session-open', { userId: 'ann' });
      expect(seen.filter((e) => e.event === 'refusals-unlogged')).toEqual([]);
      vi.advanceTimersByTime(REFUSAL_LOG.periodMs);
      expect(seen.filter((e) => e.event === 'refusals-unlogged')).toMatchObject([
        { level: 'warn', ns: 'handset:ws', originRefused: 5 },
      ]);
      refuse();
      close();
      expect(seen.filter((e) => e.event === 'origin-refused')).toHaveLength(REFUSAL_LOG.loggedPerPeriod + 1);
      // Other events are never throttled, and a period with nothing unlogged writes no summary.
      expect(seen.filter((e) => e.event === 'session-open')).toHaveLength(1);
      expect(seen.filter((e) => e.event === 'refusals-unlogged')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
