// The in-call controls in real Chromium, over each transport: 10000 calls 20000, and 20000 works every
// control (mute while ringing, camera, hold, screen, devices) while 10000's page is checked for what the
// peer sees; then messages go both ways. One page pair per transport runs the whole sequence, in order.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import { CallPage, type TransportKind } from './call-page.js';
import { launchChromium, newParty } from './chromium.js';

const WAIT_MS = 30_000;
let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: null });
  // Three fake cameras, so the Camera select has somewhere to switch to (fake_device_2: see chromium.ts).
  browser = await launchChromium({ cameras: 3 });
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
  // One call runs the whole sequence; on a loaded 2-core box its setup alone can take a minute.
  describe(`over ${label}`, { timeout: 240_000 }, () => {
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

    test('muted while it rings: the call connects muted, the peer is told and hears silence; unmute', async () => {
      await alice.button('Call').click();
      await bob.waitForState('incoming');
      // Mute is offered from the first ring; hold and screen sharing only once connected.
      await expect.poll(() => bob.button('Hold').isVisible()).toBe(false);
      await expect.poll(() => bob.button('Share screen').isVisible()).toBe(false);
      await bob.button('Mute').click();
      await bob.button('Unmute').waitFor({ timeout: WAIT_MS });

      await bob.button('Answer').click();
      await alice.waitForState('connected');
      await bob.waitForState('connected');
      await alice.expectRemoteVideo();
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .toContain('20000 muted their microphone');
      expect((await bob.sentTrack('audio'))?.enabled).toBe(false);
      // A disabled track sends silence: what 10000 hears carries no energy (the fake microphone's beeps
      // add ~0.3 a second; silence a trace far below 1e-6).
      await alice.expectStill(async () => (await alice.inbound('audio')).audioEnergy, 1e-6);

      await bob.button('Unmute').click();
      await bob.button('Mute').waitFor({ timeout: WAIT_MS });
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .not.toContain('muted their microphone');
      expect((await bob.sentTrack('audio'))?.enabled).toBe(true);
      await alice.expectGrowing(async () => (await alice.inbound('audio')).audioEnergy);
    });

    test('camera off stops the camera (track ended) and the peer is told; camera on sends a new one', async () => {
      await bob.keepSentTrack('video');
      await bob.button('Camera off').click();
      await bob.button('Camera on').waitFor({ timeout: WAIT_MS });
      await expect.poll(() => bob.keptTrackState(), { timeout: WAIT_MS }).toBe('ended');
      expect(await bob.sentTrack('video')).toBeNull();
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .toContain('20000 turned their camera off');

      await bob.button('Camera on').click();
      await bob.button('Camera off').waitFor({ timeout: WAIT_MS });
      await expect
        .poll(async () => (await bob.sentTrack('video'))?.readyState, { timeout: WAIT_MS })
        .toBe('live');
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .not.toContain('camera off');
      await alice.expectGrowing(async () => (await alice.inbound('video')).framesDecoded);
    });

    test('hold stops video both ways and both pages say so; resume brings it back', async () => {
      await bob.button('Hold').click();
      await bob.waitForState('on-hold');
      await alice.waitForState('on-hold');
      await bob.button('Resume').waitFor({ timeout: WAIT_MS });
      expect(await bob.page.locator('#call-state-text').textContent()).toBe(
        'You put the call with 10000 on hold',
      );
      expect(await alice.page.locator('#call-state-text').textContent()).toBe('20000 put the call on hold');
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .toContain('20000 put the call on hold');
      // A held call is still a call: either side can hang up.
      expect(await alice.button('Hang up').isEnabled()).toBe(true);
      expect(await bob.button('Hang up').isEnabled()).toBe(true);
      await alice.expectStill(async () => (await alice.inbound('video')).bytes);
      await bob.expectStill(async () => (await bob.inbound('video')).bytes);

      await bob.button('Resume').click();
      await bob.waitForState('connected');
      await alice.waitForState('connected');
      await bob.button('Hold').waitFor({ timeout: WAIT_MS });
      await expect.poll(() => alice.peerState().textContent(), { timeout: WAIT_MS }).not.toContain('on hold');
      await alice.expectGrowing(async () => (await alice.inbound('video')).bytes);
      await bob.expectGrowing(async () => (await bob.inbound('video')).bytes);
    });

    test('a shared screen reaches the peer labelled as a screen share; stop sharing puts the camera back', async () => {
      const screenLabel = alice.page.locator('#remote-screen-label');
      expect(await screenLabel.isVisible()).toBe(false);
      await bob.button('Share screen').click();
      await bob.button('Stop sharing').waitFor({ timeout: WAIT_MS });
      expect((await bob.sentTrack('video'))?.label).toMatch(/^screen:/);
      await screenLabel.waitFor({ state: 'visible', timeout: WAIT_MS });
      expect(await screenLabel.textContent()).toBe('Screen share');
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .toContain('20000 is sharing their screen');
      // The fake screen is 1280 wide, the fake camera 640: frames of the screen are decoded.
      await expect
        .poll(async () => (await alice.inbound('video')).frameWidth, { timeout: WAIT_MS })
        .toBeGreaterThan(640);
      await alice.expectGrowing(async () => (await alice.inbound('video')).framesDecoded);

      await bob.button('Stop sharing').click();
      await bob.button('Share screen').waitFor({ timeout: WAIT_MS });
      await screenLabel.waitFor({ state: 'hidden', timeout: WAIT_MS });
      await expect.poll(() => alice.peerState().textContent(), { timeout: WAIT_MS }).not.toContain('sharing');
      expect((await bob.sentTrack('video'))?.label).toMatch(/^fake_device_/);
      await expect
        .poll(async () => (await alice.inbound('video')).frameWidth, { timeout: WAIT_MS })
        .toBeLessThanOrEqual(640);
    });

    test("the browser's own Stop sharing (the screen track ends) stops sharing on both sides", async () => {
      const screenLabel = alice.page.locator('#remote-screen-label');
      await bob.button('Share screen').click();
      await bob.button('Stop sharing').waitFor({ timeout: WAIT_MS });
      await screenLabel.waitFor({ state: 'visible', timeout: WAIT_MS });

      await bob.endSentTrack('video');
      await bob.button('Share screen').waitFor({ timeout: WAIT_MS });
      await screenLabel.waitFor({ state: 'hidden', timeout: WAIT_MS });
      await expect
        .poll(async () => (await bob.sentTrack('video'))?.label, { timeout: WAIT_MS })
        .toMatch(/^fake_device_/);
      await alice.expectGrowing(async () => (await alice.inbound('video')).framesDecoded);
    });

    test('the Camera and Microphone selects list the devices and switch without renegotiation', async () => {
      const cameras = bob.page.getByLabel('Camera', { exact: true });
      const microphones = bob.page.getByLabel('Microphone', { exact: true });
      await expect
        .poll(() => cameras.locator('option').allTextContents(), { timeout: WAIT_MS })
        .toEqual(['fake_device_0', 'fake_device_1', 'fake_device_2']);
      expect(await microphones.locator('option').allTextContents()).toContain('Fake Audio Input 1');
      expect(await cameras.inputValue()).toBe((await bob.sentTrack('video'))?.deviceId);
      const sdp = await bob.localSdp();

      await cameras.selectOption({ label: 'fake_device_2' });
      await expect
        .poll(async () => (await bob.sentTrack('video'))?.label, { timeout: WAIT_MS })
        .toBe('fake_device_2');
      // Frames keep coming from the new camera (not one last frame of the old one).
      await alice.expectGrowing(async () => (await alice.inbound('video')).framesDecoded, 10);

      const chosen = await microphones
        .locator('option', { hasText: 'Fake Audio Input 1' })
        .getAttribute('value');
      await microphones.selectOption({ label: 'Fake Audio Input 1' });
      await expect
        .poll(async () => (await bob.sentTrack('audio'))?.deviceId, { timeout: WAIT_MS })
        .toBe(chosen);
      expect(await microphones.inputValue()).toBe(chosen);
      await alice.expectGrowing(async () => (await alice.inbound('audio')).audioEnergy);
      expect(await bob.localSdp()).toBe(sdp);
      expect(await bob.callState()).toBe('connected');
    });

    test('a camera that goes away mid-call is reported, the peer sees it off, and Camera on brings one back', async () => {
      await bob.endSentTrack('video');
      await bob.button('Camera on').waitFor({ timeout: WAIT_MS });
      await expect
        .poll(() => bob.page.locator('#call-message').getAttribute('data-end-code'), { timeout: WAIT_MS })
        .toBe('device-lost');
      await expect
        .poll(() => alice.peerState().textContent(), { timeout: WAIT_MS })
        .toContain('20000 turned their camera off');
      expect(await bob.callState()).toBe('connected');

      await bob.button('Camera on').click();
      await expect
        .poll(async () => (await bob.sentTrack('video'))?.readyState, { timeout: WAIT_MS })
        .toBe('live');
      await alice.expectGrowing(async () => (await alice.inbound('video')).framesDecoded, 10);
    });

    test('messages go both ways, in order; hanging up ends the call with the log kept', async () => {
      await alice.sendMessage('Hello 20000');
      await alice.sendMessage('Can you see my screen? <b>no</b>');
      await bob.sendMessage('Yes, all of it');
      const conversation = {
        alice: ['You: Hello 20000', 'You: Can you see my screen? <b>no</b>', '20000: Yes, all of it'],
        bob: ['10000: Hello 20000', '10000: Can you see my screen? <b>no</b>', 'You: Yes, all of it'],
      };
      await expect.poll(() => bob.chatLines(), { timeout: WAIT_MS }).toEqual(conversation.bob);
      await expect.poll(() => alice.chatLines(), { timeout: WAIT_MS }).toEqual(conversation.alice);
      expect(await alice.page.getByLabel('Message', { exact: true }).inputValue()).toBe('');

      await alice.button('Hang up').click();
      await alice.waitForState('ended');
      await bob.waitForState('ended');
      for (const side of [alice, bob]) {
        for (const name of ['Mute', 'Camera off', 'Hold', 'Share screen', 'Send'] as const) {
          expect(await side.button(name).isVisible()).toBe(false);
        }
        expect(await side.peerState().textContent()).toBe('');
      }
      expect(await alice.chatLines()).toEqual(conversation.alice);
    });
  });
}
