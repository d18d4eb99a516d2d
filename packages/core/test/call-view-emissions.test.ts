// The call view an app renders from: a new view only when something in it changed. The call's machine moves
// on many events an app cannot see (each local ICE candidate, a batch window); none of them re-renders it.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView } from '../src/index.js';
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
