// 2. Connections held: N idle authenticated connections per server, the server's RSS (and heap) growth
// per connection, and how fast they were accepted. A fresh server process per run gives a clean baseline.

import { cpuMicros } from '../harness/cpu-time.js';
import {
  benchSecret,
  startLoadProcess,
  startServerProcess,
  stopServerProcess,
} from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import type { WsKind } from '../load/ws-links.js';
import { WS_SYSTEMS } from './signaling-relay.js';

interface Memory {
  rss: number;
  heapUsed: number;
}

const SETTLE_MS = 1_000;

async function run(context: BenchContext): Promise<Section> {
  const count = context.quick ? 1_000 : 10_000;
  const concurrency = 100;
  const secret = benchSecret();
  const load = startLoadProcess();
  const rssPer = new Map<WsKind, number[]>();
  const heapPer = new Map<WsKind, number[]>();
  const rate = new Map<WsKind, number[]>();
  const cpuPer = new Map<WsKind, number[]>();
  const push = (series: Map<WsKind, number[]>, kind: WsKind, value: number) =>
    series.set(kind, [...(series.get(kind) ?? []), value]);
  try {
    for (let round = 0; round < context.runs; round += 1) {
      const order = WS_SYSTEMS.map((_, i) => WS_SYSTEMS[(i + round) % WS_SYSTEMS.length]?.kind as WsKind);
      for (const kind of order) {
        const server = await startServerProcess({ kind, secret });
        try {
          const before = await server.child.call<Memory>('memory');
          const cpuBefore = cpuMicros(server.child.pid);
          const opened = await load.call<{ elapsedMs: number; opened: number }>(
            'openWs',
            { kind, urls: [server.url], prefix: `h${round}-`, count, secret, concurrency },
            180_000,
          );
          const cpuUsed = cpuMicros(server.child.pid) - cpuBefore;
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          const after = await server.child.call<Memory>('memory');
          await load.call('closeAll');
          push(rssPer, kind, (after.rss - before.rss) / count);
          push(heapPer, kind, (after.heapUsed - before.heapUsed) / count);
          push(cpuPer, kind, cpuUsed / count);
          push(rate, kind, (opened.opened / opened.elapsedMs) * 1000);
          context.log(
            `connections ${kind} run ${round + 1}: ${formatNumber((after.rss - before.rss) / count / 1024, 1)} KB/conn RSS, ${formatNumber((opened.opened / opened.elapsedMs) * 1000)} conn/s`,
          );
        } finally {
          await stopServerProcess(server);
        }
      }
    }
  } finally {
    await load.stop();
  }
  const m = (series: Map<WsKind, number[]>, kind: WsKind) => median(series.get(kind) ?? []);
  const rows = WS_SYSTEMS.map(({ kind, label }) => [
    label,
    formatNumber(m(rssPer, kind) / 1024, 1),
    ratio(m(rssPer, kind), m(rssPer, 'handset')),
    formatNumber(m(heapPer, kind) / 1024, 1),
    formatNumber(m(rate, kind)),
    ratio(m(rate, kind), m(rate, 'handset')),
    m(cpuPer, kind).toFixed(0),
    ratio(m(cpuPer, kind), m(cpuPer, 'handset')),
  ]);
  const ours = m(rssPer, 'handset');
  const peer = m(rssPer, 'peerjs');
  const oursRate = m(rate, 'handset');
  const peerRate = m(rate, 'peerjs');
  const memoryFinding = `${formatNumber(ours / 1024, 1)} KB per idle connection vs PeerJS ${formatNumber(peer / 1024, 1)} KB (${ratio(ours, peer)})`;
  const rateFinding = `${formatNumber(oursRate)} authenticated connections/s vs PeerJS ${formatNumber(peerRate)} (${ratio(oursRate, peerRate)})`;
  return {
    title: '2. Idle connections held',
    parameters: `${formatNumber(count)} idle connections per run, opened ${concurrency} handshakes at a time, ${SETTLE_MS} ms settle before measuring`,
    tables: [
      {
        columns: [
          'server',
          'RSS per connection (KB)',
          'RSS ratio to Handset',
          'JS heap per connection (KB)',
          'connections/s (to ready)',
          'rate ratio to Handset',
          'server CPU per connection (µs)',
          'CPU ratio to Handset',
        ],
        rows,
      },
    ],
    notes: [
      "Memory is the server process's growth after a forced GC, divided by the connection count. \"Ready\" means Handset's `welcome` (after the signed token is verified), PeerJS's `OPEN`, the bare relay's first frame.",
      "Handset's connections carry a verified token (HMAC-SHA256); PeerJS authenticates nothing (the `key` is public, the `token` is the client's own random string); the bare relay has no handshake.",
    ],
    ahead: [...(ours <= peer ? [memoryFinding] : []), ...(oursRate >= peerRate ? [rateFinding] : [])],
    behind: [...(ours > peer ? [memoryFinding] : []), ...(oursRate < peerRate ? [rateFinding] : [])],
  };
}

export const connectionsHeld: Measurement = { name: 'connections', run };
