// Every wait has an end and every buffer a size: lost renegotiation answers, a camera that never opens,
// ICE restarts requested mid-negotiation, candidate floods and invite floods — on the simulated clock.
import { afterEach, describe, expect, it } from 'vitest';
import { type MediaStreamPort, PROTOCOL_LIMITS } from '../src/index.js';
import { createRig, type Rig } from './phone-rig.js';
import { connectedCall, frameOf, ringingCall, sentOfType } from './phone-scenarios.js';

let rig: Rig | undefined;
afterEach(() => rig?.dispose());

describe('every waiting state has an end', () => {
  it('a renegotiation answer that never comes ends the call `negotiation-failed` after `renegotiationMs`', async () => {
    const phones = await connectedCall();
    rig = phones.rig;
    const { alice, bob } = phones;
    bob.transport.drop();
    alice.pc().needNegotiation();
    await rig.settle();
    expect(alice.view().state).toBe('renegotiating');
    // rig.settle() moved the clock a few batch windows since the timer was set: stop short of the bound.
    await rig.clock.advance(rig.timeouts.renegotiationMs - 100);
    expect(alice.view().state).toBe('renegotiating');
    await rig.clock.advance(100);
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'negotiation-failed', by: 'local' },
    });
    expect(sentOfType(alice, 'hangup')).toMatchObject([{ reason: 'negotiation-failed' }]);
  });

  it('a camera that never opens while answering ends the call `media-failed` after `answerMediaMs`', async () => {
    const never = () => new Promise<MediaStreamPort>(() => {});
    const phones = await ringingCall({ timeouts: { inviteMs: 120_000 } }, { bob: { getUserMedia: never } });
    rig = phones.rig;
    const { alice, bob } = phones;
    bob.phone.answerCall();
    await rig.settle();
    expect(bob.view().state).toBe('answering');
    await rig.clock.advance(rig.timeouts.answerMediaMs - 100);
    expect(bob.view().state).toBe('answering');
    await rig.clock.advance(100);
    expect(bob.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'media-failed', by: 'local', detail: 'timeout' },
    });
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'media-failed', by: 'remote' } });
  });

  it('ICE failing while a renegotiation is in flight: the restart is offered once the region is free, on the same attempt', async () => {
    rig = createRig();
    // Alice's ICE moves only when the test says so: it stays failed until the restart is offered.
    const alice = rig.add('alice', { pc: { autoConnect: false } });
    const bob = rig.add('bob');
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await rig.settle();
    alice.pc().setIceState('connected');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', callId });
    alice.pc().needNegotiation();
    alice.pc().setIceState('failed');
    await rig.settle();
    expect(sentOfType(alice, 'negotiate').filter((n) => n.description.type === 'offer')).toMatchObject([
      { callId, iceRestart: false },
      { callId, iceRestart: true },
    ]);
    expect(alice.pc().restartCount).toBe(1);
    expect(alice.view()).toMatchObject({ state: 'reconnecting', endReason: null });
    alice.pc().setIceState('connected');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', endReason: null });
  });
});

describe('bounded buffers and the protocol’s own limits', () => {
  it('70 candidates per side: batches split at `maxCandidatesPerMessage` and the call connects', async () => {
    const phones = await connectedCall(
      {},
      { alice: { pc: { candidates: 70 } }, bob: { pc: { candidates: 70 } } },
    );
    rig = phones.rig;
    const { alice, bob } = phones;
    for (const side of [alice, bob]) {
      const batches = sentOfType(side, 'candidates');
      expect(batches.every((b) => b.candidates.length <= PROTOCOL_LIMITS.maxCandidatesPerMessage)).toBe(true);
      expect(batches.flatMap((b) => b.candidates)).toHaveLength(70);
      expect(batches.filter((b) => b.end)).toHaveLength(1);
      expect(batches.at(-1)!.end).toBe(true);
      expect(side.protocolErrors()).toEqual([]);
    }
    expect(bob.pc().remoteCandidates).toHaveLength(70);
  });

  it('remote candidates buffered while ringing are capped, with a warning past the cap', async () => {
    const phones = await ringingCall();
    rig = phones.rig;
    const { bob, callId } = phones;
    const header = { callId, from: 'alice', fromDevice: 'alice-1', to: 'bob' };
    const batch = (n: number) =>
      Array.from({ length: PROTOCOL_LIMITS.maxCandidatesPerMessage }, (_, i) => ({
        candidate: `candidate:${n}-${i} 1 udp 1 127.0.0.1 ${10_000 + i} typ host`,
      }));
    const batches = 20;
    for (let n = 0; n < batches; n++) {
      bob.transport.inject(frameOf({ type: 'candidates', ...header, candidates: batch(n), end: false }));
    }
    await rig.settle();
    const warnings = bob.events.filter((e) => e.type === 'call-warning');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ callId, error: { code: 'candidates-dropped' } });
    bob.phone.answerCall();
    await rig.settle();
    const applied = bob.pc().remoteCandidates.length;
    expect(applied).toBeLessThan(batches * PROTOCOL_LIMITS.maxCandidatesPerMessage);
    expect(applied).toBeLessThanOrEqual(256 + 2);
  });
});

describe('busy replies cannot be turned against the user', () => {
  it('200 invites from one sender during a call → one `busy` per sender per window, the rest dropped', async () => {
    const phones = await connectedCall();
    rig = phones.rig;
    const { bob, callId } = phones;
    const mallory = rig.network.connect('mallory');
    const invite = (n: number, from = 'mallory') =>
      frameOf({
        type: 'invite',
        callId: `flood-${from}-${n}`,
        from,
        fromDevice: `${from}-1`,
        to: 'bob',
        sdp: 'v=0\r\n',
        media: { audio: true, video: false },
        lifetimeMs: 30_000,
      });
    for (let n = 0; n < 200; n++) bob.transport.inject(invite(n));
    await rig.settle();
    const busyTo = (who = 'mallory') => sentOfType(bob, 'reject').filter((r) => r.to === who);
    expect(busyTo()).toHaveLength(1);
    // Another sender in the same window is answered too: the bound is per sender.
    bob.transport.inject(invite(0, 'carol'));
    await rig.settle();
    expect(busyTo('carol')).toHaveLength(1);
    await rig.clock.advance(rig.timeouts.busyReplyIntervalMs);
    bob.transport.inject(invite(200));
    await rig.settle();
    expect(busyTo()).toHaveLength(2);
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    // The reply window's timer goes with the call.
    bob.phone.hangupCall();
    await rig.settle();
    expect(rig.clock.pending('bob-1')).toEqual([]);
    mallory.close();
  });
});
