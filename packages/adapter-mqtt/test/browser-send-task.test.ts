// In Chromium: an envelope given to the MQTT transport's `send` reaches the WebSocket in that same task.
// mqtt.js's browser build corks each packet until its `nextTick`, a `setTimeout(0)` there: one timer turn
// per packet sent (1-17 ms on a quiet page, up to 60-85 ms in a busy one). The transport's own stream
// sends at the end of the task instead. A timer set just before `send` tells the two apart: it fires after
// the task's microtasks and before any timer the send path sets afterwards.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createToken, type HandsetBroker, startBroker } from '@handset/adapter-mqtt/broker';
import { build, type Plugin } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceAlias } from '../../../vitest.workspace-alias.ts';
import { SECRET } from './support/embedded-broker.js';

/** What the page reports for one envelope sent from one transport to another. */
interface SendProbe {
  /** WebSocket messages holding the envelope, sent before the timer set just before `send` fired. */
  beforeTimer: number[][];
  /** The same, by the time the addressee received it. */
  byDelivery: number[][];
  delivered: boolean;
}

/** The page: two transports on one broker; `probe` sends one envelope and watches every WebSocket send. */
const PAGE_ENTRY = `
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createEnvelope } from '@handset/core';

const sent = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  sent.push(new Uint8Array(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  return send.call(this, data);
};
const opened = (t) => new Promise((resolve) => t.status$.subscribe((s) => s === 'open' && resolve()));
const holding = (callId) => sent.filter((b) => new TextDecoder().decode(b).includes(callId)).map((b) => [...b]);

window.probe = async ({ url, alice, bob, mqttOptions }) => {
  const from = createMqttTransport({ url, userId: alice.id, token: alice.token, mqttOptions });
  const to = createMqttTransport({ url, userId: bob.id, token: bob.token, mqttOptions });
  await Promise.all([opened(from), opened(to)]);
  // Let every timer of the set-up run first, so the one set below is the next.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const callId = 'call-' + Math.random().toString(36).slice(2);
  const delivered = new Promise((resolve) => {
    to.incoming$.subscribe((frame) => frame.includes(callId) && resolve(true));
    setTimeout(() => resolve(false), 10000);
  });
  let beforeTimer = null;
  setTimeout(() => { beforeTimer = holding(callId); }, 0);
  from.send(createEnvelope({ type: 'ringing', callId, from: alice.id, fromDevice: 'd', to: bob.id }, callId));
  const result = { delivered: await delivered, beforeTimer, byDelivery: holding(callId) };
  from.close();
  to.close();
  await Promise.all([from.ended, to.ended]);
  return result;
};
`;

/** Resolves the workspace packages to their sources, as the tests' own alias does. */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^@handset\// }, ({ path }) => {
      const alias = workspaceAlias.find(({ find }) => find.test(path));
      return alias ? { path: alias.replacement } : undefined;
    });
  },
};

let broker: HandsetBroker;
let browser: Browser;
let server: Server;
let pageUrl: string;

beforeAll(async () => {
  broker = await startBroker({ secret: SECRET, port: null });
  const bundled = await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    plugins: [workspaceSources],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundled.outputFiles[0]?.contents ?? new Uint8Array();
  server = createServer((request, response) => {
    if (request.url === '/page.js')
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await broker?.close();
});

async function probe(mqttOptions?: Record<string, unknown>): Promise<SendProbe> {
  const page = await browser.newPage();
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'probe' in window);
    const party = (id: string) => ({ id, token: createToken(id, SECRET, 60) });
    const suffix = Math.random().toString(36).slice(2, 8);
    return (await page.evaluate(
      (args) => (window as unknown as { probe: (a: unknown) => Promise<SendProbe> }).probe(args),
      { url: broker.wsUrl, alice: party(`alice-${suffix}`), bob: party(`bob-${suffix}`), mqttOptions },
    )) as SendProbe;
  } finally {
    await page.close();
  }
}

describe('the MQTT transport in Chromium', () => {
  it('hands an envelope to the WebSocket in the task that sent it, as one PUBLISH message', async () => {
    const { delivered, beforeTimer, byDelivery } = await probe();
    expect(delivered).toBe(true);
    expect(beforeTimer).toHaveLength(1);
    expect(byDelivery).toEqual(beforeTimer);
    // The fixed header says PUBLISH (3) at QoS 1: header, topic, properties and payload in one message.
    expect((beforeTimer[0]?.[0] ?? 0) >> 4).toBe(3);
  });

  it("is what mqtt.js's own browser stream (kept when mqttOptions set browserBufferSize) does only a timer turn later", async () => {
    const { delivered, beforeTimer, byDelivery } = await probe({ browserBufferSize: 512 * 1024 });
    expect(delivered).toBe(true);
    expect(beforeTimer).toEqual([]);
    expect(byDelivery.length).toBeGreaterThan(0);
  });
});
