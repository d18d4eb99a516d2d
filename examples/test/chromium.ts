// Debian's Chromium (or CHROME_PATH) for the example calls: headless, fake camera and microphone granted
// without a prompt, loopback ICE allowed, nothing phoning home; each party gets its own context.
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Runs in each page before the app: the page's peer connections offer and accept only 127.0.0.1
 * candidates (so a test never sends media to a real interface), and are kept for `getStats`. The apps
 * stay as a user writes them; the demo's `?loopback` does the same inside its own ports.
 */
function keepLoopbackOnly(): void {
  const isLoopback = (candidate: { candidate?: string } | null | undefined) =>
    !candidate?.candidate || candidate.candidate.split(' ')[4] === '127.0.0.1';
  const proto = RTCPeerConnection.prototype;
  const seen = new Set<RTCPeerConnection>();
  (window as unknown as { testPeerConnections: Set<RTCPeerConnection> }).testPeerConnections = seen;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const filtered = new WeakMap<object, EventListener>();
  proto.addEventListener = function (
    this: RTCPeerConnection,
    type: string,
    listener: unknown,
    options?: unknown,
  ) {
    seen.add(this);
    if (type !== 'icecandidate' || typeof listener !== 'function') {
      return add.call(this, type, listener as EventListener, options as AddEventListenerOptions);
    }
    const onlyLoopback = function (this: RTCPeerConnection, event: Event) {
      if (isLoopback((event as RTCPeerConnectionIceEvent).candidate)) listener.call(this, event);
    };
    filtered.set(listener, onlyLoopback);
    return add.call(this, type, onlyLoopback, options as AddEventListenerOptions);
  } as typeof proto.addEventListener;
  proto.removeEventListener = function (
    this: RTCPeerConnection,
    type: string,
    listener: unknown,
    options?: unknown,
  ) {
    const real = (listener && filtered.get(listener as object)) ?? listener;
    return remove.call(this, type, real as EventListener, options as EventListenerOptions);
  } as typeof proto.removeEventListener;
  const addIceCandidate = proto.addIceCandidate as (candidate?: RTCIceCandidateInit | null) => Promise<void>;
  proto.addIceCandidate = function (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) {
    return isLoopback(candidate) ? addIceCandidate.call(this, candidate) : Promise.resolve();
  } as typeof proto.addIceCandidate;
}

export async function newParty(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(keepLoopbackOnly);
  return context;
}
