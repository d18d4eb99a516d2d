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

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

export async function newParty(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1200, height: 1000 } });
}
