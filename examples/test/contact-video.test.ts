// Each example (React, Vue, plain TypeScript) built with Vite and called through in Chromium: two
// pages log in as 10000 and 20000 on the real signaling server (dev mode: tokens from @handset/token
// at /dev-token), call, answer, see each other's video, hang up.
import { type SignalServer, startSignalServer } from '@handset/adapter-ws/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, newParty } from './chromium.js';
import { buildAndServe, type ExampleName, type ServedExample, serveDev } from './example-app.js';

// Generous: the box is shared, and a step only waits this long when something is wrong.
const WAIT_MS = 60_000;

let server: SignalServer;
let browser: Browser;

beforeAll(async () => {
  server = await startSignalServer({ port: 0, dev: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close({ drainMs: 0 });
});

async function login(page: Page, myId: string, peerId: string): Promise<void> {
  await page.getByLabel('My ID').fill(myId);
  await page.getByLabel('Peer ID').fill(peerId);
  await page.getByRole('button', { name: 'Login', exact: true }).click();
  await page.locator('[data-link-status="open"]').waitFor({ timeout: WAIT_MS });
}

const callState = (page: Page, state: string) =>
  page.locator(`#call-state[data-call-state="${state}"]`).waitFor({ timeout: WAIT_MS });

/** Video frames decoded from the peer so far, from the page's peer connections. */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let frames = 0;
    const pcs = (window as unknown as { testPeerConnections: Set<RTCPeerConnection> }).testPeerConnections;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

async function expectRemoteVideo(page: Page): Promise<void> {
  await expect.poll(() => framesDecoded(page), { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
  const first = await framesDecoded(page);
  await expect.poll(() => framesDecoded(page), { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(first);
  const width = () =>
    page.locator('#remote-video').evaluate((video) => (video as HTMLVideoElement).videoWidth);
  await expect.poll(width, { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
}

/** Two pages on `url` log in as 10000 and 20000; 10000 calls, 20000 answers, both see video, 10000 hangs up. */
async function completeOneCall(parties: BrowserContext[], appUrl: string): Promise<void> {
  const url = `${appUrl}?signal=${encodeURIComponent(server.httpUrl)}`;
  const [alice, bob] = await Promise.all(parties.map((party) => party.newPage()));
  await Promise.all([alice!.goto(url), bob!.goto(url)]);
  await login(alice!, '10000', '20000');
  await login(bob!, '20000', '10000');

  await alice!.getByRole('button', { name: 'Call', exact: true }).click();
  await callState(bob!, 'incoming');
  await callState(alice!, 'ringing');
  await bob!.getByRole('button', { name: 'Answer', exact: true }).click();
  await callState(alice!, 'connected');
  await callState(bob!, 'connected');
  await expectRemoteVideo(alice!);
  await expectRemoteVideo(bob!);

  await alice!.getByRole('button', { name: 'Hang up', exact: true }).click();
  await callState(alice!, 'ended');
  await callState(bob!, 'ended');
}

const EXAMPLES: ExampleName[] = ['react', 'vue', 'typescript'];

for (const name of EXAMPLES) {
  describe(`examples/${name}`, () => {
    const parties: BrowserContext[] = [];
    const apps: ServedExample[] = [];

    beforeAll(async () => {
      parties.push(await newParty(browser), await newParty(browser));
    });

    afterAll(async () => {
      for (const party of parties) await party.close();
      for (const app of apps) await app.close();
    });

    test('vite build, then two pages complete one call: call, answer, video both ways, hang up', async () => {
      const app = await buildAndServe(name);
      apps.push(app);
      await completeOneCall(parties, app.url);
    });

    // StrictMode mounts twice only in development: the phone in use must be the live one of the two.
    if (name === 'react') {
      test('under the dev server (StrictMode mounting twice) two pages complete one call', async () => {
        const app = await serveDev(name);
        apps.push(app);
        await completeOneCall(parties, app.url);
      });
    }
  });
}
