// The call view an app renders from: a new view only when something in it changed. The call's machine moves
// on many events an app cannot see (each local ICE candidate, a batch window); none of them re-renders it.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView } from '../src/index.js';
import { FakeMediaStream, FakeTrack } from '../src/testing/index.js';
import { settle } from './manual-clock.js';
import { createRig, type Rig } from './phone-rig.js';

let rig: Rig;
afterEach(() => rig?.dispose());

/** What an app can see of a view, as plain data (streams by identity). */
function seen(view: CallView) {
  return { ...view, localMedia: { ...view.localMedia }, remoteMedia: { ...view.remoteMedia } };
}

describe('call$', () => {
  it('gives a new view only when the view changed, through a whole call setup with many candidates', async () => {
    rig = createRig();
    const alice = rig.add('alice', { pc: { candidates: 6 } });
    const bob = rig.add('bob', { pc: { candidates: 6 } });
    bob.phone.events$.subscribe((event) => {
      if (event.type === 'incoming-call') bob.phone.answerCall();
    });
    const views: CallView[] = [];
    alice.phone.call$.subscribe((view) => views.push(view));
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    // Six candidates each way went through the machine: none of them is a view of its own.
    expect(views.map((view) => view.state).filter((state, i, all) => state !== all[i - 1])).toEqual([
      'idle',
      'acquiring-media',
      'dialing',
      'ringing',
      'connecting',
      'connected',
    ]);
    for (let index = 1; index < views.length; index++) {
      expect(seen(views[index] as CallView)).not.toEqual(seen(views[index - 1] as CallView));
    }
  });
});

describe('call$ and a stream that gains a track', () => {
  it('gives a new view when the remote stream it already shows gains a track (a browser adds both to one stream)', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob');
    bob.phone.events$.subscribe((event) => {
      if (event.type === 'incoming-call') bob.phone.answerCall();
    });
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    // As Chromium does: one MediaStream object for the peer's audio and video, the video track added to it later.
    const audio = new FakeTrack('audio');
    const video = new FakeTrack('video');
    const stream = new FakeMediaStream([audio]);
    const emitTrack = (track: FakeTrack) =>
      (alice.pc() as unknown as { emit(type: string, event: unknown): void }).emit('track', {
        track,
        streams: [stream],
      });
    // Read when each view is given: the stream itself is live and shows its tracks as they are now.
    const trackCounts: (number | undefined)[] = [];
    alice.phone.call$.subscribe((view) => trackCounts.push(view.remoteStream?.getTracks().length));
    emitTrack(audio);
    await settle();
    stream.tracks.push(video);
    emitTrack(video);
    await settle();
    // The current view (no remote stream in the fakes' call), the stream's arrival, the stream with its second track.
    expect(trackCounts).toEqual([undefined, 1, 2]);
  });
});
