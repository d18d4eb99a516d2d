// Drives one party's demo page the way a person would: by labels and button names, reading the
// call state from `data-call-state` and the video from the page's peer connection.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export type TransportKind = 'ws' | 'mqtt';

const WAIT_MS = 30_000;

export class CallPage {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, baseUrl: string): Promise<CallPage> {
    const page = await context.newPage();
    // `loopback`: only 127.0.0.1 candidates, so the test never uses a real network interface.
    await page.goto(`${baseUrl}?loopback`);
    return new CallPage(page);
  }

  button(name: 'Login' | 'Call' | 'Answer' | 'Reject' | 'Hang up'): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async login(userId: string, peerId: string, transport: TransportKind): Promise<void> {
    await this.page.getByLabel('My ID', { exact: true }).fill(userId);
    await this.page.getByLabel('Peer ID', { exact: true }).fill(peerId);
    await this.page.getByLabel('Transport', { exact: true }).selectOption(transport);
    await this.button('Login').click();
    await this.page.locator('[data-link-status="open"]').waitFor({ timeout: WAIT_MS });
  }

  async setPeer(peerId: string): Promise<void> {
    await this.page.getByLabel('Peer ID', { exact: true }).fill(peerId);
  }

  async hangUpIfInCall(): Promise<void> {
    await this.page.evaluate(() =>
      (
        window as unknown as { handsetDemo: { phone: { hangupCall(): void } | null } }
      ).handsetDemo.phone?.hangupCall(),
    );
    await expect.poll(() => this.callState(), { timeout: WAIT_MS }).toMatch(/^(idle|ended)$/);
  }

  /** The state ids the statechart panel highlights. */
  async activeStates(): Promise<string[]> {
    return ((await this.page.locator('#statechart').getAttribute('data-active-states')) ?? '').split(' ');
  }

  callState(): Promise<string | null> {
    return this.page.locator('#call-state').getAttribute('data-call-state');
  }

  async waitForState(state: string): Promise<void> {
    await this.page.locator(`#call-state[data-call-state="${state}"]`).waitFor({ timeout: WAIT_MS });
  }

  /** The end code behind the message shown (`unavailable`, `declined`...) and the message itself. */
  async ending(): Promise<{ code: string | null; message: string }> {
    const message = this.page.locator('#call-message');
    return {
      code: await message.getAttribute('data-end-code'),
      message: (await message.textContent()) ?? '',
    };
  }

  /** Video frames decoded from the peer so far (`inbound-rtp` of kind video). */
  framesDecoded(): Promise<number> {
    return this.page.evaluate(async () => {
      const demo = (window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } })
        .handsetDemo;
      const pc = demo.peerConnection();
      if (!pc) return 0;
      let frames = 0;
      (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
      });
      return frames;
    });
  }

  remoteVideoWidth(): Promise<number> {
    return this.page.locator('#remote-video').evaluate((video) => (video as HTMLVideoElement).videoWidth);
  }

  /** Waits until decoded frames keep coming and the remote <video> has a picture. */
  async expectRemoteVideo(): Promise<void> {
    await expect.poll(() => this.framesDecoded(), { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
    const first = await this.framesDecoded();
    await expect.poll(() => this.framesDecoded(), { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(first);
    await expect.poll(() => this.remoteVideoWidth(), { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
  }
}
