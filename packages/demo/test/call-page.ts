// Drives one party's demo page the way a person would: by labels and button names, reading the
// call state from `data-call-state` and the video from the page's peer connection.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export type TransportKind = 'ws' | 'mqtt';

export type ButtonName =
  | 'Login'
  | 'Call'
  | 'Answer'
  | 'Reject'
  | 'Hang up'
  | 'Mute'
  | 'Unmute'
  | 'Camera off'
  | 'Camera on'
  | 'Hold'
  | 'Resume'
  | 'Share screen'
  | 'Stop sharing'
  | 'Send';

export interface SentTrack {
  enabled: boolean;
  readyState: string;
  label: string;
  deviceId: string | null;
}

export interface Inbound {
  bytes: number;
  framesDecoded: number;
  /** Grows with what is heard; flat while the peer is muted (silence). */
  audioEnergy: number;
  frameWidth: number;
}

const WAIT_MS = 30_000;

export class CallPage {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, baseUrl: string): Promise<CallPage> {
    const page = await context.newPage();
    // `loopback`: only 127.0.0.1 candidates, so the test never uses a real network interface.
    await page.goto(`${baseUrl}?loopback`);
    return new CallPage(page);
  }

  button(name: ButtonName): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** The peer's state in words: the status element that is not the call state (hidden while empty). */
  peerState(): Locator {
    return this.page.locator('#peer-state[role="status"]');
  }

  /** What this page sends of one kind: its sender's track (null when nothing is sent), read from the peer connection. */
  sentTrack(kind: 'audio' | 'video'): Promise<SentTrack | null> {
    return this.page.evaluate((kind) => {
      const pc = (
        window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } }
      ).handsetDemo.peerConnection();
      const transceiver = pc?.getTransceivers().find((t) => t.receiver.track.kind === kind);
      const track = transceiver?.sender.track;
      if (!track) return null;
      return {
        enabled: track.enabled,
        readyState: track.readyState,
        label: track.label,
        deviceId: track.getSettings().deviceId ?? null,
      };
    }, kind);
  }

  /** Keeps the track now sent of this kind, to look at it after it has been replaced (`keptTrackState`). */
  async keepSentTrack(kind: 'audio' | 'video'): Promise<void> {
    await this.page.evaluate((kind) => {
      const pc = (
        window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } }
      ).handsetDemo.peerConnection();
      const track = pc?.getTransceivers().find((t) => t.receiver.track.kind === kind)?.sender.track;
      if (!track) throw new Error(`no ${kind} track is sent`);
      (window as unknown as { keptTrack: MediaStreamTrack }).keptTrack = track;
    }, kind);
  }

  /**
   * Ends the track now sent of this kind as the browser does when the device goes away or its own "Stop
   * sharing" bar is pressed: the track stops and fires `ended` (a page's own `stop()` fires nothing).
   */
  async endSentTrack(kind: 'audio' | 'video'): Promise<void> {
    await this.page.evaluate((kind) => {
      const pc = (
        window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } }
      ).handsetDemo.peerConnection();
      const track = pc?.getTransceivers().find((t) => t.receiver.track.kind === kind)?.sender.track;
      if (!track) throw new Error(`no ${kind} track is sent`);
      track.stop();
      track.dispatchEvent(new Event('ended'));
    }, kind);
  }

  keptTrackState(): Promise<string> {
    return this.page.evaluate(
      () => (window as unknown as { keptTrack: MediaStreamTrack }).keptTrack.readyState,
    );
  }

  /** The SDP this page last set locally: unchanged means no renegotiation happened. */
  localSdp(): Promise<string | null> {
    return this.page.evaluate(
      () =>
        (
          window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } }
        ).handsetDemo.peerConnection()?.localDescription?.sdp ?? null,
    );
  }

  /** What arrived from the peer so far, of one kind (`inbound-rtp` summed over its streams). */
  inbound(kind: 'audio' | 'video'): Promise<Inbound> {
    return this.page.evaluate(async (kind) => {
      const pc = (
        window as unknown as { handsetDemo: { peerConnection(): RTCPeerConnection | null } }
      ).handsetDemo.peerConnection();
      const total = { bytes: 0, framesDecoded: 0, audioEnergy: 0, frameWidth: 0 };
      if (!pc) return total;
      (await pc.getStats()).forEach(
        (report: {
          type: string;
          kind?: string;
          bytesReceived?: number;
          framesDecoded?: number;
          totalAudioEnergy?: number;
          frameWidth?: number;
        }) => {
          if (report.type !== 'inbound-rtp' || report.kind !== kind) return;
          total.bytes += report.bytesReceived ?? 0;
          total.framesDecoded += report.framesDecoded ?? 0;
          total.audioEnergy += report.totalAudioEnergy ?? 0;
          total.frameWidth = Math.max(total.frameWidth, report.frameWidth ?? 0);
        },
      );
      return total;
    }, kind);
  }

  /** Resolves once `measure` has grown by more than `by` (media flows); fails after the usual wait. */
  async expectGrowing(measure: () => Promise<number>, by = 0): Promise<void> {
    const first = await measure();
    await expect.poll(measure, { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(first + by);
  }

  /**
   * Resolves once `measure` holds still for a whole second (media stopped), growing by no more than
   * `tolerance` (silence still carries a trace of energy, ~1e-9); fails after the usual wait.
   */
  async expectStill(measure: () => Promise<number>, tolerance = 0): Promise<void> {
    await expect
      .poll(
        async () => {
          const before = await measure();
          await this.page.waitForTimeout(1_000);
          return (await measure()) - before;
        },
        { timeout: WAIT_MS, interval: 100 },
      )
      .toBeLessThanOrEqual(tolerance);
  }

  /** The chat log's lines as shown: `<who>: <text>`, oldest first. */
  chatLines(): Promise<string[]> {
    return this.page
      .locator('#chat-log li')
      .evaluateAll((items) =>
        items.map(
          (item) =>
            `${item.querySelector('.who')?.textContent ?? ''}: ${item.querySelector('.text')?.textContent ?? ''}`,
        ),
      );
  }

  async sendMessage(text: string): Promise<void> {
    await this.page.getByLabel('Message', { exact: true }).fill(text);
    await this.button('Send').click();
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
