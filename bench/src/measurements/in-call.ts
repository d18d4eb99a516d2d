// 9. In-call operations in headless Chromium: hold, resume, camera switch and screen share on a connected
// call, timed at the peer, for two Handset phones (WebSocket server) and a raw RTCPeerConnection pair.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createToken } from '@handset/adapter-ws/server';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import type { InCallTiming } from '../browser/in-call-page.js';
import { benchSecret, startServerProcess, stopServerProcess } from '../harness/processes.js';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';
import { CHROMIUM_ARGS } from './call-setup.js';

type System = 'handset' | 'raw';

const SYSTEMS: { system: System; label: string }[] = [
  { system: 'handset', label: 'Handset, two Chromium phones (WebSocket server)' },
  { system: 'raw', label: 'raw RTCPeerConnection pair in one page (the limit)' },
];

const OPERATIONS: { key: keyof InCallTiming; label: string }[] = [
  { key: 'holdMs', label: 'hold → the peer no longer receives (negotiated)' },
  { key: 'resumeMs', label: 'resume → media flowing again at the peer' },
  { key: 'switchMs', label: "camera switch → the peer's first frame from the new camera" },
  { key: 'screenMs', label: "screen share start → the peer's first frame of the screen" },
];

/** Bundles the in-call page with esbuild and serves it, with an empty HTML shell, on 127.0.0.1. */
async function servePage() {
  const built = await build({
    entryPoints: [fileURLToPath(new URL('../browser/in-call-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = built.outputFiles[0]?.contents ?? new Uint8Array();
  const server = createServer((request, response) => {
    if (request.url === '/in-call.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><meta charset="utf-8"><script type="module" src="/in-call.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function oneCall(page: Page, system: System, wsUrl: string, secret: string, tag: string) {
  const ids = [`${tag}-a`, `${tag}-b`];
  const args = { system, wsUrl, ids, tokens: ids.map((id) => createToken(id, secret, 600)) };
  return page.evaluate((a) => {
    type Bench = {
      handset(url: string, a: string, at: string, b: string, bt: string): Promise<InCallTiming>;
      raw(): Promise<InCallTiming>;
    };
    const bench = (globalThis as unknown as { handsetInCallBench: Bench }).handsetInCallBench;
    if (a.system === 'raw') return bench.raw();
    return bench.handset(a.wsUrl, a.ids[0] ?? '', a.tokens[0] ?? '', a.ids[1] ?? '', a.tokens[1] ?? '');
  }, args);
}

async function run(context: BenchContext): Promise<Section> {
  const calls = context.quick ? 5 : 10;
  const secret = benchSecret();
  const served = await servePage();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const server = await startServerProcess({ kind: 'handset', secret });
  const timings = new Map<System, InCallTiming[]>();
  const failures: string[] = [];
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(served.url);
    await page.waitForFunction(() => 'handsetInCallBench' in globalThis, undefined, { timeout: 30_000 });
    // One warm-up call each (first getUserMedia, codecs, JIT), not counted.
    for (const { system } of SYSTEMS)
      await oneCall(page, system, server.url, secret, `w-${system}`).catch(() => {});
    for (let index = 0; index < calls; index += 1) {
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + index) % SYSTEMS.length]?.system as System);
      for (const system of order) {
        try {
          const timing = await oneCall(page, system, server.url, secret, `i${index}-${system}`);
          timings.set(system, [...(timings.get(system) ?? []), timing]);
        } catch (error) {
          const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
          failures.push(`${system} call ${index + 1}: ${message}`);
        }
      }
      context.log(`in-call round ${index + 1}/${calls} done`);
    }
  } finally {
    await browser.close();
    served.server.closeAllConnections();
    await new Promise<void>((resolve) => served.server.close(() => resolve()));
    await stopServerProcess(server);
  }
  const m = (system: System, key: keyof InCallTiming) =>
    median((timings.get(system) ?? []).map((t) => t[key]));
  const rows = OPERATIONS.map(({ key, label }) => [
    label,
    formatNumber(m('handset', key), 0),
    formatNumber(m('raw', key), 0),
    ratio(m('handset', key), m('raw', key)),
  ]);
  // On par or faster than the limit counts as ahead; the summary must not list a tie as behind.
  const findings = OPERATIONS.map(({ key, label }) => ({
    ahead: m('handset', key) <= m('raw', key),
    text: `${label.split(' →')[0]} ${ratio(m('handset', key), m('raw', key))} a raw pair's time (${formatNumber(m('handset', key))} vs ${formatNumber(m('raw', key))} ms)`,
  }));
  const counts = SYSTEMS.map(({ system, label }) => `${label}: ${timings.get(system)?.length ?? 0} calls`);
  return {
    title: '9. In-call operations in headless Chromium',
    parameters: `${calls} calls per system (median), each doing the four operations in turn; systems interleaved call by call after one uncounted warm-up call each; Chromium ${browser.version()}, fake audio+video, loopback ICE only`,
    tables: [
      {
        columns: [
          'operation (timed from asking for it)',
          'Handset (ms)',
          'raw pair (ms)',
          'Handset / raw pair',
        ],
        rows,
      },
    ],
    notes: [
      counts.join('; '),
      "Hold and resume are the caller's; everything is timed at the callee's peer connection. Handset's hold and resume renegotiate through its signaling server; the raw pair hands the descriptions over in the page.",
      "Hold: until none of the callee's transceivers has a `currentDirection` that receives (polled every 5 ms); each call then also checks that the callee's inbound RTP bytes stop growing. The arrival of the last packet is not the figure: audio every 20 ms and video every ~33 ms put it anywhere in that cadence around the request, even before it. Media flowing again: the callee's first received video frame after the resume.",
      "The screen and the second camera are canvas capture streams (headless Chromium offers one fake camera, and getDisplayMedia needs a user gesture): the screen filled with magenta, the second camera with cyan. The peer's first frame of either is the first received frame (read with MediaStreamTrackProcessor on a clone of the remote track) whose five sample points show that colour.",
      ...failures,
    ],
    ahead: findings.filter((finding) => finding.ahead).map((finding) => finding.text),
    behind: findings.filter((finding) => !finding.ahead).map((finding) => finding.text),
  };
}

export const inCall: Measurement = { name: 'incall', run };
