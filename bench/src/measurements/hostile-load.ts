// 7. Honest latency under hostile load: how slow an honest step in a call, `/health` and a new
// login get while an attacker sends N bad frames per second, for Handset's server as shipped (the
// `handset-signal` CLI, default limits), PeerJS's server and a bare ws relay, in the same run.
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '@handset/adapter-ws/server';
import { type ChildHandle, startChild } from '../harness/child.js';
import { cpuMicros } from '../harness/cpu-time.js';
import { benchSecret } from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import type { ProbeReport, ProbeTarget } from '../load/honest-probe.js';
import type { FloodOptions, FloodReport } from '../load/hostile-flood.js';
import { describeMix } from '../load/hostile-frames.js';
import type { WsKind } from '../load/ws-links.js';
import { peerJsAsDocumented, runQueueWaitNs, type SystemUnderTest, startSystem } from './hostile-systems.js';

const SYSTEMS: { kind: WsKind; label: string }[] = [
  { kind: 'handset', label: 'Handset (`handset-signal`, default limits)' },
  { kind: 'peerjs', label: "PeerJS server (peer@1.0.2) + an 'error' listener" },
  { kind: 'bare', label: 'bare ws relay, no validation' },
];

/** The honest step p99 a server must stay under for its level to count as "kept". */
const KEPT_P99_MS = 100;
const HONEST_PAIRS = 4;
const HONEST_STEPS_PER_SECOND = 40;
const HELD_HOSTILE_CONNECTIONS = 8;
/** Hostile traffic comes from 127.0.0.2–127.0.0.9; honest traffic from 127.0.0.1. */
const HOSTILE_SOURCES = Array.from({ length: 8 }, (_, index) => `127.0.0.${index + 2}`);
const MAX_SILENT_SOCKETS = 1_000;

/** The rate, connection and deadline limits of the server's defaults, as this tree's build has them. */
function describeDefenceLimits(): string {
  if (process.env.HANDSET_SIGNAL_CLI) return 'those of the build at HANDSET_SIGNAL_CLI';
  return Object.entries(DEFAULT_LIMITS as unknown as Record<string, number>)
    .filter(([name]) => /PerSecond$|BeforeClose$|TimeoutMs$|PerAddress$|^maxPending/.test(name))
    .map(([name, value]) => `\`${name}\` ${formatNumber(value)}`)
    .join(', ');
}

const childPath = fileURLToPath(new URL('../load/hostile-load-child.ts', import.meta.url));

interface Size {
  levels: number[];
  windowMs: number;
}

function sizes(quick: boolean): Size {
  return quick
    ? { levels: [0, 1_000, 5_000], windowMs: 3_000 }
    : { levels: [0, 1_000, 5_000, 20_000], windowMs: 6_000 };
}

const silentSocketsAt = (level: number) => Math.min(MAX_SILENT_SOCKETS, Math.round(level / 20));

interface LevelRun {
  probe: ProbeReport;
  flood: FloodReport | null;
  /** Server CPU time over the honest window, as a share of one core. */
  serverCpu: number;
  /** Time the server's main thread was ready to run but waited for a core, as a share of the window. */
  serverWaited: number;
}

async function runLevel(
  system: SystemUnderTest,
  level: number,
  secret: string,
  windowMs: number,
  children: { probe: ChildHandle; flood: ChildHandle },
): Promise<LevelRun> {
  const target: ProbeTarget = { ...system.target, secret };
  const { victims } = await children.probe.call<{ victims: FloodOptions['victims'] }>('openHonest', {
    target,
    pairs: HONEST_PAIRS,
  });
  try {
    if (level > 0) {
      const options: FloodOptions = {
        kind: target.kind,
        url: target.url,
        secret,
        ratePerSecond: level,
        heldConnections: HELD_HOSTILE_CONNECTIONS,
        silentSockets: silentSocketsAt(level),
        sourceAddresses: HOSTILE_SOURCES,
        victims,
        timeLimitMs: windowMs + 30_000,
      };
      await children.flood.call('startFlood', options, 30_000);
      // Let the flood reach its rate (and the server its first refusals) before the honest clock starts.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const cpuBefore = cpuMicros(system.pid);
    const waitBefore = runQueueWaitNs(system.pid);
    const started = performance.now();
    const probe = await children.probe.call<ProbeReport>(
      'probe',
      { target, durationMs: windowMs, stepsPerSecond: HONEST_STEPS_PER_SECOND },
      windowMs + 60_000,
    );
    const elapsedMs = performance.now() - started;
    const serverCpu = (cpuMicros(system.pid) - cpuBefore) / 1000 / elapsedMs;
    const serverWaited = (runQueueWaitNs(system.pid) - waitBefore) / 1e6 / elapsedMs;
    const flood = level > 0 ? await children.flood.call<FloodReport>('stopFlood') : null;
    return { probe, flood, serverCpu, serverWaited };
  } finally {
    await children.flood.call('stopFlood').catch(() => {});
    await children.probe.call('closeHonest').catch(() => {});
  }
}

type Runs = Map<string, LevelRun[]>;
const key = (kind: WsKind, level: number) => `${kind}@${level}`;

function medianOf(runs: LevelRun[], pick: (run: LevelRun) => number): number {
  return median(runs.map(pick));
}

function perRun(runs: LevelRun[], pick: (run: LevelRun) => Record<string, number> | undefined): string {
  const totals: Record<string, number> = {};
  for (const run of runs) {
    for (const [name, value] of Object.entries(pick(run) ?? {})) totals[name] = (totals[name] ?? 0) + value;
  }
  const entries = Object.entries(totals).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none';
  return entries.map(([name, value]) => `${name} ×${formatNumber(value / runs.length)}`).join(', ');
}

/** The highest level from 0 up at which every level so far kept the honest p99 under the threshold. */
function keptUpTo(all: Runs, kind: WsKind, levels: number[]): number | null {
  let kept: number | null = null;
  for (const level of levels) {
    const p99 = medianOf(all.get(key(kind, level)) ?? [], (run) => run.probe.steps.p99Ms);
    if (!(p99 < KEPT_P99_MS)) break;
    kept = level;
  }
  return kept;
}

function describeKept(kept: number | null, levels: number[]): string {
  if (kept === null) return 'none (not even without hostile load)';
  if (kept === levels[levels.length - 1])
    return `${formatNumber(kept)} frames/s or more (the highest level measured)`;
  return `${formatNumber(kept)} frames/s`;
}

async function run(context: BenchContext): Promise<Section> {
  const size = sizes(context.quick);
  const secret = benchSecret();
  const all: Runs = new Map();
  const peerJsSurvives = await peerJsAsDocumented(secret);
  context.log(
    `hostile: PeerJS's server as documented ${peerJsSurvives ? 'survived' : 'exited on'} one malformed JSON frame`,
  );
  const children = { probe: startChild(childPath), flood: startChild(childPath, { maxOldSpaceMb: 4096 }) };
  try {
    for (let round = 0; round < context.runs; round += 1) {
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + round) % SYSTEMS.length]?.kind as WsKind);
      for (const kind of order) {
        for (const level of size.levels) {
          // A fresh server per level: what one level's attacker left behind (bans, queues) is not the next's.
          const system = await startSystem(kind, secret);
          try {
            const result = await runLevel(system, level, secret, size.windowMs, children);
            all.set(key(kind, level), [...(all.get(key(kind, level)) ?? []), result]);
            context.log(
              `hostile ${kind} ${level}/s run ${round + 1}: sent ${formatNumber(result.flood?.sentPerSecond ?? 0)}/s, honest p50 ${result.probe.steps.p50Ms.toFixed(1)} ms p99 ${result.probe.steps.p99Ms.toFixed(1)} ms, lost ${result.probe.steps.lost}, health p99 ${result.probe.health.p99Ms.toFixed(1)} ms, logins ${result.probe.logins.succeeded}/${result.probe.logins.attempted}, server CPU ${(result.serverCpu * 100).toFixed(0)}% waited ${(result.serverWaited * 100).toFixed(0)}%, attacker busy ${((result.flood?.loadBusy ?? 0) * 100).toFixed(0)}%, not sent ${JSON.stringify(result.flood?.notSent ?? {})}`,
            );
          } finally {
            await system.stop();
          }
        }
      }
    }
  } finally {
    await children.flood.stop();
    await children.probe.stop();
  }
  return render(all, size, context.runs, peerJsSurvives);
}

function render(all: Runs, size: Size, runs: number, peerJsSurvives: boolean): Section {
  const rows: string[][] = [];
  const fate: string[][] = [];
  const notes: string[] = [];
  for (const level of size.levels) {
    const reference = all.get(key('handset', level)) ?? [];
    const referenceP99 = medianOf(reference, (run) => run.probe.steps.p99Ms);
    for (const { kind, label } of SYSTEMS) {
      const runsHere = all.get(key(kind, level)) ?? [];
      const m = (pick: (run: LevelRun) => number) => medianOf(runsHere, pick);
      const sum = (pick: (run: LevelRun) => number) => runsHere.reduce((total, run) => total + pick(run), 0);
      const p99 = m((run) => run.probe.steps.p99Ms);
      rows.push([
        formatNumber(level),
        label,
        level > 0 ? formatNumber(m((run) => run.flood?.sentPerSecond ?? 0)) : '0',
        m((run) => run.probe.steps.p50Ms).toFixed(1),
        p99.toFixed(1),
        ratio(p99, referenceP99),
        `${formatNumber(sum((run) => run.probe.steps.lost))} of ${formatNumber(sum((run) => run.probe.steps.sent))}`,
        m((run) => run.probe.health.p99Ms).toFixed(1),
        `${sum((run) => run.probe.logins.succeeded)}/${sum((run) => run.probe.logins.attempted)}`,
        (m((run) => run.serverCpu) * 100).toFixed(0),
        (m((run) => run.serverWaited) * 100).toFixed(0),
      ]);
      if (level > 0) {
        fate.push([
          formatNumber(level),
          label,
          perRun(runsHere, (run) => run.flood?.closes),
          perRun(runsHere, (run) => run.flood?.errorFrames),
          `${formatNumber(m((run) => run.flood?.silent.opened ?? 0))} / ${formatNumber(m((run) => run.flood?.silent.closedByServer ?? 0))} / ${formatNumber(m((run) => run.flood?.silent.refused ?? 0))}`,
          formatNumber(m((run) => run.probe.hostileDelivered)),
          (['closed', 'backedUp', 'late'] as const)
            .map((why) => formatNumber(sum((run) => run.flood?.notSent[why] ?? 0) / runsHere.length))
            .join(' / '),
        ]);
        const busy = m((run) => run.flood?.loadBusy ?? 0);
        if (busy > 0.85) {
          notes.push(
            `${kind} at ${formatNumber(level)}/s: the attacking process was busy ${(busy * 100).toFixed(0)}% of the time, so it sent what it could, not what was asked.`,
          );
        }
      }
      const closed = sum((run) => run.probe.honestLinksClosed);
      const refused = sum((run) => run.probe.honestErrorFrames);
      if (closed > 0 || refused > 0) {
        const lastError =
          runsHere
            .map((run) => run.probe.lastError)
            .filter(Boolean)
            .pop() ?? '';
        notes.push(
          `${kind} at ${formatNumber(level)}/s: ${closed} honest connections closed by the server and ${refused} error frames sent to honest users over ${runs} runs${lastError ? ` (last: ${lastError})` : ''}.`,
        );
      }
    }
  }
  const kept = SYSTEMS.map(({ kind, label }) => ({ kind, label, level: keptUpTo(all, kind, size.levels) }));
  const ours = kept.find((entry) => entry.kind === 'handset')?.level ?? null;
  const peer = kept.find((entry) => entry.kind === 'peerjs')?.level ?? null;
  const top = size.levels[size.levels.length - 1] ?? 0;
  const topP99 = (kind: WsKind) => medianOf(all.get(key(kind, top)) ?? [], (run) => run.probe.steps.p99Ms);
  const finding = `under hostile load the Handset server keeps the honest step p99 under ${KEPT_P99_MS} ms up to ${describeKept(ours, size.levels)} (PeerJS: ${describeKept(peer, size.levels)}); at ${formatNumber(top)} hostile frames/s its honest p99 is ${topP99('handset').toFixed(0)} ms vs PeerJS ${topP99('peerjs').toFixed(0)} ms (${ratio(topP99('handset'), topP99('peerjs'))})`;
  const better =
    (ours ?? -1) > (peer ?? -1) || ((ours ?? -1) === (peer ?? -1) && topP99('handset') <= topP99('peerjs'));
  const crash =
    "PeerJS's server started as its README shows (no 'error' listener) exits on the first malformed JSON frame (an unhandled 'error' event from `JSON.parse`); Handset's answers it with an error frame";
  return {
    title: '7. Honest latency under hostile load',
    parameters: `hostile levels ${size.levels.map((level) => formatNumber(level)).join(' → ')} frames/s, ${size.windowMs / 1000} s of honest traffic per level (after 1 s of flood), a fresh server per level; honest: ${HONEST_PAIRS} pairs from 127.0.0.1, each in a call, stepping ${HONEST_STEPS_PER_SECOND} times/s in total, \`/health\` every 250 ms, a new login every second; hostile: ${HELD_HOSTILE_CONNECTIONS} held connections (accounts of the attacker) from 127.0.0.2–127.0.0.9, mix ${describeMix()}, plus level/20 silent TCP sockets (at most ${formatNumber(MAX_SILENT_SOCKETS)})`,
    tables: [
      {
        columns: [
          'server',
          `highest hostile rate with honest step p99 < ${KEPT_P99_MS} ms`,
          `honest step p99 (ms) at ${size.levels.map((level) => formatNumber(level)).join(' / ')} frames/s`,
        ],
        rows: kept.map(({ kind, label, level }) => [
          label,
          describeKept(level, size.levels),
          size.levels
            .map((at) => medianOf(all.get(key(kind, at)) ?? [], (run) => run.probe.steps.p99Ms).toFixed(0))
            .join(' / '),
        ]),
      },
      {
        columns: [
          'hostile frames/s asked',
          'server',
          'hostile frames/s sent',
          'honest step p50 (ms)',
          'honest step p99 (ms)',
          'p99 ratio to Handset',
          'steps lost (all runs)',
          '/health p99 (ms)',
          'new logins ok (all runs)',
          'server CPU (% of a core)',
          'server waited for a core (% of time)',
        ],
        rows,
      },
      {
        columns: [
          'hostile frames/s asked',
          'server',
          'hostile connections ended (per run)',
          'error frames to the attacker (per run)',
          'silent sockets opened / closed by server / refused',
          'hostile envelopes delivered to honest users',
          'frames not sent: no open connection / backed up / attacker late (per run)',
        ],
        rows: fate,
      },
    ],
    notes: [
      "Each honest pair first sets up a call (invite → ringing); a step is then a `candidates` envelope from the caller in that call, relayed to the callee, answered with the callee's own `candidates`, relayed back (trickle ICE, the steady traffic of a live call; repeated invites would meet Handset's per-pair invite limit). The time is the caller's round trip, both ends in one process (one clock). A step not answered within 5 s counts as lost and as 5,000 ms in the percentiles; so does a `/health` request not answered within 5 s. A login counts if the new connection is ready (Handset: welcomed after its token is verified) within 5 s.",
      `Handset runs as an operator would run it: the \`handset-signal\` CLI with its default limits, logging at \`warn\`; among them ${describeDefenceLimits()} (all of them: packages/adapter-ws/README.md). PeerJS's server and the bare relay run as in sections 1–2; they have no per-connection limits to speak of.`,
      "What each server makes of the mix: Handset answers every bad frame with a typed error frame and closes persistent offenders; PeerJS's server ignores malformed JSON, queues messages for unknown ids and relays the rest; the bare relay drops what it cannot parse and relays the rest. An intrusion into a call is refused by Handset (`not-in-call`) but delivered by the others (last column).",
      "/health is Handset's `GET /health`, PeerJS's `GET /` (its server info) and, for the bare relay, any answer of its HTTP server (404); each poll opens a new connection.",
      'The attacker reopens what the server closes after 100 ms (silent sockets after 1 s), from the same addresses; "hostile frames/s sent" counts frames it could write, so a server that keeps closing the attacker sees fewer. Silent sockets are held for one level (8–12 s), about as long as the 10 s upgrade deadline of Handset: those it closes were closed by that deadline or by a cap (pending connections, connections per address).',
      "Server CPU is the server process's user+system CPU time over the honest window, from /proc. The flood, the honest probe and the server are three processes on the same 2 cores (shared with other work): under the highest levels they compete for CPU, which is part of what an attacker on the same host would cause, but not of what a remote one would.",
      peerJsSurvives
        ? "PeerJS's server started as its README shows survived one malformed JSON frame in this run."
        : `${crash}. The PeerJS rows are for its server with an 'error' listener added, as an operator would after the first crash.`,
      ...notes,
    ],
    ahead: [...(better ? [finding] : []), ...(peerJsSurvives ? [] : [crash])],
    behind: better ? [] : [finding],
  };
}

export const hostileLoad: Measurement = { name: 'hostile', run };
