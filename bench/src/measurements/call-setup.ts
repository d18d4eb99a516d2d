// 4. Call setup in headless Chromium: from asking for the call to connected on each side, for Handset
// over WebSocket and over MQTT, PeerJS (client + server), and a raw RTCPeerConnection pair in one page.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken as createMqttToken } from '@handset/adapter-mqtt/broker';
import { createToken as createWsToken } from '@handset/adapter-ws/server';
import { build, type Plugin } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import {
  benchSecret,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';

type CallKind = 'handset-ws' | 'handset-mqtt' | 'peerjs' | 'raw' | 'raw-relayed';

const SYSTEMS: { kind: CallKind; label: string }[] = [
  { kind: 'handset-ws', label: 'Handset, WebSocket server' },
  { kind: 'handset-mqtt', label: 'Handset, MQTT (embedded aedes, MQTT over WebSocket)' },
  { kind: 'peerjs', label: 'PeerJS client + server (peerjs@1.5.5, peer@1.0.2)' },
  { kind: 'raw', label: 'raw RTCPeerConnection pair in one page (the limit)' },
  {
    kind: 'raw-relayed',
    label: 'raw pair signaled through the bare ws relay (the limit for a signaled call)',
  },
];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface CallTiming {
  callerMs: number;
  calleeMs: number;
  callerFrameMs: number;
  calleeFrameMs: number;
  timeline?: string[];
  /** Each setup step's first time on each side (`caller offer sent`...), in ms from the call's start. */
  marks: Record<string, number>;
}

/**
 * `HANDSET_BENCH_CALLS=<n>`: calls per system (default 5 quick, 20 full); `HANDSET_BENCH_SYSTEMS=<kind,...>`:
 * only those systems, and no offline calls (for before/after runs of one row).
 */
function chosenRun(quick: boolean): { calls: number; systems: typeof SYSTEMS; offline: boolean } {
  const calls = Number(process.env.HANDSET_BENCH_CALLS) || (quick ? 5 : 20);
  const only = process.env.HANDSET_BENCH_SYSTEMS?.split(',').filter(Boolean);
  return {
    calls: Math.min(Math.max(calls, 1), 60),
    systems: only ? SYSTEMS.filter(({ kind }) => only.includes(kind)) : SYSTEMS,
    offline: !only,
  };
}

/** Steps in the order a call takes them, for the side-by-side table (a step no system marked is left out). */
const STEPS = [
  'caller getUserMedia done',
  'caller local offer set',
  'caller offer sent',
  'caller first local candidate',
  'caller first candidate sent',
  'callee offer received',
  'callee remote offer set',
  'callee getUserMedia done',
  'callee local answer set',
  'callee answer sent',
  'callee first local candidate',
  'callee first candidate received',
  'callee first loopback remote candidate added',
  'callee ICE checking',
  'caller answer received',
  'caller first loopback remote candidate added',
  'caller ICE checking',
  'callee first candidate sent',
  'caller first candidate received',
  'callee ICE connected',
  'caller ICE connected',
  'callee Handset state connected',
  'caller Handset state connected',
  'caller remote answer set',
];

/** Medians of each step per system, side by side: where one system's time goes next to another's. */
function stepTable(timings: Map<CallKind, CallTiming[]>, systems: typeof SYSTEMS) {
  const kinds = systems.map(({ kind }) => kind);
  const rows = STEPS.map((step) => [
    step,
    ...kinds.map((kind) => {
      const values = (timings.get(kind) ?? []).map((t) => t.marks[step]).filter((v) => v !== undefined);
      return values.length === 0
        ? ''
        : `${formatNumber(median(values), 0)}${values.length < (timings.get(kind)?.length ?? 0) ? ` (${values.length})` : ''}`;
    }),
  ]).filter((row) => row.slice(1).some(Boolean));
  return { columns: ['step (median ms from the call start)', ...kinds], rows };
}

/**
 * `HANDSET_CORE_MODULE=<dir>`: the page is bundled with another build of `@handset/core` (a package dir with
 * its `package.json` and `dist`, kept where it finds its dependencies, e.g. inside
 * `packages/core/node_modules/`), to compare a change with what came before, run after run.
 */
function coreBuildPlugin(dir: string | undefined): Plugin[] {
  if (!dir) return [];
  const root = resolvePath(dir);
  const exportsMap = (
    JSON.parse(readFileSync(resolvePath(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { import: string }>;
    }
  ).exports;
  return [
    {
      name: 'handset-core-build',
      setup(plugin) {
        plugin.onResolve({ filter: /^@handset\/core(\/.*)?$/ }, ({ path }) => {
          const entry = exportsMap[`.${path.slice('@handset/core'.length)}`];
          if (!entry) return { errors: [{ text: `${path} is not exported by ${root}` }] };
          return { path: resolvePath(root, entry.import) };
        });
      },
    },
  ];
}

async function servePage(): Promise<{ server: Server; url: string }> {
  const built = await build({
    plugins: coreBuildPlugin(process.env.HANDSET_CORE_MODULE),
    entryPoints: [fileURLToPath(new URL('../browser/page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    // Profiled runs keep names readable.
    minify: !process.env.HANDSET_BENCH_PROFILE,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = built.outputFiles[0]?.contents ?? new Uint8Array();
  const html =
    '<!doctype html><meta charset="utf-8"><title>Handset bench</title><script type="module" src="/page.js"></script>';
  const server = createServer((request, response) => {
    if (request.url === '/page.js')
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/**
 * `HANDSET_BENCH_PROFILE=<dir>`: a CPU profile of the page (CDP \`Profiler\`, 100 µs sampling) for every
 * counted call, written as `<dir>/<kind>-<n>.cpuprofile`: which page work sits on each system's setup path.
 */
async function pageProfiler(page: Page, dir: string) {
  await page.evaluate(() => {
    (
      globalThis as unknown as { handsetBench: { profileSetupWindow(on: boolean): void } }
    ).handsetBench.profileSetupWindow(true);
  });
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  mkdirSync(dir, { recursive: true });
  const counts = new Map<string, number>();
  return {
    async around<T>(kind: string, call: () => Promise<T>): Promise<T> {
      await session.send('Profiler.start');
      try {
        return await call();
      } finally {
        const { profile } = await session.send('Profiler.stop');
        const n = (counts.get(kind) ?? 0) + 1;
        counts.set(kind, n);
        writeFileSync(resolvePath(dir, `${kind}-${n}.cpuprofile`), JSON.stringify(profile));
      }
    },
  };
}

async function run(context: BenchContext): Promise<Section> {
  const { calls, systems, offline: withOffline } = chosenRun(context.quick);
  const secret = benchSecret();
  const servers: ServerProcess[] = [];
  const page_ = await servePage();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const timings = new Map<CallKind, CallTiming[]>();
  const offline = new Map<'ws' | 'mqtt', { ms: number; reason: string }[]>();
  const failures: string[] = [];
  try {
    const ws = await startServerProcess({ kind: 'handset', secret });
    servers.push(ws);
    const aedes = await startServerProcess({ kind: 'aedes', secret });
    servers.push(aedes);
    const peer = await startServerProcess({ kind: 'peerjs', secret });
    servers.push(peer);
    const bare = await startServerProcess({ kind: 'bare', secret });
    servers.push(bare);
    const peerPort = Number(new URL(peer.url).port);
    const page = await (await browser.newContext()).newPage();
    await page.goto(page_.url);
    await page.waitForFunction(() => 'handsetBench' in globalThis, undefined, { timeout: 30_000 });
    const profiler = process.env.HANDSET_BENCH_PROFILE
      ? await pageProfiler(page, process.env.HANDSET_BENCH_PROFILE)
      : null;
    await page.evaluate((on) => {
      (
        globalThis as unknown as { handsetBench: { traceHandset(on: boolean): void } }
      ).handsetBench.traceHandset(on);
    }, Boolean(process.env.HANDSET_BENCH_TIMELINES));
    const oneCall = (kind: CallKind, index: number): Promise<CallTiming> => {
      const caller = `c${index}-${kind}-a`;
      const callee = `c${index}-${kind}-b`;
      const args = {
        kind,
        caller,
        callee,
        wsUrl: ws.url,
        mqttUrl: aedes.wsUrl ?? '',
        peerPort,
        bareUrl: bare.url,
        wsTokens: [createWsToken(caller, secret, 600), createWsToken(callee, secret, 600)],
        mqttTokens: [createMqttToken(caller, secret, 600), createMqttToken(callee, secret, 600)],
      };
      return page.evaluate((a) => {
        type Bench = {
          handsetWs(...x: string[]): Promise<CallTiming>;
          handsetMqtt(...x: string[]): Promise<CallTiming>;
          peerjs(port: number, a: string, b: string): Promise<CallTiming>;
          raw(): Promise<CallTiming>;
          rawRelayed(url: string, a: string, b: string): Promise<CallTiming>;
        };
        const bench = (globalThis as unknown as { handsetBench: Bench }).handsetBench;
        if (a.kind === 'handset-ws') {
          return bench.handsetWs(a.wsUrl, a.caller, a.wsTokens[0] ?? '', a.callee, a.wsTokens[1] ?? '');
        }
        if (a.kind === 'handset-mqtt') {
          return bench.handsetMqtt(
            a.mqttUrl,
            a.caller,
            a.mqttTokens[0] ?? '',
            a.callee,
            a.mqttTokens[1] ?? '',
          );
        }
        if (a.kind === 'peerjs') return bench.peerjs(a.peerPort, a.caller, a.callee);
        if (a.kind === 'raw-relayed') return bench.rawRelayed(a.bareUrl, a.caller, a.callee);
        return bench.raw();
      }, args);
    };
    // One warm-up call each (first getUserMedia, codec and JIT start-up), not counted.
    for (const { kind } of systems) await oneCall(kind, -1).catch(() => {});
    for (let index = 0; index < calls; index += 1) {
      const order = systems.map((_, i) => systems[(i + index) % systems.length]?.kind as CallKind);
      for (const kind of order) {
        try {
          const timing = profiler
            ? await profiler.around(kind, () => oneCall(kind, index))
            : await oneCall(kind, index);
          timings.set(kind, [...(timings.get(kind) ?? []), timing]);
          // Handset's own timelines (HANDSET_BENCH_TIMELINES=1): its sends, receipts and states, each round.
          if (timing.timeline) context.log(`${kind} timeline: ${timing.timeline.join(' | ')}`);
        } catch (error) {
          failures.push(
            `${kind} call ${index + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          );
        }
      }
      context.log(`call setup round ${index + 1}/${calls} done`);
    }
    // A call to a user nobody is connected as: how soon it ends, and with what.
    for (const transport of withOffline ? (['ws', 'mqtt'] as const) : []) {
      for (let index = 0; index < calls; index += 1) {
        const caller = `o${index}-${transport}-a`;
        const result = await page.evaluate(
          (a) => {
            type Offline = {
              handsetOffline(
                kind: string,
                url: string,
                caller: string,
                token: string,
                callee: string,
              ): Promise<{ ms: number; reason: string }>;
            };
            const bench = (globalThis as unknown as { handsetBench: Offline }).handsetBench;
            return bench.handsetOffline(a.transport, a.url, a.caller, a.token, a.callee);
          },
          {
            transport,
            url: transport === 'ws' ? ws.url : (aedes.wsUrl ?? ''),
            caller,
            token:
              transport === 'ws' ? createWsToken(caller, secret, 600) : createMqttToken(caller, secret, 600),
            callee: `nobody-${index}-${transport}`,
          },
        );
        offline.set(transport, [...(offline.get(transport) ?? []), result]);
      }
    }
  } finally {
    await browser.close();
    page_.server.closeAllConnections();
    await new Promise<void>((resolve) => page_.server.close(() => resolve()));
    for (const server of servers) await stopServerProcess(server);
  }
  const m = (kind: CallKind, side: Exclude<keyof CallTiming, 'timeline' | 'marks'>) =>
    median((timings.get(kind) ?? []).map((t) => t[side]));
  const steps = stepTable(timings, systems);
  // `HANDSET_BENCH_DUMP=<file>`: every call's timing and marks, for per-call comparisons.
  if (process.env.HANDSET_BENCH_DUMP)
    writeFileSync(process.env.HANDSET_BENCH_DUMP, JSON.stringify(Object.fromEntries(timings)));
  context.log(
    `call setup steps:\n${[steps.columns, ...steps.rows].map((row) => `| ${row.join(' | ')} |`).join('\n')}`,
  );
  const rows = systems.map(({ kind, label }) => [
    label,
    String(timings.get(kind)?.length ?? 0),
    formatNumber(m(kind, 'callerMs'), 0),
    formatNumber(m(kind, 'calleeMs'), 0),
    ratio(m(kind, 'callerMs'), m('handset-ws', 'callerMs')),
    ratio(m(kind, 'callerMs'), m('raw', 'callerMs')),
    ratio(m(kind, 'callerMs'), m('raw-relayed', 'callerMs')),
    formatNumber(m(kind, 'callerFrameMs'), 0),
    formatNumber(m(kind, 'calleeFrameMs'), 0),
    ratio(m(kind, 'callerFrameMs'), m('raw', 'callerFrameMs')),
    ratio(m(kind, 'callerFrameMs'), m('raw-relayed', 'callerFrameMs')),
  ]);
  const ours = m('handset-ws', 'callerMs');
  const peerjs = m('peerjs', 'callerMs');
  const limit = m('raw', 'callerMs');
  const signaledLimit = m('raw-relayed', 'callerMs');
  const offlineMs = (transport: 'ws' | 'mqtt') => median((offline.get(transport) ?? []).map((r) => r.ms));
  const offlineReasons = (transport: 'ws' | 'mqtt') =>
    [...new Set((offline.get(transport) ?? []).map((r) => r.reason))].join(', ');
  const ourFrame = m('handset-ws', 'callerFrameMs');
  const limitFrame = m('raw', 'callerFrameMs');
  const mqtt = m('handset-mqtt', 'callerMs');
  const finding = `call setup in Chromium ${formatNumber(ours)} ms to connected vs PeerJS ${formatNumber(peerjs)} ms (${ratio(ours, peerjs)})`;
  return {
    title: '4. Call setup in headless Chromium',
    parameters: `${calls} calls per system (median), systems interleaved call by call, after one uncounted warm-up call each; Chromium ${browser.version()} with fake audio+video, loopback ICE only${process.env.HANDSET_CORE_MODULE ? `; page bundled with @handset/core from ${process.env.HANDSET_CORE_MODULE}` : ''}`,
    tables: [
      {
        columns: [
          'system',
          'calls',
          'caller to connected (ms)',
          'callee to connected (ms)',
          'caller ratio to Handset WS',
          'caller ratio to raw pair',
          'caller ratio to relayed raw pair',
          'caller to first decoded remote frame (ms)',
          'callee to first decoded remote frame (ms)',
          'first frame (caller) ratio to raw pair',
          'first frame (caller) ratio to relayed raw pair',
        ],
        rows,
      },
      steps,
      {
        columns: ['call to a user nobody is connected as', 'calls', 'makeCall to ended (ms)', 'end reasons'],
        rows: (['ws', 'mqtt'] as const).map((transport) => [
          transport === 'ws' ? 'Handset, WebSocket server' : 'Handset, MQTT (embedded aedes)',
          String(offline.get(transport)?.length ?? 0),
          formatNumber(offlineMs(transport), 0),
          offlineReasons(transport),
        ]),
      },
    ],
    notes: [
      "Time starts when the caller asks for the call (Handset: `makeCall`, which acquires the camera; PeerJS and raw: `getUserMedia`, then `call`/`createOffer`) and ends at Handset's `connected` state or ICE `connected` for the others; the callee answers as soon as the call arrives.",
      'Both parties are in one page, each with its own transport connection; signaling connections are opened before the clock starts.',
      'The relayed raw pair is the raw pair with its offer, answer and each candidate (one message each, sent as it appears, no validation) carried by the bare ws relay of the relay row: the least a signaled call can cost. The plain raw pair has no signaling hop at all, which no signaled call can match.',
      'Only 127.0.0.1 candidates are used (a page-wide RTCPeerConnection subclass drops the others), with no STUN/TURN.',
      "First decoded remote frame: the first poll (every 5 ms, from ICE connected on) of the side's `getStats()` that shows an inbound-rtp video stream with `framesDecoded > 0`, on the same clock; polled alike for every system.",
      ...failures,
    ],
    // Within 5% is a tie on this noisy machine, and is said so.
    ahead:
      Math.abs(ours / peerjs - 1) < 0.05
        ? [
            `call setup in Chromium on par with PeerJS (${formatNumber(ours)} vs ${formatNumber(peerjs)} ms to connected)`,
          ]
        : ours < peerjs
          ? [finding]
          : [],
    behind: [
      ...(ours >= peerjs * 1.05 ? [finding] : []),
      `call setup ${ratio(ours, limit)} the time of a raw RTCPeerConnection pair (${formatNumber(limit)} ms)`,
      `call setup ${ratio(ours, signaledLimit)} the time of the raw pair signaled through a bare ws relay (${formatNumber(signaledLimit)} ms)`,
      `call setup to the first decoded remote frame ${ratio(ourFrame, limitFrame)} a raw pair's (${formatNumber(ourFrame)} vs ${formatNumber(limitFrame)} ms)`,
      `MQTT call setup ${ratio(mqtt, ours)} the WebSocket's (${formatNumber(mqtt)} vs ${formatNumber(ours)} ms)`,
      `an MQTT call to an offline user ends in ${formatNumber(offlineMs('mqtt'), 0)} ms (WebSocket: ${formatNumber(offlineMs('ws'), 0)} ms)`,
    ],
  };
}

export const callSetup: Measurement = { name: 'calls', run };
