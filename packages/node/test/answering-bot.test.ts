// The answering bot example, end to end: the real demo server (its WebSocket signaling server behind the
// page's origin), the bot as its own Node process, and a person calling it from the demo page in Chromium.
// The bot picks up, greets (the page hears it), shows its test pattern (the page decodes it), records the
// caller, hangs up, and exits (--once); the
// recording is a WebM file with the caller's Opus audio and VP8 video frames.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../demo/server/demo-server.js';
import { CallPage } from '../../demo/test/call-page.js';
import { launchChromium, newParty } from '../../demo/test/chromium.js';
import { readWebm } from './support/webm-file.js';

const bot = fileURLToPath(new URL('../examples/answering-bot.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** Waits, not speed requirements: a shared 2-core machine can be slow. */
const STEP_MS = 45_000;
const HANGUP_AFTER_MS = 8_000;

let server: DemoServer;
let browser: Browser;
let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handset-bot-'));
  server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: null, relay: false });
  browser = await launchChromium();
});

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The bot's stdout as parsed JSON lines, and a wait for the first line matching a predicate. */
function botOutput(process: ChildProcess) {
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    test: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let buffered = '';
  process.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.test(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const next = (event: string, timeoutMs = STEP_MS) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.find((line) => line.event === event);
      if (seen) return resolve(seen);
      const timer = setTimeout(
        () => reject(new Error(`bot said no "${event}" in time; it said: ${JSON.stringify(lines)}`)),
        timeoutMs,
      );
      waiters.push({
        test: (line) => line.event === event,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  return { lines, next };
}

/** Starts the bot (as its own process), calls it from the demo page, and checks what both sides agree on. */
async function callTheBot(options: { camera: boolean }, duringCall: (caller: CallPage) => Promise<void>) {
  const signalUrl = `${server.httpUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/signal`;
  const tokenUrl = `${server.httpUrl.replace(/\/$/, '')}/demo/token?user=30000`;
  const botProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      bot,
      ...['--signal', signalUrl, '--token-url', tokenUrl, '--user', '30000'],
      ...['--record', join(dir, 'caller-%c.webm'), '--greeting-ms', '3000'],
      ...['--hangup-after-ms', String(HANGUP_AFTER_MS), '--loopback', '--once'],
      ...(options.camera ? ['--camera'] : []),
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = botProcess;
  let stderr = '';
  botProcess.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => botProcess.on('exit', (code) => resolve(code)));
  const output = botOutput(botProcess);
  await output.next('signaling').catch((error: unknown) => {
    throw new Error(`${String(error)}\nstderr:\n${stderr}`);
  });
  await expect.poll(() => output.lines.some((l) => l.status === 'open'), { timeout: STEP_MS }).toBe(true);

  const party = await newParty(browser);
  const caller = await CallPage.open(party, server.httpUrl);
  await caller.login('10000', '30000', 'ws');
  await caller.button('Call').click();
  expect((await output.next('incoming-call')).from).toBe('10000');
  await caller.waitForState('connected');
  await duringCall(caller);
  await output.next('recording');

  const recorded = await output.next('recorded');
  await caller.waitForState('ended');
  expect(recorded.endReason).toBe('hangup');
  // What the bot counted while recording (its whole report in the message, should this fail).
  const packets = recorded.packets as { audio: number; video: number };
  expect(packets.audio, JSON.stringify(output.lines)).toBeGreaterThan(20);
  expect(packets.video, JSON.stringify(output.lines)).toBeGreaterThan(10);

  const code = await Promise.race([
    exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
  ]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

  expect(await readdir(dir)).toEqual([`caller-${String(recorded.callId)}.webm`]);
  const file = await readWebm(String(recorded.path));
  expect(file.format).toBe('WebM');
  const byType = Object.fromEntries(file.tracks.map((track) => [track.type, track]));
  expect(byType.audio?.codec).toBe('opus');
  expect(byType.audio?.packets).toBeGreaterThan(20);
  expect(byType.video?.codec).toBe('vp8');
  expect(byType.video?.packets).toBeGreaterThan(10);
  expect(byType.video?.keyPackets).toBeGreaterThan(0);
  // VP8 key frames start with the 3-byte frame tag and the start code 9d 01 2a (RFC 6386 §9.1).
  const key = byType.video?.firstPayloads.find((payload) => (payload[0] ?? 1) % 2 === 0);
  expect([...(key?.subarray(3, 6) ?? [])]).toEqual([0x9d, 0x01, 0x2a]);
  await rm(String(recorded.path));
  await party.close();
}

it("answers a call from the demo page, greets the caller (heard), records the caller's audio and video, hangs up and exits", async () => {
  await callTheBot({ camera: false }, async (caller) => {
    // The greeting: the page decodes sound from the bot while the call is up.
    await expect
      .poll(async () => (await caller.inbound('audio')).audioEnergy, { timeout: HANGUP_AFTER_MS })
      .toBeGreaterThan(0);
  });
}, 180_000);

it('shows the caller its test pattern (--camera): the page decodes the moving picture at 640 wide', async () => {
  await callTheBot({ camera: true }, async (caller) => {
    await expect
      .poll(async () => (await caller.inbound('video')).framesDecoded, { timeout: HANGUP_AFTER_MS })
      .toBeGreaterThan(10);
    expect((await caller.inbound('video')).frameWidth).toBe(640);
  });
}, 180_000);
