// A user's frame budget holds across the nodes of a cluster (two servers joined by a real redis-server):
// connections on two nodes together get one user's budget, not one per node; Redis down falls back to
// each node's own budget.
import { encodeEnvelope } from '@handset/core';
import { afterEach, describe, expect, it } from 'vitest';
import { USER_BUDGET_REPORT_MS } from '../src/server/cluster-user-budget.js';
import type { SignalServer, SignalServerLimits } from '../src/server/index.js';
import { type AddressedClient, loginFrom } from './support/front-door.js';
import { ringing, startTestServer } from './support/harness.js';
import { UNLIMITED } from './support/limits.js';
import { startRedis, type TestRedis } from './support/redis.js';

const PER_SECOND = 40;
const BURST = 40;
/** Only the user's frame budget binds; nobody is closed for being dropped. */
const LIMITS: Partial<SignalServerLimits> = {
  ...UNLIMITED,
  userMessagesPerSecond: PER_SECOND,
  userMessageBurst: BURST,
  rateViolationsBeforeClose: 1e9,
};

let redis: TestRedis | null = null;
const nodes: SignalServer[] = [];
const clients: AddressedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const node of nodes.splice(0)) await node.close({ drainMs: 100 });
  await redis?.stop();
  redis = null;
});

async function login(node: SignalServer, userId: string): Promise<AddressedClient> {
  const client = await loginFrom(node.url, node.issueToken(userId), '127.0.0.1');
  clients.push(client);
  return client;
}

/** Round-trips a ping: the server has handled what this client sent before. A ping is a frame too, dropped
 * while the user's budget is spent, so it is retried (every 500 ms, for at most 10 s) until one is answered. */
async function settle(client: AddressedClient): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const t = Math.random();
    client.send(JSON.stringify({ kind: 'ping', t }));
    try {
      await client.next((f) => f.kind === 'pong' && f.t === t, 500);
      return;
    } catch {
      // Dropped for rate: the budget refills; ask again.
    }
  }
  throw new Error('no pong within 10 s');
}

/**
 * Mallory sends Bob `ringing` frames from one connection on each node, 2 per millisecond-ish tick pair,
 * for `seconds` (bounded: at most 1,000 frames a connection a second). Returns what reached Bob.
 */
async function flood(a: SignalServer, b: SignalServer, seconds: number): Promise<number> {
  const bob = await login(a, 'bob');
  const senders = [await login(a, 'mallory'), await login(b, 'mallory')];
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    for (const sender of senders) sender.send(encodeEnvelope(ringing('mallory', 'bob')));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(senders.map(settle));
  // Frames relayed through Redis arrive after their sender's pong: give them the same time to land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await settle(bob);
  return bob.frames.filter((f) => f.from === 'mallory').length;
}

describe("a user's budget across nodes", () => {
  it('two nodes together let one user through at most its budget, plus the documented overshoot', async () => {
    redis = await startRedis();
    const url = redis.url;
    nodes.push(await startTestServer({ redis: { url }, nodeId: 'node-a', limits: LIMITS }));
    nodes.push(await startTestServer({ redis: { url }, nodeId: 'node-b', limits: LIMITS }));
    const [a, b] = nodes as [SignalServer, SignalServer];
    const seconds = 4;
    const delivered = await flood(a, b, seconds);
    // The README's bound: each node may spend, unreported, one report interval's worth of its own budget.
    const overshoot = nodes.length * (BURST + (PER_SECOND * USER_BUDGET_REPORT_MS) / 1000);
    // Each node granting the whole budget would let through about 2 × (40 + 40 × 4) = 400.
    expect(delivered).toBeLessThanOrEqual(BURST + PER_SECOND * (seconds + 1) + overshoot);
    // The budget is spent, not withheld: at least what one node alone grants over most of the run.
    expect(delivered).toBeGreaterThanOrEqual(BURST + PER_SECOND * (seconds / 2));
  });

  it("with Redis gone, each node still grants its own budget (honest users keep talking), and uses the cluster's again once Redis is back", async () => {
    redis = await startRedis();
    const url = redis.url;
    nodes.push(await startTestServer({ redis: { url }, nodeId: 'node-c', limits: LIMITS }));
    nodes.push(await startTestServer({ redis: { url }, nodeId: 'node-d', limits: LIMITS }));
    const [c, d] = nodes as [SignalServer, SignalServer];
    const bob = await login(c, 'bob');
    const mallory = await login(c, 'mallory');
    await login(d, 'mallory');
    const { port } = redis;
    await redis.stop();
    redis = null;
    for (let i = 0; i < BURST - 1; i += 1) mallory.send(encodeEnvelope(ringing('mallory', 'bob')));
    await settle(mallory);
    await settle(bob);
    expect(bob.frames.filter((f) => f.from === 'mallory').length).toBeGreaterThanOrEqual(BURST / 2);
    const logs = (c as SignalServer & { logs: { event: string }[] }).logs;
    await expect
      .poll(() => logs.some((entry) => entry.event === 'user-budget-unavailable'), { timeout: 3_000 })
      .toBe(true);
    redis = await startRedis({ port });
    // The node reconnects on its own; the next report after a frame charges Redis again.
    await expect
      .poll(
        () => {
          mallory.send(encodeEnvelope(ringing('mallory', 'bob')));
          return logs.some((entry) => entry.event === 'user-budget-restored');
        },
        { timeout: 8_000, interval: 250 },
      )
      .toBe(true);
  });
});
