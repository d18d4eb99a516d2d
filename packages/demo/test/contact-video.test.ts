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

    test('calling someone who is not logged in ends at once as unavailable', async () => {
      await alice.setPeer('30000');
      await alice.button('Call').click();
      await alice.waitForState('ended');
      const ending = await alice.ending();
      expect(ending.code).toBe('unavailable');
      expect(ending.message).toContain('30000 is not online');
      expect(await bob.callState()).not.toBe('incoming');
      await alice.setPeer('20000');
    });
  });
}
