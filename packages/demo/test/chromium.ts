// Launches Debian's Chromium (or CHROME_PATH) for the browser tests: headless, fake camera and
// microphone granted without a prompt, loopback ICE allowed, nothing phoning home. Playwright gives
// the browser a fresh temporary profile, and each call party gets its own context (own storage).
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // Host candidates as IP addresses, not mDNS names that nothing here could resolve.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

export function chromiumPath(): string {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

/**
 * `cameras`: how many fake cameras Chromium lists (`fake_device_0`, `fake_device_1`...; default one), for
 * tests that switch the camera. Only 0 and 2 stream (I420, MJPEG); `fake_device_1` (a Y16 depth format)
 * gives one frame and then nothing once sent, so a switch test goes from 0 to 2. Screen capture (`getDisplayMedia`) needs nothing more: with the fake UI
 * flag it returns a fake screen track (label `screen:…`) without a picker.
 */
export async function launchChromium(options: { cameras?: number } = {}): Promise<Browser> {
  const args = options.cameras
    ? CHROMIUM_ARGS.map((arg) =>
        arg === '--use-fake-device-for-media-stream' ? `${arg}=device-count=${options.cameras}` : arg,
      )
    : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

export async function newParty(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1200, height: 1000 } });
}
