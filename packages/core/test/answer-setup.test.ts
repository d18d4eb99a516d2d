// Both sides of call setup. The callee: the caller's offer is applied while the camera and microphone are
// being opened, not after, so the answer leaves sooner; an offer that cannot be applied still ends the call
// `protocol-error`, and media that arrives after that is stopped. The caller: connected when ICE is, not
// when the answer's promise settles. On the fakes and the rig's manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { GetUserMedia, MediaStreamPort } from '../src/index.js';
import { createFakeMedia, createFakePeerConnections, type FakePeerConnection } from '../src/testing/index.js';
import { settle } from './manual-clock.js';
import { createRig, type Rig } from './phone-rig.js';

let rig: Rig;
afterEach(() => rig?.dispose());

/** A getUserMedia that waits until the test lets it answer, as a permission prompt does. */
function heldGetUserMedia() {
  const media = createFakeMedia();
  const waiting: (() => void)[] = [];
  const getUserMedia: GetUserMedia = (request) =>
    new Promise<MediaStreamPort>((resolve, reject) => {
      waiting.push(() => {
        media.getUserMedia(request).then(resolve, reject);
      });
    });
  return {
    media,
    getUserMedia,
    pending: () => waiting.length,
    grant: () => {
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

describe('answering a call', () => {
  it("applies the caller's offer while getUserMedia is still running", async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const held = heldGetUserMedia();
    const bob = rig.add('bob', { getUserMedia: held.getUserMedia });
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(bob.view().state).toBe('incoming');
    bob.phone.answerCall();
    await settle();
    expect(held.pending()).toBe(1);
    expect(bob.pc().remoteDescription?.type).toBe('offer');
    held.grant();
    await rig.settle();
    expect(bob.view().state).toBe('connected');
    expect(alice.view().state).toBe('connected');
    // The offer was applied once: the answer went out, nothing was refused.
    expect(bob.sent().filter((e) => e.type === 'answer')).toHaveLength(1);
    expect(bob.events.filter((e) => e.type === 'call-warning')).toEqual([]);
  });

  it('an offer the connection refuses ends the call protocol-error at once, and the late media is stopped', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const held = heldGetUserMedia();
    const bob = rig.add('bob', {
      getUserMedia: held.getUserMedia,
      pc: { failOn: new Set(['setRemoteDescription']) },
    });
    alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await settle();
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'protocol-error', by: 'remote' } });
    expect(bob.sent().filter((e) => e.type === 'hangup')).toMatchObject([{ reason: 'protocol-error' }]);
    held.grant();
    await rig.settle();
    const tracks = held.media.streams.flatMap((stream) => stream.tracks);
    expect(tracks.length).toBeGreaterThan(0);
    expect(tracks.filter((track) => !track.stopped)).toEqual([]);
  });
});

describe('the caller applying the answer', () => {
  /**
   * Alice's connection as a busy browser page has it: the answer is applied (ICE can use it) but its promise
   * settles only when the test says; with a stats report, so that a connected call samples.
   */
  function slowAnswerRig() {
    rig = createRig();
    const pcs = createFakePeerConnections({ autoConnect: false, stats: [] });
    const settleLater: (() => void)[] = [];
    const alice = rig.add('alice', {
      peerConnectionFactory: (config) => {
        const pc = pcs.factory(config) as FakePeerConnection;
        const apply = pc.setRemoteDescription.bind(pc);
        pc.setRemoteDescription = async (description) => {
          await apply(description);
          if (description.type === 'answer') await new Promise<void>((done) => settleLater.push(done));
        };
        return pc;
      },
    });
    const bob = rig.add('bob', { pc: { autoConnect: false } });
    bob.phone.events$.subscribe((event) => {
      if (event.type === 'incoming-call') bob.phone.answerCall();
    });
    return { alice, bob, settleLater, pc: () => pcs.created[0] as FakePeerConnection };
  }

  it('is connected as soon as ICE is, though the platform has not yet settled applying the answer', async () => {
    const { alice, settleLater, pc } = slowAnswerRig();
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('connecting');
    expect(settleLater).toHaveLength(1);
    pc().setIceState('checking');
    pc().setIceState('connected');
    await settle();
    expect(alice.view().state).toBe('connected');
    for (const done of settleLater) done();
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    expect(alice.events.filter((e) => e.type === 'call-warning')).toEqual([]);
  });

  it('hands the candidates held for the answer over after connecting, not while the answer is being applied', async () => {
    const { alice, settleLater, pc } = slowAnswerRig();
    alice.phone.makeCall('bob');
    await rig.settle();
    const held = rig.network.log.filter((e) => e.type === 'candidates' && e.from === 'bob');
    expect(held.length).toBeGreaterThan(0);
    pc().setIceState('checking');
    pc().setIceState('connected');
    await settle();
    // A browser blocks the page in addIceCandidate until the answer's promise settles: nothing is added yet.
    expect(pc().remoteCandidates).toEqual([]);
    for (const done of settleLater) done();
    await rig.settle();
    // Bob sent nothing more: the first stats sample of the connected call hands them over, in order.
    await rig.clock.advance(rig.timeouts.statsIntervalMs);
    await settle();
    const sent = held.flatMap((e) => (e.type === 'candidates' ? e.candidates : []));
    expect(pc().remoteCandidates.map((c) => c.candidate)).toEqual(sent.map((c) => c.candidate));
    expect(alice.events.filter((e) => e.type === 'call-warning')).toEqual([]);
  });
});
