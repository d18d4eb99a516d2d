// loadMediaFile: a WebM file made by recordRemoteStream is played back as a device over a real werift pair,
// and what the far side records holds the very frames of the file (the tone still decodes as a tone).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  loadMediaFile,
  MediaFileError,
  NODE_DEVICES,
  type NodeMediaDevice,
  recordRemoteStream,
} from '../src/index.js';
import { firstRemoteStream, negotiate, observe, untilIceState } from './support/port-pair.js';
import { readWebm } from './support/webm-file.js';

const factory = createWeriftPeerConnectionFactory({ loopbackOnly: true });
afterEach(() => factory.closeAll());
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handset-media-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One werift pair: the caller's first microphone (of `devices`) is recorded at the callee to `path`. */
async function sendAndRecord(devices: readonly NodeMediaDevice[], path: string): Promise<void> {
  const caller = observe(factory({ iceServers: [] }));
  const callee = observe(factory({ iceServers: [] }));
  const media = await createWeriftGetUserMedia({ devices })({ audio: true, video: false });
  for (const track of media.getTracks()) caller.pc.addTrack(track, media);
  await negotiate(caller, callee, null);
  await untilIceState(callee.pc, 'connected');
  const recording = recordRemoteStream(firstRemoteStream(callee), { path, kinds: ['audio'] });
  await recording.started;
  // A count, not a duration: on a loaded machine the sender's timer fires late and 1.5 s may carry few packets.
  await expect.poll(() => recording.packets.audio, { timeout: 20_000 }).toBeGreaterThan(40);
  await recording.stop();
  for (const track of media.getTracks()) track.stop();
}

describe('loadMediaFile', () => {
  it("plays a recorded file's Opus frames as a microphone: the far side records the same frames", async () => {
    const original = join(dir, 'original.webm');
    await sendAndRecord(NODE_DEVICES, original);
    const file = await loadMediaFile(original);
    expect(file.audio?.kind).toBe('audio');
    expect(file.audio?.frameIntervalMs).toBe(20);
    expect(file.video).toBeUndefined();

    const replayed = join(dir, 'replayed.webm');
    const fromFile: NodeMediaDevice = {
      deviceId: 'file',
      kind: 'audioinput',
      label: 'original.webm',
      source: file.audio as NonNullable<typeof file.audio>,
    };
    await sendAndRecord([fromFile], replayed);

    const [before, after] = [await readWebm(original), await readWebm(replayed)];
    expect(after.tracks.map((track) => [track.type, track.codec])).toEqual([['audio', 'opus']]);
    const frameSet = new Set(
      before.tracks[0]?.firstPayloads.map((frame) => Buffer.from(frame).toString('hex')),
    );
    const replayedFrames = after.tracks[0]?.firstPayloads ?? [];
    expect(replayedFrames.length).toBeGreaterThan(20);
    // Every frame that came through is one of the file's (the tone loops over 5 distinct frames).
    expect(replayedFrames.every((frame) => frameSet.has(Buffer.from(frame).toString('hex')))).toBe(true);
  });

  it('refuses a file that is no media container with MediaFileError unreadable', async () => {
    const junk = join(dir, 'junk.webm');
    await writeFile(junk, 'not a media file at all');
    const error = await loadMediaFile(junk).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaFileError);
    expect(error).toMatchObject({ code: 'unreadable' });
  });
});
