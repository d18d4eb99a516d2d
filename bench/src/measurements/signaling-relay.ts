// 1. Signaling relay over WebSocket: throughput with every pair sending ~1 KB envelopes, and latency at a
// fixed moderate rate, for Handset's server, PeerJS's server and a bare ws relay (the ceiling).
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
import type { EchoResult } from '../load/echo.js';
import type { LatencyResult } from '../load/latency.js';
import type { WsKind } from '../load/ws-links.js';

export const WS_SYSTEMS: { kind: WsKind; label: string }[] = [
  { kind: 'handset', label: 'Handset server (@handset/adapter-ws/server)' },
  { kind: 'peerjs', label: 'PeerJS server (peer@1.0.2)' },
  { kind: 'bare', label: 'bare ws relay, no validation (ceiling)' },
];

function sizes(quick: boolean) {
  return quick
    ? { pairs: 20, window: 8, total: 20_000, rate: 500, count: 1_000 }
    : { pairs: 50, window: 16, total: 100_000, rate: 1_000, count: 4_000 };
}

async function run(context: BenchContext): Promise<Section> {
  const size = sizes(context.quick);
  const secret = benchSecret();
  const servers = new Map<WsKind, ServerProcess>();
  const load = startLoadProcess();
  const throughput = new Map<WsKind, number[]>();
  const p50 = new Map<WsKind, number[]>();
  const p99 = new Map<WsKind, number[]>();
  const problems: string[] = [];
  try {
    for (const { kind } of WS_SYSTEMS) servers.set(kind, await startServerProcess({ kind, secret }));
    for (let round = 0; round < context.runs; round += 1) {
      // Rotate the order so no system always runs first (or last) in a round.
      const order = WS_SYSTEMS.map((_, i) => WS_SYSTEMS[(i + round) % WS_SYSTEMS.length]?.kind as WsKind);
      for (const kind of order) {
        const server = servers.get(kind) as ServerProcess;
        await load.call('openWs', {
          kind,
          urls: [server.url],
          prefix: `r${round}${kind[0]}`,
          count: size.pairs * 2,
          secret,
          concurrency: 50,
        });
        await load.call('echo', { window: 2, total: 500, timeLimitMs: 20_000 }); // warm-up
        const echo = await load.call<EchoResult>('echo', {
          window: size.window,
          total: size.total,
          timeLimitMs: 60_000,
        });
        const latency = await load.call<LatencyResult>('latency', {
          ratePerSecond: size.rate,
          count: size.count,
          timeLimitMs: 60_000,
        });
        await load.call('closeAll');
        const trouble = await load.call<LoadProblems>('problems');
        if (
          echo.timedOut ||
          latency.received < latency.sent ||
          trouble.errorFrames ||
          trouble.unexpectedCloses
        ) {
          problems.push(
            `${kind} run ${round + 1}: ${echo.timedOut ? 'throughput run hit its time limit; ' : ''}${latency.sent - latency.received} latency envelopes lost; ${trouble.errorFrames} error frames, ${trouble.unexpectedCloses} unexpected closes ${trouble.lastError}`,
          );
        }
        throughput.set(kind, [...(throughput.get(kind) ?? []), echo.perSecond]);
        p50.set(kind, [...(p50.get(kind) ?? []), latency.p50Ms]);
        p99.set(kind, [...(p99.get(kind) ?? []), latency.p99Ms]);
        context.log(
          `relay ${kind} run ${round + 1}: ${formatNumber(echo.perSecond)} msg/s, p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    await load.stop();
    for (const server of servers.values()) await stopServerProcess(server);
  }
  const m = (series: Map<WsKind, number[]>, kind: WsKind) => median(series.get(kind) ?? []);
  const rows = WS_SYSTEMS.map(({ kind, label }) => [
    label,
    formatNumber(m(throughput, kind)),
    ratio(m(throughput, kind), m(throughput, 'handset')),
    m(p50, kind).toFixed(2),
    m(p99, kind).toFixed(2),
    ratio(m(p99, kind), m(p99, 'handset')),
  ]);
  const ours = m(throughput, 'handset');
  const peer = m(throughput, 'peerjs');
  const ceiling = m(throughput, 'bare');
  const relayFinding = `relay ${formatNumber(ours)} msg/s vs PeerJS server ${formatNumber(peer)} (${ratio(ours, peer)})`;
  return {
    title: '1. Signaling relay over WebSocket',
    parameters: `${size.pairs} pairs (${size.pairs * 2} connections), ~1 KB \`answer\` envelopes; throughput: ${size.window} envelopes in flight per pair, ${formatNumber(size.total)} envelopes per run; latency: ${size.rate} envelopes/s in total, ${formatNumber(size.count)} per run`,
    tables: [
      {
        columns: [
          'server',
          'throughput (envelopes/s)',
          'throughput ratio to Handset',
          'latency p50 (ms)',
          'latency p99 (ms)',
          'p99 ratio to Handset',
        ],
        rows,
      },
    ],
    notes: [
      'Throughput counts envelopes delivered to their addressee per second; every delivery triggers the next send, so the load adapts to the server.',
      "Handset's server validates each envelope with core's `decodeEnvelope`, stamps `from`, checks call membership and re-encodes; PeerJS parses, adds `src` and re-encodes; the bare relay parses to read `to` and forwards the original bytes.",
      "Handset's per-connection rate limit (50 frames/s by default) is raised for this measurement, as is its idle timeout; everything else is the default configuration.",
      `Handset reaches ${ratio(ours, ceiling)} of the bare relay's throughput.`,
      ...problems,
    ],
    ahead: ours >= peer ? [relayFinding] : [],
    behind: [
      ...(ours < peer ? [relayFinding] : []),
      `relay throughput ${ratio(ours, ceiling)} of a bare ws relay with no validation`,
    ],
  };
}

export const signalingRelay: Measurement = { name: 'relay', run };
