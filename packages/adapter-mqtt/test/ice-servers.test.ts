// The app's source of ICE servers (a token service next to mosquitto): asked again before what it gave expires,
// and a failure or a malformed answer keeps the last good set. A hand-driven clock runs the schedule.
import type { Clock, IceServerConfig } from '@handset/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ICE_REFRESH_MS, ICE_RETRY_MS, pollIceServers, refreshDelayMs } from '../src/ice-servers.js';

/** Records each timer; `fire()` runs the latest one. */
function manualClock() {
  const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
  const clock: Clock = {
    setTimeout(callback, ms) {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      if (handle) (handle as { cleared: boolean }).cleared = true;
    },
  };
  return { clock, timers, fire: () => timers.at(-1)?.callback() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const relay = (expiresInSeconds: number): IceServerConfig[] => [
  {
    urls: ['turn:127.0.0.1:3478?transport=udp'],
    username: `${Math.floor(Date.now() / 1000) + expiresInSeconds}:alice`,
    credential: 'c2VjcmV0',
  },
];

describe('the refresh schedule', () => {
  it('asks again at three quarters of the earliest credential’s remaining life', () => {
    const now = Date.now();
    const servers = [...relay(3600), ...relay(600)];
    expect(refreshDelayMs(servers, now)).toBeGreaterThan(440_000);
    expect(refreshDelayMs(servers, now)).toBeLessThanOrEqual(450_000);
  });

  it('falls back to 45 minutes for servers without a TURN REST username', () => {
    expect(refreshDelayMs([{ urls: 'stun:stun.example.com' }], Date.now())).toBe(DEFAULT_ICE_REFRESH_MS);
  });
});

describe('pollIceServers', () => {
  it('offers the first answer, then calls the source again when the timer before expiry fires', async () => {
    const { clock, timers, fire } = manualClock();
    const offered: IceServerConfig[][] = [];
    let calls = 0;
    const stop = pollIceServers(
      async () => {
        calls += 1;
        return relay(600);
      },
      (servers) => offered.push(servers),
      () => {},
      clock,
    );
    await settle();
    expect(calls).toBe(1);
    expect(offered).toHaveLength(1);
    expect(timers.at(-1)?.ms).toBeLessThanOrEqual(450_000);
    fire();
    await settle();
    expect(calls).toBe(2);
    expect(offered).toHaveLength(2);
    stop();
    expect(timers.at(-1)?.cleared).toBe(true);
  });

  it('keeps the last good set when the source throws or answers malformed, and retries in 30 s', async () => {
    const { clock, timers, fire } = manualClock();
    const offered: IceServerConfig[][] = [];
    const events: string[] = [];
    const answers: (() => Promise<unknown>)[] = [
      async () => relay(600),
      async () => {
        throw new Error('token service down');
      },
      async () => [{ urls: 42 }],
    ];
    pollIceServers(
      () => (answers.shift() ?? (async () => relay(600)))() as Promise<IceServerConfig[]>,
      (servers) => offered.push(servers),
      (_level, event) => events.push(event),
      clock,
    );
    await settle();
    fire();
    await settle();
    expect(timers.at(-1)?.ms).toBe(ICE_RETRY_MS);
    fire();
    await settle();
    expect(timers.at(-1)?.ms).toBe(ICE_RETRY_MS);
    expect(offered).toHaveLength(1);
    expect(events).toEqual(['ice-servers-unavailable', 'ice-servers-dropped']);
  });

  it('offers nothing after stop, even from a call already under way', async () => {
    const { clock } = manualClock();
    const offered: IceServerConfig[][] = [];
    const stop = pollIceServers(
      async () => relay(600),
      (servers) => offered.push(servers),
      () => {},
      clock,
    );
    stop();
    await settle();
    expect(offered).toEqual([]);
  });
});
