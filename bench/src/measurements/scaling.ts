// 6. Scaling: signaling-only calls (invite, ringing, answer, candidates both ways, hangup) through one
// Handset server node, and through two nodes joined by Redis with every caller on one node and every
// callee on the other, as the number of concurrent calls grows.
import {
  benchSecret,
  type LoadProblems,
  type ServerProcess,
  startLoadProcess,
  startServerProcess,
  stopServerProcess,
} from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import type { CallsResult } from '../load/calls.js';
import { type Redis, redisVersion, startRedis } from '../servers/redis.js';

type Topology = 'one node' | 'two nodes + Redis';
const TOPOLOGIES: Topology[] = ['one node', 'two nodes + Redis'];

/** The container's hard limit is 20,000 open files per process: at most 10,000 connections per side. */
const MAX_PAIRS = 5_000;
const CALLS_PER_SLOT = 2;

function levels(quick: boolean): number[] {
  return quick ? [50, 200, 500] : [100, 1_000, 10_000];
}

async function run(context: BenchContext): Promise<Section> {
  const secret = benchSecret();
  const load = startLoadProcess();
  let redis: Redis | null = null;
  const servers: ServerProcess[] = [];
  const results = new Map<string, CallsResult[]>();
  const problems: string[] = [];
  try {
    redis = await startRedis();
    const single = await startServerProcess({ kind: 'handset', secret, nodeId: 'single' });
    servers.push(single);
    const nodeA = await startServerProcess({
      kind: 'handset',
      secret,
      redisUrl: redis.url,
      nodeId: 'node-a',
    });
    servers.push(nodeA);
    const nodeB = await startServerProcess({
      kind: 'handset',
      secret,
      redisUrl: redis.url,
      nodeId: 'node-b',
    });
    servers.push(nodeB);
    const urls: Record<Topology, string[]> = {
      'one node': [single.url],
      'two nodes + Redis': [nodeA.url, nodeB.url],
    };
    for (const concurrent of levels(context.quick)) {
      const pairs = Math.min(concurrent, MAX_PAIRS);
      const slotsPerPair = Math.ceil(concurrent / pairs);
      for (let round = 0; round < context.runs; round += 1) {
        const order = round % 2 === 0 ? TOPOLOGIES : [...TOPOLOGIES].reverse();
        for (const topology of order) {
          await load.call(
            'openWs',
            {
              kind: 'handset',
              urls: urls[topology],
              prefix: `s${concurrent}-${round}-${topology[0]}-`,
              count: pairs * 2,
              secret,
              concurrency: 100,
            },
            300_000,
          );
          const result = await load.call<CallsResult>(
            'calls',
            { slotsPerPair, callsPerSlot: CALLS_PER_SLOT, timeLimitMs: 120_000 },
            180_000,
          );
          await load.call('closeAll');
          const trouble = await load.call<LoadProblems>('problems');
          if (result.timedOut || trouble.errorFrames > 0 || trouble.unexpectedCloses > 0) {
            problems.push(
              `${concurrent} calls, ${topology}, run ${round + 1}: ${result.timedOut ? `timed out after ${result.completed} calls; ` : ''}${trouble.errorFrames} errors, ${trouble.unexpectedCloses} unexpected closes ${trouble.lastError}`.trim(),
            );
          }
          const key = `${concurrent}|${topology}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          context.log(
            `scaling ${concurrent} calls, ${topology}, run ${round + 1}: ${formatNumber(result.callsPerSecond)} calls/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`,
          );
        }
      }
    }
  } finally {
    await load.stop();
    for (const server of servers) await stopServerProcess(server);
    await redis?.stop();
  }
  const m = (concurrent: number, topology: Topology, field: 'callsPerSecond' | 'p50Ms' | 'p99Ms') =>
    median((results.get(`${concurrent}|${topology}`) ?? []).map((r) => r[field]));
  const [first = 0] = levels(context.quick);
  const rows = levels(context.quick).flatMap((concurrent) =>
    TOPOLOGIES.map((topology) => [
      formatNumber(concurrent),
      topology,
      formatNumber(m(concurrent, topology, 'callsPerSecond')),
      ratio(m(concurrent, topology, 'callsPerSecond'), m(concurrent, 'one node', 'callsPerSecond')),
      m(concurrent, topology, 'p50Ms').toFixed(1),
      m(concurrent, topology, 'p99Ms').toFixed(1),
      ratio(m(concurrent, topology, 'p50Ms'), m(first, topology, 'p50Ms')),
    ]),
  );
  const top = levels(context.quick).at(-1) ?? first;
  const oneNode = m(top, 'one node', 'callsPerSecond');
  const twoNodes = m(top, 'two nodes + Redis', 'callsPerSecond');
  return {
    title: '6. Scaling: signaling-only call set-ups',
    parameters: `concurrent calls ${levels(context.quick)
      .map((n) => formatNumber(n))
      .join(
        ' → ',
      )}; each concurrent call slot runs ${CALLS_PER_SLOT} calls back to back; up to ${formatNumber(MAX_PAIRS)} pairs of connections (beyond that, several calls share a pair); redis-server ${redisVersion()}`,
    tables: [
      {
        columns: [
          'concurrent calls',
          'topology',
          'call set-ups/s',
          'ratio to one node',
          'time per call p50 (ms)',
          'p99 (ms)',
          `p50 ratio to ${formatNumber(first)} calls`,
        ],
        rows,
      },
    ],
    notes: [
      'A call is 6 envelopes through the server: invite (~1 KB SDP), ringing, answer (~1 KB SDP), candidates from each side, hangup; its time runs from the invite leaving the caller to the hangup reaching the callee.',
      'With two nodes every caller is connected to node A and every callee to node B, so every envelope crosses Redis (the worst case); call membership is checked in Redis too.',
      "Both topologies share the machine's 2 cores: the second node adds routing work rather than capacity here; the figure shows the cost of the Redis hop, not the gain of a second machine.",
      `The container allows 20,000 open files per process (hard limit), so the 10,000-call level uses ${formatNumber(MAX_PAIRS)} pairs of connections with 2 calls each.`,
      ...problems,
    ],
    ahead: [],
    behind: [
      `two nodes joined by Redis carry ${ratio(twoNodes, oneNode)} the call set-ups/s of one node at ${formatNumber(top)} concurrent calls (same 2 cores)`,
    ],
  };
}

export const scaling: Measurement = { name: 'scaling', run };
