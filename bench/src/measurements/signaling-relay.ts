// 1. Signaling relay over WebSocket: throughput with every pair sending ~1 KB envelopes, and latency at a
// fixed moderate rate, for Handset's server, PeerJS's server and a bare ws relay (the ceiling).
import {
  benchSecret,
  type ServerProcess,
  startLoadProcess,
  startServerProcess,
  stopServerProcess,
} from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, ratio } from '../harness/stats.js';
import type { WsKind } from '../load/ws-links.js';
import { measureRelayRun, RelaySeries, type RelaySize } from './relay-run.js';

export const WS_SYSTEMS: { kind: WsKind; label: string }[] = [
  { kind: 'handset', label: 'Handset server (@handset/adapter-ws/server)' },
  { kind: 'peerjs', label: 'PeerJS server (peer@1.0.2)' },
  { kind: 'bare', label: 'bare ws relay, no validation (ceiling)' },
];

function sizes(quick: boolean): RelaySize {
  return quick
    ? { pairs: 20, window: 8, total: 20_000, rate: 500, count: 1_000 }
    : { pairs: 50, window: 16, total: 100_000, rate: 1_000, count: 4_000 };
}

async function run(context: BenchContext): Promise<Section> {
  const size = sizes(context.quick);
  const secret = benchSecret();
  const servers = new Map<WsKind, ServerProcess>();
  const load = startLoadProcess();
  const series = new RelaySeries<WsKind>();
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
        const result = await measureRelayRun(load, server.child.pid, size);
        series.add(kind, round, result);
        context.log(`relay ${kind} run ${round + 1}: ${RelaySeries.describe(result)}`);
      }
    }
  } finally {
    await load.stop();
    for (const server of servers.values()) await stopServerProcess(server);
  }
  const ours = series.median('handset', 'perSecond');
  const peer = series.median('peerjs', 'perSecond');
  const oursCpu = series.median('handset', 'cpuPerEnvelope');
  const peerCpu = series.median('peerjs', 'cpuPerEnvelope');
  const bareCpu = series.median('bare', 'cpuPerEnvelope');
  const finding = `WebSocket relay ${oursCpu.toFixed(0)} µs server CPU per envelope vs PeerJS ${peerCpu.toFixed(0)} µs (${ratio(oursCpu, peerCpu)}; throughput ${ratio(ours, peer)} of PeerJS's)`;
  return {
    title: '1. Signaling relay over WebSocket',
    parameters: `${size.pairs} pairs (${size.pairs * 2} connections), ~1 KB \`answer\` envelopes; throughput: ${size.window} envelopes in flight per pair, ${formatNumber(size.total)} envelopes per run; latency: ${size.rate} envelopes/s in total, ${formatNumber(size.count)} per run`,
    tables: [
      {
        columns: ['server', ...RelaySeries.columns.map((c) => (c.includes('ratio') ? `${c} to Handset` : c))],
        rows: WS_SYSTEMS.map(({ kind, label }) => [label, ...series.row(kind, 'handset')]),
      },
    ],
    notes: [
      'Throughput counts envelopes delivered to their addressee per second; every delivery triggers the next send, so the load adapts to the server.',
      "Server CPU per envelope is the server process's user+system CPU time during the throughput run (read from /proc) divided by the envelopes delivered; on a shared machine it is steadier than the wall-clock rate.",
      'Latency is one-way, send to arrival, both ends in the load process (one clock).',
      "Handset's server validates each envelope with core's `decodeEnvelope`, stamps `from`, checks call membership and relays the sender's own text when it provably says exactly the validated envelope (else re-encodes); PeerJS's parses, adds `src` and re-encodes; the bare relay parses to read `to` and forwards the original bytes.",
      "Handset's traffic budgets (per connection, user and address: 50, 100 and 400 frames/s by default; every bench connection comes from 127.0.0.1) and idle timeout are raised for the bench; everything else is the default configuration.",
      `Handset's server spends ${ratio(oursCpu, bareCpu)} the CPU per envelope of the bare relay.`,
      ...WS_SYSTEMS.flatMap(({ kind }) => series.saturationNote(kind, kind) ?? []),
      ...series.problems,
    ],
    ahead: oursCpu <= peerCpu ? [finding] : [],
    behind: [
      ...(oursCpu > peerCpu ? [finding] : []),
      `validating, stamping and membership checks cost ${ratio(oursCpu, bareCpu)} the CPU per envelope of a bare ws relay`,
    ],
  };
}

export const signalingRelay: Measurement = { name: 'relay', run };
