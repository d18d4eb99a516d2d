// The contact-video flow in real Chromium, over each transport: two people log in as 10000 and 20000
// on the demo server that `npm start` runs, and call, answer, reject, cancel and call someone offline.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import { CallPage, type TransportKind } from './call-page.js';
import { launchChromium, newParty } from './chromium.js';

const artifacts = fileURLToPath(new URL('../test-results/', import.meta.url));

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: null });
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const TRANSPORTS: { kind: TransportKind; label: string }[] = [
  { kind: 'ws', label: 'WebSocket' },
  { kind: 'mqtt', label: 'MQTT' },
];

for (const { kind, label } of TRANSPORTS) {
  describe(`over ${label}`, () => {
    const parties: BrowserContext[] = [];
    let alice: CallPage;
    let bob: CallPage;

    beforeAll(async () => {
      parties.push(await newParty(browser), await newParty(browser));
      alice = await CallPage.open(parties[0]!, server.httpUrl);
      bob = await CallPage.open(parties[1]!, server.httpUrl);
      await alice.login('10000', '20000', kind);
      await bob.login('20000', '10000', kind);
    });

    afterAll(async () => {
      for (const party of parties) await party.close();
    });

    // A failed test must not leave a call up for the next one.
    afterEach(async () => {
      await alice.hangUpIfInCall();
      await bob.hangUpIfInCall();
    });

    test('a call is answered, both sides see each other, and hanging up ends it on both', async () => {
      await alice.button('Call').click();
      await bob.waitForState('incoming');
      await alice.waitForState('ringing');
      expect(await bob.page.locator('#call-state-text').textContent()).toBe('Incoming call from 10000');

      await bob.button('Answer').click();
      await alice.waitForState('connected');
      await bob.waitForState('connected');
      await alice.expectRemoteVideo();
      await bob.expectRemoteVideo();
      // The statechart panel follows the same call: the connected state's regions light up.
      expect(await alice.activeStates()).toContain('call.active.phase.connected.ice.stable');
      expect(await bob.activeStates()).toContain('call.active.phase.connected.negotiation.stable');
      await alice.page.screenshot({ path: `${artifacts}connected-${kind}-caller.png`, fullPage: true });
      await bob.page.screenshot({ path: `${artifacts}connected-${kind}-callee.png`, fullPage: true });

      await alice.button('Hang up').click();
      await alice.waitForState('ended');
      await bob.waitForState('ended');
      expect(await alice.ending()).toEqual({ code: 'hangup', message: 'You hung up.' });
      expect(await bob.ending()).toEqual({ code: 'hangup', message: '10000 hung up.' });
    });

    test('the callee rejects: both see the call declined', async () => {
      await alice.button('Call').click();
      await bob.waitForState('incoming');
      await bob.button('Reject').click();
      await alice.waitForState('ended');
      await bob.waitForState('ended');
      expect(await alice.ending()).toEqual({ code: 'declined', message: '20000 declined the call.' });
      expect(await bob.ending()).toEqual({ code: 'declined', message: 'You declined the call.' });
    });

    test('the caller hangs up while it rings: the callee stops ringing and sees a missed call', async () => {
      await alice.button('Call').click();
      await bob.waitForState('incoming');
      await alice.waitForState('ringing');
      await alice.button('Hang up').click();
      await alice.waitForState('ended');
      await bob.waitForState('ended');
      expect(await alice.ending()).toEqual({ code: 'cancelled', message: 'You cancelled the call.' });
      expect(await bob.ending()).toEqual({
        code: 'cancelled',
        message: 'Missed call: 10000 hung up before you answered.',
      });
    });

    test('a third caller hears busy while the callee is in a call', async () => {
      const carol = await CallPage.open(await newParty(browser), server.httpUrl);
      try {
        await carol.login('30000', '20000', kind);
        await alice.button('Call').click();
        await bob.waitForState('incoming');
        await bob.button('Answer').click();
        await bob.waitForState('connected');

        await carol.button('Call').click();
        await carol.waitForState('ended');
        expect(await carol.ending()).toEqual({
          code: 'busy',
          message: '20000 is busy in another call. Try again later.',
        });
        expect(await bob.callState()).toBe('connected');
      } finally {
        await carol.page.context().close();
      }
    });

    test('calling someone who is not logged in ends at once as unavailable', async () => {
      await alice.setPeer('40000');
      await alice.button('Call').click();
      await alice.waitForState('ended');
      const ending = await alice.ending();
      expect(ending.code).toBe('unavailable');
      expect(ending.message).toContain('40000 is not online');
      expect(await bob.callState()).not.toBe('incoming');
      await alice.setPeer('20000');
    });
  });
}

describe('without a camera', () => {
  test('a refused camera ends the call with a message saying how to allow it', async () => {
    const context = await newParty(browser);
    // What the browser does when the person clicks "Block" on the camera prompt.
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    try {
      const dave = await CallPage.open(context, server.httpUrl);
      await dave.login('50000', '60000', 'ws');
      await dave.button('Call').click();
      await dave.waitForState('ended');
      const ending = await dave.ending();
      expect(ending.code).toBe('media-denied');
      expect(ending.message).toContain('camera or microphone was refused');
    } finally {
      await context.close();
    }
  });
});

describe('the statechart inspector', () => {
  test('the default page never loads @statelyai/inspect, so it works offline', async () => {
    const context = await newParty(browser);
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    try {
      const page = await CallPage.open(context, server.httpUrl);
      await page.login('70000', '80000', 'ws');
      expect(requested.some((url) => url.includes('/src/main.ts'))).toBe(true);
      expect(requested.filter((url) => url.includes('statelyai'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('?inspect loads @statelyai/inspect on demand', async () => {
    const context = await newParty(browser);
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    // The inspector UI is a remote page; this machine is offline, so its window is answered locally.
    await context.route('https://stately.ai/**', (route) =>
      route.fulfill({ status: 200, body: 'inspector' }),
    );
    try {
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}?loopback&inspect`);
      await expect.poll(() => requested.some((url) => url.includes('statelyai'))).toBe(true);
    } finally {
      await context.close();
    }
  });
});
