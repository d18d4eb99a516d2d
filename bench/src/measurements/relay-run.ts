// One relay run on links the load process has already opened: a warm-up, the throughput run (with the
// server's CPU time around it), then the fixed-rate latency run. Shared by the WebSocket and MQTT relays.
import type { ChildHandle } from '../harness/child.js';
import { cpuMicros } from '../harness/cpu-time.js';
import type { LoadProblems } from '../harness/processes.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import type { EchoResult } from '../load/echo.js';
import type { LatencyResult } from '../load/latency.js';

export interface RelaySize {
  pairs: number;
  window: number;
  total: number;
  rate: number;
  count: number;
}

export interface RelayRun {
  perSecond: number;
  cpuPerEnvelope: number;
  p50Ms: number;
  p99Ms: number;
  /** Share of the throughput run's wall time the load process spent on CPU: near 1, the client was the limit. */
  loadBusy: number;
  problem: string | null;
}

export async function measureRelayRun(
  load: ChildHandle,
  serverPid: number,
  size: RelaySize,
): Promise<RelayRun> {
  await load.call('echo', { window: 2, total: Math.min(500, size.total), timeLimitMs: 20_000 });
  const cpuBefore = cpuMicros(serverPid);
  const loadBefore = cpuMicros(load.pid);
  const echo = await load.call<EchoResult>('echo', {
    window: size.window,
    total: size.total,
    timeLimitMs: 60_000,
  });
  const cpuUsed = cpuMicros(serverPid) - cpuBefore;
  const loadUsed = cpuMicros(load.pid) - loadBefore;
  const latency = await load.call<LatencyResult>('latency', {
    ratePerSecond: size.rate,
    count: size.count,
    timeLimitMs: 60_000,
  });
  await load.call('closeAll');
  const trouble = await load.call<LoadProblems>('problems');
  const lost = latency.sent - latency.received;
  const problem =
    echo.timedOut || lost > 0 || trouble.errorFrames > 0 || trouble.unexpectedCloses > 0
      ? `${echo.timedOut ? 'throughput run hit its time limit; ' : ''}${lost} latency envelopes lost; ${trouble.errorFrames} errors, ${trouble.unexpectedCloses} unexpected closes ${trouble.lastError}`.trim()
      : null;
  return {
    perSecond: echo.perSecond,
    cpuPerEnvelope: echo.received > 0 ? cpuUsed / echo.received : Number.NaN,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    loadBusy: loadUsed / 1000 / echo.elapsedMs,
    problem,
  };
}

/** Runs per system, reduced to medians for the table. */
export class RelaySeries<K extends string> {
  private readonly runs = new Map<K, RelayRun[]>();
  readonly problems: string[] = [];

  add(kind: K, round: number, run: RelayRun): void {
    this.runs.set(kind, [...(this.runs.get(kind) ?? []), run]);
    if (run.problem) this.problems.push(`${kind} run ${round + 1}: ${run.problem}`);
  }

  median(kind: K, field: Exclude<keyof RelayRun, 'problem'>): number {
    return median((this.runs.get(kind) ?? []).map((run) => run[field]));
  }

  /** A note when the load process, not the server, was the limit of a system's throughput. */
  saturationNote(kind: K, label: string): string | null {
    const busy = this.median(kind, 'loadBusy');
    return busy > 0.85
      ? `${label}: the load process was busy ${(busy * 100).toFixed(0)}% of the throughput run, so this throughput is (close to) the client's limit, not the server's; compare CPU per envelope instead.`
      : null;
  }

  static describe(run: RelayRun): string {
    return `${formatNumber(run.perSecond)} envelopes/s, ${run.cpuPerEnvelope.toFixed(1)} µs CPU/envelope, p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, load busy ${(run.loadBusy * 100).toFixed(0)}%`;
  }

  static readonly columns = [
    'throughput (envelopes/s)',
    'throughput ratio',
    'server CPU per envelope (µs)',
    'CPU ratio',
    'latency p50 (ms)',
    'latency p99 (ms)',
    'p99 ratio',
  ];

  row(kind: K, reference: K): string[] {
    const m = (field: Exclude<keyof RelayRun, 'problem'>) => this.median(kind, field);
    const r = (field: Exclude<keyof RelayRun, 'problem'>) => ratio(m(field), this.median(reference, field));
    return [
      formatNumber(m('perSecond')),
      r('perSecond'),
      m('cpuPerEnvelope').toFixed(1),
      r('cpuPerEnvelope'),
      m('p50Ms').toFixed(2),
      m('p99Ms').toFixed(2),
      r('p99Ms'),
    ];
  }
}
