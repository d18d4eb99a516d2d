// 8. Call setup through a TURN relay vs direct, side by side in the same run: two werift phones in Node
// and two Chromium pages (Handset phones, and a raw RTCPeerConnection pair), each direct and relay-only
// through a coturn the bench starts on 127.0.0.1 and stops by its PID.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createWsTransport } from '@handset/adapter-ws';
import { createToken, turnCredentials } from '@handset/adapter-ws/server';
import { type CallView, createPhone, type Phone } from '@handset/core';
import { createWeriftGetUserMedia, createWeriftPeerConnectionFactory } from '@handset/test-support';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { filter, firstValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import type { Route, RoutedTiming } from '../browser/turn-page.js';
import { type ChildHandle, startChild } from '../harness/child.js';
import { benchSecret } from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import { type Coturn, coturnVersion, startCoturn } from '../servers/coturn.js';
import { CHROMIUM_ARGS } from './call-setup.js';

type System = 'werift' | 'chromium' | 'raw';

const SYSTEMS: { system: System; label: string }[] = [
  { system: 'werift', label: 'Handset, two werift phones (Node)' },
  { system: 'chromium', label: 'Handset, two Chromium phones' },
  { system: 'raw', label: 'raw RTCPeerConnection pair in Chromium (the limit)' },
];
const ROUTES: Route[] = ['direct', 'relay'];
const ROWS = SYSTEMS.flatMap(({ system }) => ROUTES.map((route) => ({ system, route })));
const rowKey = (system: System, route: Route) => `${system}:${route}`;

/** What each call gives; werift has no decoder, so no first-frame figure there. */
type Sample = Omit<RoutedTiming, 'calleeFrameMs'> & { calleeFrameMs?: number };

const serverChildPath = fileURLToPath(new URL('../servers/handset-turn-child.ts', import.meta.url));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Two werift phones in this process, each with its own link to the signaling server. */
async function weriftCall(url: string, secret: string, route: Route, tag: string): Promise<Sample> {
  const factory = createWeriftPeerConnectionFactory();
  const ids = [`${tag}-a`, `${tag}-b`];
  const transports = ids.map((id) =>
    createWsTransport({ url, token: createToken(id, secret, 600), WebSocket }),
  );
  const phones: Phone[] = [];
  try {
    await Promise.all(
      transports.map((t) =>
        withTimeout(firstValueFrom(t.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link'),
      ),
    );
    for (const [index, userId] of ids.entries()) {
      phones.push(
        createPhone({
          userId,
          transport: transports[index] as (typeof transports)[number],
          peerConnectionFactory: factory,
          getUserMedia: createWeriftGetUserMedia(),
          ...(route === 'direct' ? { iceServers: [] } : { iceTransportPolicy: 'relay' as const }),
        }),
      );
    }
    const [a, b] = phones as [Phone, Phone];
    b.events$.subscribe((event) => {
      if (event.type === 'incoming-call') b.answerCall();
    });
    const started = performance.now();
    const times = [a, b].map((phone) =>
      firstValueFrom(
        phone.call$.pipe(filter((view: CallView) => view.state === 'connected' || view.state === 'ended')),
      ).then((view) => {
        if (view.state !== 'connected') throw new Error(`call ended: ${view.endReason?.code}`);
        return performance.now() - started;
      }),
    );
    a.makeCall(ids[1] ?? '', { audio: true, video: true });
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 30_000, 'werift call');
    const paths = factory.connections.map((pc) => {
      const pair = pc.raw.iceTransports[0]?.connection.nominated;
      return pair ? `${pair.localCandidate.type}/${pair.remoteCandidate.type}` : 'none';
    });
    a.hangupCall();
    await withTimeout(firstValueFrom(b.call$.pipe(filter((v) => v.state === 'ended'))), 10_000, 'hangup');
    return { callerMs, calleeMs, paths };
  } finally {
    for (const phone of phones) phone.dispose();
    for (const transport of transports) transport.close();
    await factory.closeAll();
  }
}

async function servePage(): Promise<{ server: Server; url: string }> {
  const built = await build({
    entryPoints: [fileURLToPath(new URL('../browser/turn-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = built.outputFiles[0]?.contents ?? new Uint8Array();
  const html =
    '<!doctype html><meta charset="utf-8"><title>Handset TURN bench</title><script type="module" src="/page.js"></script>';
  const server = createServer((request, response) => {
    if (request.url === '/page.js')
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

interface Setup {
  url: string;
  secret: string;
  turn: Coturn;
  page: Page;
}

function oneCall(setup: Setup, system: System, route: Route, tag: string): Promise<Sample> {
  if (system === 'werift') return weriftCall(setup.url, setup.secret, route, tag);
  if (system === 'chromium') {
    const parties = [`${tag}-a`, `${tag}-b`].map((userId) => ({
      userId,
      token: createToken(userId, setup.secret, 600),
    }));
    return setup.page.evaluate(
      (a) => {
        type Bench = { handsetCall(url: string, route: Route, parties: unknown[]): Promise<RoutedTiming> };
        const bench = (globalThis as unknown as { handsetTurnBench: Bench }).handsetTurnBench;
        return bench.handsetCall(a.url, a.route, a.parties);
      },
      { url: setup.url, route, parties },
    );
  }
  // The raw pair gets credentials the way an app without Handset would: minted by its own server.
  const config =
    route === 'direct'
      ? { iceServers: [] }
      : {
          iceServers: turnCredentials({
            secret: setup.turn.secret,
            userId: tag,
            ttlSeconds: 600,
            urls: [setup.turn.url],
          }),
          iceTransportPolicy: 'relay' as const,
        };
  return setup.page.evaluate((c) => {
    type Bench = { rawPair(config: unknown): Promise<RoutedTiming> };
    return (globalThis as unknown as { handsetTurnBench: Bench }).handsetTurnBench.rawPair(c);
  }, config);
}

/**
 * Whether a call took the route its row claims, from each side's selected pair: relayed on both ends, or
 * relayed on neither (a direct pair may show a peer-reflexive remote: checks can arrive before candidates).
 */
function tookRoute(route: Route, path: string): boolean {
  const relayed = path.split('/').map((type) => type === 'relay');
  return route === 'relay' ? relayed.every(Boolean) : !relayed.some(Boolean) && path !== 'none';
}

async function run(context: BenchContext): Promise<Section> {
  const calls = context.quick ? 5 : 20;
  const secret = benchSecret();
  const samples = new Map<string, Sample[]>();
  const pathsSeen = new Map(ROWS.map(({ system, route }) => [rowKey(system, route), new Set<string>()]));
  const failures: string[] = [];
  const turn = await startCoturn();
  let serverChild: ChildHandle | null = null;
  let page_: { server: Server; url: string } | null = null;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  let chromiumVersion = '';
  try {
    serverChild = startChild(serverChildPath);
    const { url } = await serverChild.call<{ url: string }>(
      'start',
      { secret, turnUrl: turn.url, turnSecret: turn.secret },
      60_000,
    );
    page_ = await servePage();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    chromiumVersion = browser.version();
    const page = await (await browser.newContext()).newPage();
    await page.goto(page_.url);
    await page.waitForFunction(() => 'handsetTurnBench' in globalThis, undefined, { timeout: 30_000 });
    const setup: Setup = { url, secret, turn, page };
    // One warm-up call per row (first getUserMedia, codecs, JIT, the relay's first allocation), not counted.
    for (const { system, route } of ROWS)
      await oneCall(setup, system, route, `w-${system}-${route}`).catch(() => {});
    for (let index = 0; index < calls; index += 1) {
      // Rows rotated call by call, so a noisy moment on the shared machine falls on direct and relay alike.
      const order = ROWS.map((_, i) => ROWS[(i + index) % ROWS.length] as (typeof ROWS)[number]);
      for (const { system, route } of order) {
        const what = `${system} ${route} call ${index + 1}`;
        try {
          const sample = await oneCall(setup, system, route, `t${index}-${system}-${route}`);
          const wrong = sample.paths.find((path) => !tookRoute(route, path));
          if (wrong !== undefined) failures.push(`${what}: pair ${wrong}, not counted`);
          else {
            samples.set(rowKey(system, route), [...(samples.get(rowKey(system, route)) ?? []), sample]);
            for (const path of sample.paths) pathsSeen.get(rowKey(system, route))?.add(path);
          }
        } catch (error) {
          failures.push(`${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        }
      }
      context.log(`turn setup round ${index + 1}/${calls} done`);
    }
  } finally {
    await browser?.close();
    if (page_) {
      page_.server.closeAllConnections();
      await new Promise<void>((resolve) => page_?.server.close(() => resolve()));
    }
    await serverChild?.call('stop', {}, 15_000).catch(() => {});
    await serverChild?.stop();
    await turn.stop();
  }
  const m = (system: System, route: Route, field: 'callerMs' | 'calleeMs' | 'calleeFrameMs') =>
    median(
      (samples.get(rowKey(system, route)) ?? [])
        .map((s) => s[field])
        .filter((v): v is number => v !== undefined),
    );
  const rows = SYSTEMS.flatMap(({ system, label }) =>
    ROUTES.map((route) => [
      label,
      route === 'direct' ? 'direct' : 'relay only',
      [...(pathsSeen.get(rowKey(system, route)) ?? [])].sort().join(', ') || '—',
      String(samples.get(rowKey(system, route))?.length ?? 0),
      formatNumber(m(system, route, 'callerMs')),
      formatNumber(m(system, route, 'calleeMs')),
      system === 'werift' ? '—' : formatNumber(m(system, route, 'calleeFrameMs')),
      ratio(m(system, route, 'callerMs'), m(system, 'direct', 'callerMs')),
    ]),
  );
  const cost = (system: System) => m(system, 'relay', 'callerMs') - m(system, 'direct', 'callerMs');
  const costLine = `relay-only call setup through coturn: Chromium ${formatNumber(m('chromium', 'relay', 'callerMs'))} vs ${formatNumber(m('chromium', 'direct', 'callerMs'))} ms direct (${ratio(m('chromium', 'relay', 'callerMs'), m('chromium', 'direct', 'callerMs'))}, +${formatNumber(cost('chromium'))} ms; a raw pair +${formatNumber(cost('raw'))} ms), werift ${ratio(m('werift', 'relay', 'callerMs'), m('werift', 'direct', 'callerMs'))}`;
  return {
    title: '8. Call setup through a TURN relay vs direct',
    parameters: `${calls} calls per row (median), the six rows interleaved call by call after one uncounted warm-up call each; coturn ${coturnVersion()} on 127.0.0.1 (its own process, 1,000 relay ports, TURN REST credentials over UDP); Chromium ${chromiumVersion} with fake audio+video; werift 0.24.4`,
    tables: [
      {
        columns: [
          'system',
          'route',
          'selected pairs seen (local/remote)',
          'calls',
          'caller to connected (ms)',
          'callee to connected (ms)',
          'callee first decoded frame (ms)',
          'caller ratio relay/direct',
        ],
        rows,
      },
    ],
    notes: [
      "Time starts when the caller asks for the call (Handset: `makeCall`; raw pair: `getUserMedia`, then `createOffer`) and ends at Handset's `connected` state or ICE `connected`; the callee answers as soon as the call arrives. The first decoded frame is the callee's `requestVideoFrameCallback` on the caller's camera (werift decodes nothing).",
      "Direct: no ICE servers, host candidates on 127.0.0.1. Relay only: `iceTransportPolicy: 'relay'`; Handset phones take the credentials the signaling server put in their welcome (`turn: { urls, secret }`), the raw pair credentials from `turnCredentials()`. Every counted call's selected pair was checked from stats (Chromium `getStats`, werift's nominated pair) on both sides: relay on neither end direct (a `prflx` remote is the other page's host address learnt from its checks before its candidate arrived), relay on both ends relayed; a call on another path would be listed below and not counted.",
      'Both relayed peers allocate on the same coturn over loopback, so the figure is the cost of TURN allocation, permissions and the extra hop on this machine, not of a distant relay.',
      ...failures,
    ],
    ahead: [],
    behind: [costLine],
  };
}

export const turnSetup: Measurement = { name: 'turn', run };
