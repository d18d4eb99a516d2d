// Makes media/test-pattern.ivf, the moving picture testPattern() sends: Chromium's fake camera (a rotating
// pattern with a frame counter) as the answering bot recorded it, cut to its first key frame and the two
// seconds after it, and stored as IVF (32-byte header, 12 bytes per frame). Run once; the file is committed.
//   node --import tsx scripts/record-test-pattern.ts
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_FORMATS, EncodedPacketSink, FilePathSource, Input } from 'mediabunny';
import { startDemoServer } from '../../demo/server/demo-server.js';
import { CallPage } from '../../demo/test/call-page.js';
import { launchChromium, newParty } from '../../demo/test/chromium.js';

const FRAMES = 60;
const out = fileURLToPath(new URL('../media/test-pattern.ivf', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'handset-pattern-'));
const server = await startDemoServer({ host: '127.0.0.1', httpPort: 0, httpsPort: null, relay: false });
const browser = await launchChromium();
try {
  const base = server.httpUrl.replace(/\/$/, '');
  const bot = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('../examples/answering-bot.ts', import.meta.url)),
      '--signal',
      `${base.replace(/^http/, 'ws')}/signal`,
      '--token-url',
      `${base}/demo/token?user=30000`,
      '--user',
      '30000',
      '--record',
      join(dir, 'pattern.webm'),
      '--hangup-after-ms',
      '6000',
      '--loopback',
      '--once',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const done = new Promise((resolve) => bot.on('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const page = await CallPage.open(await newParty(browser), server.httpUrl);
  await page.login('10000', '30000', 'ws');
  await page.button('Call').click();
  await done;
  const [name] = await readdir(dir);
  const input = new Input({ source: new FilePathSource(join(dir, name ?? '')), formats: ALL_FORMATS });
  const video = await input.getPrimaryVideoTrack();
  if (!video) throw new Error('no video recorded');
  const frames: Uint8Array[] = [];
  for await (const packet of new EncodedPacketSink(video).packets()) {
    if (frames.length === 0 && packet.type !== 'key') continue;
    frames.push(packet.data);
    if (frames.length === FRAMES) break;
  }
  input.dispose();
  // The real size is in the key frame (RFC 6386 §9.1: 14-bit width and height after the start code).
  const key = Buffer.from(frames[0] ?? new Uint8Array(10));
  const width = key.readUInt16LE(6) & 0x3fff;
  const height = key.readUInt16LE(8) & 0x3fff;
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('VP80', 8, 'ascii');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(30, 16); // time base: 1/30 s per timestamp unit
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  frames.forEach((frame, index) => {
    const frameHeader = Buffer.alloc(12);
    frameHeader.writeUInt32LE(frame.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(index), 4);
    parts.push(frameHeader, Buffer.from(frame));
  });
  await writeFile(out, Buffer.concat(parts));
  console.log(`${out}: ${frames.length} frames, ${width}x${height}, ${Buffer.concat(parts).length} bytes`);
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
