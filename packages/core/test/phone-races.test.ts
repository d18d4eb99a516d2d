// Multi-device races and late messages: one device wins an answer race cleanly, a hang-up from one callee
// device stops the others, and a call that has ended stays ended whatever arrives for it later.
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './phone-rig.js';
import { connectedCall, frameOf, ringingCall, sentOfType } from './phone-scenarios.js';

let rig: Rig | undefined;
afterEach(() => rig?.dispose());

describe('two devices of the callee', () => {
  it('answering in the same round trip: the loser ends `answered-elsewhere`, camera off, only one device connected', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bobPhone = rig.add('bob', { deviceId: 'bob-phone' });
    const bobLaptop = rig.add('bob', { deviceId: 'bob-laptop' });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    bobPhone.phone.answerCall();
    bobLaptop.phone.answerCall();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', callId });
    expect(bobPhone.view()).toMatchObject({ state: 'connected', callId });
    expect(bobLaptop.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'answered-elsewhere', by: 'remote' },
    });
    expect(bobLaptop.media.streams.flatMap((s) => s.tracks).every((t) => t.stopped)).toBe(true);
    expect(bobLaptop.pc().closed).toBe(true);
  });

  it('the loser still connecting when `answer-selected` arrives ends `answered-elsewhere`, not after connectMs', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bobPhone = rig.add('bob', { deviceId: 'bob-phone' });
    const bobLaptop = rig.add('bob', { deviceId: 'bob-laptop', pc: { autoConnect: false } });
    alice.phone.makeCall('bob');
    await rig.settle();
    bobPhone.phone.answerCall();
    bobLaptop.phone.answerCall();
    await rig.settle();
    expect(bobLaptop.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'answered-elsewhere', by: 'remote' },
    });
    expect(bobLaptop.media.streams.flatMap((s) => s.tracks).every((t) => t.stopped)).toBe(true);
  });

  it("a hang-up from one callee device while the caller is still calling → the caller cancels the others' ringing", async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bobPhone = rig.add('bob', { deviceId: 'bob-phone', deny: 'NotFoundError' });
    const bobLaptop = rig.add('bob', { deviceId: 'bob-laptop' });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(bobLaptop.view()).toMatchObject({ state: 'incoming', callId });
    bobPhone.phone.answerCall();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'media-failed', by: 'remote' } });
    expect(sentOfType(alice, 'cancel')).toMatchObject([{ callId, to: 'bob' }]);
    expect(sentOfType(alice, 'cancel')[0]!.toDevice).toBeUndefined();
    expect(bobLaptop.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'cancelled', by: 'remote' },
    });
  });
});

describe('a call that has ended', () => {
  it('a replayed invite of an ended call does not ring again', async () => {
    const phones = await ringingCall();
    rig = phones.rig;
    const { alice, bob, callId } = phones;
    const invite = rig.network.log.find((e) => e.type === 'invite' && e.callId === callId)!;
    bob.phone.rejectCall();
    await rig.settle();
    expect(alice.view().endReason).toEqual({ code: 'declined', by: 'remote' });
    bob.transport.inject(JSON.stringify(invite));
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', callId, endReason: { code: 'declined' } });
    expect(bob.events.filter((e) => e.type === 'incoming-call')).toHaveLength(1);
    expect(sentOfType(bob, 'ringing')).toHaveLength(1);
  });

  it('a message for a call this phone ended is answered with a hang-up, so the peer ends too', async () => {
    const phones = await connectedCall();
    rig = phones.rig;
    const { alice, bob, callId } = phones;
    // Bob hangs up while Alice's link is down: his hang-up is lost (the network answers `unavailable`).
    alice.transport.drop();
    bob.phone.hangupCall();
    await rig.settle();
    // Alice's link comes back: she restarts ICE at once (she may be on another network); her restart offer
    // reaches Bob's phone, which ended the call.
    alice.transport.restore();
    await rig.settle();
    expect(sentOfType(bob, 'hangup').map((h) => h.callId)).toEqual([callId, callId]);
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'hangup', by: 'remote' } });
  });

  it('the hang-up replies are bounded per ended call', async () => {
    const phones = await connectedCall();
    rig = phones.rig;
    const { bob, callId } = phones;
    bob.phone.hangupCall();
    await rig.settle();
    const header = { callId, from: 'alice', fromDevice: 'alice-1', to: 'bob', toDevice: 'bob-1' };
    for (let i = 0; i < 50; i++) {
      bob.transport.inject(frameOf({ type: 'candidates', ...header, candidates: [], end: false }));
    }
    await rig.settle();
    const replies = sentOfType(bob, 'hangup').slice(1);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.length).toBeLessThanOrEqual(3);
    expect(replies.every((h) => h.to === 'alice' && h.toDevice === 'alice-1')).toBe(true);
  });

  it('never answers a hangup, cancel, reject or unavailable, a message for another device, or a third party', async () => {
    const phones = await connectedCall();
    rig = phones.rig;
    const { bob, callId } = phones;
    bob.phone.hangupCall();
    await rig.settle();
    const sentBefore = bob.sent().length;
    const header = { callId, from: 'alice', fromDevice: 'alice-1', to: 'bob' };
    const quiet: Parameters<typeof frameOf>[0][] = [
      { type: 'hangup', ...header, reason: 'normal' },
      { type: 'cancel', ...header },
      { type: 'reject', ...header, reason: 'busy' },
      { type: 'unavailable', ...header },
      { type: 'candidates', ...header, toDevice: 'bob-2', candidates: [], end: false },
      { type: 'candidates', ...header, from: 'mallory', candidates: [], end: false },
    ];
    for (const draft of quiet) bob.transport.inject(frameOf(draft));
    await rig.settle();
    expect(bob.sent().slice(sentBefore)).toEqual([]);
  });
});
