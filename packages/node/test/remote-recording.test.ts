// recordRemoteStream on a real werift pair: what one side sends (an Opus tone) lands in a WebM file that a
// container parser reads back, frame by frame, and an Opus decoder hears as a tone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpusScript from 'opusscript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  NODE_DEVICES,
  RecordingError,
  recordRemoteStream,
} from '../src/index.js';
import { firstRemoteStream, negotiate, observe, untilIceState } from './support/port-pair.js';
import { readWebm } from './support/webm-file.js';

const factory = createWeriftPeerConnectionFactory({ loopbackOnly: true });
afterEach(() => factory.closeAll());
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handset-recording-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Root mean square of decoded 16-bit PCM, 0..1. */
function loudness(pcm: Buffer): number {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  let sum = 0;
  for (const sample of samples) sum += (sample / 32_768) ** 2;
  return Math.sqrt(sum / samples.length);
}

describe('recordRemoteStream', () => {
  it("writes the peer's Opus audio to a WebM file whose frames decode to the tone that was sent", async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const media = await createWeriftGetUserMedia({ devices: NODE_DEVICES })({ audio: true, video: false });
    for (const track of media.getTracks()) caller.pc.addTrack(track, media);
    await negotiate(caller, callee, null);
    await untilIceState(callee.pc, 'connected');

    const path = join(dir, 'tone.webm');
    const recording = recordRemoteStream(firstRemoteStream(callee), { path, kinds: ['audio'] });
    await recording.started;
    // A count, not a duration: on a loaded machine the sender's timer fires late and 1.5 s may carry few packets.
    await expect.poll(() => recording.packets.audio, { timeout: 20_000 }).toBeGreaterThan(40);
    await recording.stop();
    expect(recording.packets.audio).toBeGreaterThan(20);

    const file = await readWebm(path);
    expect(file.format).toBe('WebM');
    expect(file.tracks.map((track) => [track.type, track.codec])).toEqual([['audio', 'opus']]);
    const [audio] = file.tracks;
    expect(audio?.packets).toBeGreaterThan(20);
    const decoder = new OpusScript(48_000, 1);
    try {
      const levels = (audio?.firstPayloads ?? [])
        .slice(5)
        .map((frame) => loudness(decoder.decode(Buffer.from(frame))));
      const median = [...levels].sort((a, b) => a - b)[Math.floor(levels.length / 2)] ?? 0;
      // A 0.3-amplitude sine has an RMS of about 0.21 (the first frames less: the decoder warms up).
      expect(median).toBeGreaterThan(0.1);
    } finally {
      decoder.delete();
    }
  });

  it('rejects a path that is not .webm with RecordingError not-webm', async () => {
    const recording = recordRemoteStream({ getTracks: () => [] }, { path: join(dir, 'x.ogg') });
    await expect(recording.started).rejects.toMatchObject({ name: 'RecordingError', code: 'not-webm' });
    await recording.stop();
  });

  it('rejects with no-media when the peer sends nothing of a wanted kind in time', async () => {
    const recording = recordRemoteStream(
      { getTracks: () => [] },
      { path: join(dir, 'none.webm'), startTimeoutMs: 200 },
    );
    const error = await recording.started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingError);
    expect(error).toMatchObject({ code: 'no-media' });
    await recording.stop();
  });
});
