// "Relay only" in real Chromium: with coturn installed the demo starts its own relay on 127.0.0.1 and the
// WebSocket server hands each login fresh credentials for it; two pages with "Relay only" ticked call each
// other through it, and the selected candidate pair is relay on both ends (from the browser's stats).
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import { CallPage } from './call-page.js';
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

  test('two pages with "Relay only" connect through it: the selected pair is relay on both sides', async () => {
    parties.push(await newParty(browser), await newParty(browser));
    const alice = await CallPage.open(parties[0]!, server.httpUrl);
    const bob = await CallPage.open(parties[1]!, server.httpUrl);
    for (const page of [alice, bob]) await page.page.getByLabel('Relay only', { exact: true }).check();
    await alice.login('10000', '20000', 'ws');
    await bob.login('20000', '10000', 'ws');
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
    }
    await alice.button('Hang up').click();
    await bob.waitForState('ended');
  });
});
