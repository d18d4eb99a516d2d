// "Relay only" in real Chromium: with coturn installed the demo starts its own relay on 127.0.0.1 and the
// WebSocket server hands each login fresh credentials for it; two pages with "Relay only" ticked call each
// other through it, and the selected candidate pair is relay on both ends (from the browser's stats).
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import { CallPage, type TransportKind } from './call-page.js';
import { launchChromium, newParty } from './chromium.js';

let server: DemoServer;
let browser: Browser;
const parties: BrowserContext[] = [];

beforeAll(async () => {
  server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: null });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const party of parties) await party.close();
  await browser?.close();
  await server?.close();
});

/** The local and remote candidate types of the selected pair, from the page's peer connection. */
function selectedPair(page: CallPage): Promise<{ local?: string; remote?: string }> {
  return page.page.evaluate(async () => {
    const demo = (window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } })
      .handsetDemo;
    const stats = await demo.peerConnection()?.getStats();
    if (!stats) return {};
    const byId = new Map<
      string,
      { type: string; candidateType?: string; selectedCandidatePairId?: string }
    >();
    stats.forEach((report: { id: string; type: string }) => {
      byId.set(report.id, report as never);
    });
    const transport = [...byId.values()].find((r) => r.type === 'transport');
    const pair = byId.get(transport?.selectedCandidatePairId ?? '') as
      | { localCandidateId?: string; remoteCandidateId?: string }
      | undefined;
    return {
      local: byId.get(pair?.localCandidateId ?? '')?.candidateType,
      remote: byId.get(pair?.remoteCandidateId ?? '')?.candidateType,
    };
  });
}

describe('the demo with coturn', () => {
  test('starts its own relay (the test command installs coturn)', () => {
    expect(server.relayUrl).toMatch(/^turn:127\.0\.0\.1:\d+\?transport=udp$/);
  });

  test('hands out credentials for it at /demo/ice-servers (for MQTT logins), of the TURN REST scheme', async () => {
    const response = await fetch(new URL('/demo/ice-servers?user=10000', server.httpUrl));
    expect(response.status).toBe(200);
    const [relay] = (await response.json()) as { urls: string[]; username: string; credential: string }[];
    expect(relay?.urls).toEqual([server.relayUrl]);
    expect(relay?.username).toMatch(/^\d+:10000$/);
    expect(relay?.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  test.each([
    ['no user id', '/demo/ice-servers'],
    ['a user id with ":"', '/demo/ice-servers?user=a:b'],
    ['a user id over 128 characters', `/demo/ice-servers?user=${'9'.repeat(129)}`],
  ])('answers 400 at /demo/ice-servers for %s', async (_what, path) => {
    expect((await fetch(new URL(path, server.httpUrl))).status).toBe(400);
  });

  test('/demo/ice-servers refuses a foreign origin with 403', async () => {
    const response = await fetch(new URL('/demo/ice-servers?user=10000', server.httpUrl), {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
  });

  test.each<[TransportKind, string, string]>([
    ['ws', '10000', '20000'],
    ['mqtt', '30000', '40000'],
  ])(
    'two pages with "Relay only" over %s connect through it: the selected pair is relay on both sides',
    async (kind, aliceId, bobId) => {
      parties.push(await newParty(browser), await newParty(browser));
      const [aliceParty, bobParty] = parties.slice(-2);
      const alice = await CallPage.open(aliceParty!, server.httpUrl);
      const bob = await CallPage.open(bobParty!, server.httpUrl);
      for (const page of [alice, bob]) await page.page.getByLabel('Relay only', { exact: true }).check();
      await alice.login(aliceId, bobId, kind);
      await bob.login(bobId, aliceId, kind);
      await alice.button('Call').click();
      await bob.waitForState('incoming');
      await bob.button('Answer').click();
      await alice.waitForState('connected');
      await bob.waitForState('connected');
      await alice.expectRemoteVideo();
      await bob.expectRemoteVideo();
      for (const page of [alice, bob]) {
        await expect
          .poll(() => selectedPair(page), { timeout: 10_000 })
          .toEqual({ local: 'relay', remote: 'relay' });
        // ...and the quality badge says so.
        await expect
          .poll(() => page.page.locator('#call-quality').getAttribute('data-path'), { timeout: 10_000 })
          .toBe('relayed');
      }
      await alice.button('Hang up').click();
      await bob.waitForState('ended');
    },
  );
});
