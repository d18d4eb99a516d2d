// The phone as a specification: hostile frames, third parties, busy, glare, every way a call can end
// early, ICE trouble and transport drops — each behaviour in a test of its own, on fakes and a manual clock.
import { config as rxjsConfig } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEnvelope,
  type Envelope,
  type EnvelopeDraft,
  encodeEnvelope,
  HandsetError,
  PROTOCOL_LIMITS,
} from '../src/index.js';
import { settle } from './manual-clock.js';
import { createRig, type Handset, type Rig } from './phone-rig.js';

let rig: Rig;
afterEach(() => rig?.dispose());

let messageNumber = 0;
const frameOf = (draft: EnvelopeDraft) => encodeEnvelope(createEnvelope(draft, `m${++messageNumber}`));
const sentOfType = <T extends Envelope['type']>(handset: Handset, type: T) =>
  handset.sent().filter((e): e is Extract<Envelope, { type: T }> => e.type === type);

/** Alice calls Bob and Bob answers; both end up connected. */
async function connectedCall(options: Parameters<typeof createRig>[0] = {}) {
  rig = createRig(options);
  const alice = rig.add('alice');
  const bob = rig.add('bob');
  const callId = alice.phone.makeCall('bob');
  await rig.settle();
  bob.phone.answerCall();
  await rig.settle();
  expect(alice.view()).toMatchObject({ state: 'connected', callId });
  expect(bob.view()).toMatchObject({ state: 'connected', callId });
  return { alice, bob, callId };
}

/** Alice calls Bob; Bob's phone is ringing. */
async function ringingCall(options: Parameters<typeof createRig>[0] = {}) {
  rig = createRig(options);
  const alice = rig.add('alice');
  const bob = rig.add('bob');
  const callId = alice.phone.makeCall('bob');
  await rig.settle();
  expect(alice.view().state).toBe('ringing');
  expect(bob.view()).toMatchObject({ state: 'incoming', callId });
  return { alice, bob, callId };
}

const header = (callId: string) => ({ callId, from: 'alice', fromDevice: 'alice-1', to: 'bob' });

describe('a bad frame during a connected call', () => {
  const cases: { name: string; code: string; frame: (callId: string) => string }[] = [
    { name: 'a frame that is not JSON', code: 'malformed-json', frame: () => '{"v":1,"type":"hangup"' },
    {
      name: 'an envelope of protocol version 2',
      code: 'unsupported-version',
      frame: (callId) =>
        JSON.stringify({ v: 2, id: 'x', type: 'hangup', reason: 'normal', ...header(callId) }),
    },
    {
      name: 'an envelope of an unknown type',
      code: 'unknown-type',
      frame: (callId) => JSON.stringify({ v: 1, id: 'x', type: 'self-destruct', ...header(callId) }),
    },
    {
      name: 'a hangup without a reason',
      code: 'invalid-envelope',
      frame: (callId) => JSON.stringify({ v: 1, id: 'x', type: 'hangup', ...header(callId) }),
    },
    {
      name: 'a hangup with an id holding a slash',
      code: 'invalid-envelope',
      frame: (callId) =>
        JSON.stringify({ v: 1, id: 'x/y', type: 'hangup', reason: 'normal', ...header(callId) }),
    },
    {
      name: 'a frame larger than the protocol allows',
      code: 'oversize',
      frame: (callId) =>
        frameOf({ type: 'answer', ...header(callId), sdp: 'v'.repeat(PROTOCOL_LIMITS.maxFrameBytes) }),
    },
  ];

  it.each(cases)('$name → a protocol-error event ($code) and the call goes on', async ({ frame, code }) => {
    const { alice, bob, callId } = await connectedCall();
    bob.transport.inject(frame(callId));
    await rig.settle();
    expect(bob.protocolErrors()).toEqual([code]);
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(alice.view().state).toBe('connected');
  });

  it('an envelope addressed to another user → a protocol-error event and the call goes on', async () => {
    const { bob, callId } = await connectedCall();
    bob.transport.inject(frameOf({ type: 'hangup', ...header(callId), to: 'carol', reason: 'normal' }));
    await rig.settle();
    expect(bob.protocolErrors()).toEqual(['invalid-envelope']);
    expect(bob.view()).toMatchObject({ state: 'connected', callId });
  });
});

describe('messages from third parties', () => {
  it('a hangup from a third party for our call id is ignored', async () => {
    const { alice, bob, callId } = await connectedCall();
    const mallory = rig.network.connect('mallory');
    mallory.send(
      createEnvelope({ type: 'hangup', ...header(callId), from: 'mallory', reason: 'normal' }, 'm'),
    );
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(alice.view().state).toBe('connected');
    expect(bob.protocolErrors()).toEqual([]);
  });

  it("a hangup from the peer's user but another device is ignored once the call is bound", async () => {
    const { bob, callId } = await connectedCall();
    bob.transport.inject(
      frameOf({ type: 'hangup', ...header(callId), fromDevice: 'alice-2', reason: 'normal' }),
    );
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
  });

  it('a second invite while in a call is answered `reject busy` and the current call is untouched', async () => {
    const { alice, bob, callId } = await connectedCall();
    const carol = rig.add('carol');
    const carolCall = carol.phone.makeCall('bob');
    await rig.settle();
    expect(carol.view()).toMatchObject({ state: 'ended', endReason: { code: 'busy', by: 'remote' } });
    expect(sentOfType(bob, 'reject')).toMatchObject([{ callId: carolCall, to: 'carol', reason: 'busy' }]);
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(alice.view()).toMatchObject({ state: 'connected', callId });
    expect(bob.events.some((e) => e.type === 'incoming-call' && e.callId === carolCall)).toBe(false);
  });
});

describe('glare', () => {
  it('two phones calling each other at once end up in one connected call with the lesser call id', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob');
    const aliceCall = alice.phone.makeCall('bob');
    const bobCall = bob.phone.makeCall('alice');
    await rig.settle();
    const [winner] = [aliceCall, bobCall].sort();
    expect(alice.view()).toMatchObject({ state: 'connected', callId: winner, endReason: null });
    expect(bob.view()).toMatchObject({ state: 'connected', callId: winner, endReason: null });
    // The side whose invite lost answers the other's, without anyone pressing answer.
    const loser = winner === aliceCall ? bob : alice;
    expect(loser.view().direction).toBe('incoming');
    expect(sentOfType(loser, 'answer')).toMatchObject([{ callId: winner }]);
  });
});

describe('a call that ends before it is answered', () => {
  it('caller cancels while ringing → the callee ends `cancelled` by remote at once', async () => {
    const { alice, bob } = await ringingCall();
    alice.phone.hangupCall();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'local' } });
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'remote' } });
  });

  it('callee rejects → the caller ends `declined` by remote', async () => {
    const { alice, bob } = await ringingCall();
    bob.phone.rejectCall();
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'declined', by: 'local' } });
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'declined', by: 'remote' } });
  });

  it('callee offline → the caller ends `unavailable` by remote', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'unavailable', by: 'remote' } });
  });

  it('nobody answers → after the invite timeout the caller ends `no-answer` and the callee `cancelled`', async () => {
    const { alice, bob } = await ringingCall({ timeouts: { inviteMs: 5_000 } });
    await rig.clock.advance(4_900);
    expect(bob.view().state).toBe('incoming');
    expect(alice.view().state).toBe('ringing');
    await rig.clock.advance(100);
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'no-answer', by: 'local' } });
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'remote' } });
  });

  it('a callee that never hears the cancel stops ringing on its own when the invite lifetime is over', async () => {
    const { alice, bob } = await ringingCall({ timeouts: { inviteMs: 5_000 } });
    bob.transport.drop();
    await rig.clock.advance(5_000);
    expect(alice.view().endReason).toEqual({ code: 'no-answer', by: 'local' });
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'no-answer', by: 'remote' } });
  });

  it('a stale invite (ageMs ≥ lifetimeMs) never rings', async () => {
    rig = createRig();
    const bob = rig.add('bob');
    for (const ageMs of [30_000, 45_000]) {
      bob.transport.inject(
        frameOf({
          type: 'invite',
          ...header(`stale-${ageMs}`),
          sdp: 'v=0\r\n',
          media: { audio: true, video: false },
          lifetimeMs: 30_000,
          ageMs,
        }),
      );
    }
    await rig.settle();
    expect(bob.view().state).toBe('idle');
    expect(bob.events.filter((e) => e.type === 'incoming-call')).toEqual([]);
    expect(bob.sent()).toEqual([]);
  });

  it('an invite held in transit rings only for what is left of its lifetime', async () => {
    rig = createRig();
    const bob = rig.add('bob');
    bob.transport.inject(
      frameOf({
        type: 'invite',
        ...header('late'),
        sdp: 'v=0\r\n',
        media: { audio: true, video: false },
        lifetimeMs: 30_000,
        ageMs: 29_000,
      }),
    );
    await rig.settle();
    expect(bob.view().state).toBe('incoming');
    await rig.clock.advance(1_000);
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'no-answer', by: 'remote' } });
  });

  it("getUserMedia denied on the caller's side → the call ends `media-denied` and nothing is sent", async () => {
    rig = createRig();
    const alice = rig.add('alice', { deny: 'NotAllowedError' });
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'media-denied', by: 'local', detail: 'NotAllowedError' },
    });
    expect(alice.sent()).toEqual([]);
  });

  it("getUserMedia denied on the callee's side → callee `media-denied`, caller `media-failed` by remote", async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob', { deny: 'NotAllowedError' });
    alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'media-denied', by: 'local' } });
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'media-failed', by: 'remote' } });
  });

  it("the callee's other device stops ringing with `answered-elsewhere` when one device answers", async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bobPhone = rig.add('bob', { deviceId: 'bob-phone' });
    const bobLaptop = rig.add('bob', { deviceId: 'bob-laptop' });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(bobPhone.view()).toMatchObject({ state: 'incoming', callId });
    expect(bobLaptop.view()).toMatchObject({ state: 'incoming', callId });
    bobPhone.phone.answerCall();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', callId });
    expect(bobPhone.view()).toMatchObject({ state: 'connected', callId });
    expect(bobLaptop.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'answered-elsewhere', by: 'remote' },
    });
    expect(bobLaptop.pc().closed).toBe(true);
  });
});

describe('trickle ICE', () => {
  it('remote candidates that arrive before the remote description are buffered, then applied in order', async () => {
    rig = createRig();
    const bob = rig.add('bob');
    const alice = rig.network.connect('alice');
    const callId = 'buffered-call';
    const send = (draft: EnvelopeDraft) => alice.send(createEnvelope(draft, `m${++messageNumber}`));
    const candidate = (n: number) => ({
      candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50_000 + n} typ host`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    send({
      type: 'invite',
      ...header(callId),
      sdp: 'v=0\r\n',
      media: { audio: true, video: false },
      lifetimeMs: 30_000,
    });
    send({ type: 'candidates', ...header(callId), candidates: [candidate(1), candidate(2)], end: false });
    send({ type: 'candidates', ...header(callId), candidates: [candidate(3)], end: false });
    await rig.settle();
    expect(bob.view().state).toBe('incoming');
    expect(bob.pc().remoteDescription).toBeNull();
    expect(bob.pc().remoteCandidates).toEqual([]);
    bob.phone.answerCall();
    await rig.settle();
    send({ type: 'candidates', ...header(callId), candidates: [candidate(4)], end: true });
    await rig.settle();
    expect(bob.pc().remoteCandidates.map((c) => c.candidate)).toEqual(
      [1, 2, 3, 4].map((n) => candidate(n).candidate),
    );
    expect(bob.view().state).toBe('connected');
  });

  it('local candidates travel batched: several in one message, with end:true on the last', async () => {
    rig = createRig();
    const alice = rig.add('alice', { pc: { candidates: 5 } });
    rig.add('bob');
    alice.phone.makeCall('bob');
    await rig.settle();
    const batches = sentOfType(alice, 'candidates');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(5);
    expect(batches.flatMap((b) => b.candidates)).toHaveLength(5);
    expect(batches.map((b) => b.end)).toEqual([...batches.slice(0, -1).map(() => false), true]);
    // Candidates follow the invite that carries the offer they belong to.
    const kinds = alice.sent().map((e) => e.type);
    expect(kinds.indexOf('invite')).toBeLessThan(kinds.indexOf('candidates'));
  });

  it('candidates gathered mid-call (ICE restart) wait for the batch window and leave together', async () => {
    const { alice } = await connectedCall();
    const before = sentOfType(alice, 'candidates').length;
    alice.pc().setIceState('failed');
    await rig.settle();
    const restartBatches = sentOfType(alice, 'candidates').slice(before);
    expect(restartBatches).toHaveLength(1);
    expect(restartBatches[0]).toMatchObject({ end: true });
    expect(restartBatches[0]!.candidates).toHaveLength(2);
  });
});

describe('the public API', () => {
  it('a throwing subscriber on events$ does not stop other subscribers', async () => {
    const reported: unknown[] = [];
    const previous = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (error) => reported.push(error);
    try {
      rig = createRig();
      const alice = rig.add('alice');
      rig.add('bob');
      const faulty = alice.phone.events$.subscribe(() => {
        throw new Error('subscriber bug');
      });
      const seen: string[] = [];
      alice.phone.events$.subscribe((event) => seen.push(event.type));
      alice.phone.makeCall('bob');
      await rig.settle();
      // rxjs reports a subscriber's error from a timer of its own, after the emission.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(alice.view().state).toBe('ringing');
      expect(seen).toContain('state-changed');
      expect(reported.length).toBeGreaterThan(0);
      expect(reported.every((e) => e instanceof Error && e.message === 'subscriber bug')).toBe(true);
      faulty.unsubscribe();
    } finally {
      rxjsConfig.onUnhandledError = previous;
    }
  });

  it('makeCall while in a call throws HandsetError `invalid-state` and the call goes on', async () => {
    const { alice, callId } = await connectedCall();
    expect(() => alice.phone.makeCall('carol')).toThrow(HandsetError);
    try {
      alice.phone.makeCall('carol');
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid-state' });
    }
    expect(alice.view()).toMatchObject({ state: 'connected', callId });
  });

  it('answerCall with no incoming call throws HandsetError `invalid-state`', () => {
    rig = createRig();
    const alice = rig.add('alice');
    expect(() => alice.phone.answerCall()).toThrow(expect.objectContaining({ code: 'invalid-state' }));
    expect(() => alice.phone.rejectCall()).toThrow(expect.objectContaining({ code: 'invalid-state' }));
  });
});

describe('warnings and arguments', () => {
  it('a warning about a refused candidate names the call it belongs to, even if that call has just ended', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob', { pc: { failOn: new Set(['addIceCandidate']) } });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await rig.settle();
    bob.pc().setIceState('connected');
    await rig.settle();
    expect(bob.view().state).toBe('connected');
    const warningsBefore = bob.events.filter((e) => e.type === 'call-warning').length;
    // The refusal comes back asynchronously; the hang-up right behind it ends the call first.
    bob.transport.inject(
      frameOf({
        type: 'candidates',
        ...header(callId),
        candidates: [{ candidate: 'candidate:7 1 udp 1 10.0.0.7 7 typ host' }],
        end: false,
      }),
    );
    bob.transport.inject(frameOf({ type: 'hangup', ...header(callId), reason: 'normal' }));
    await rig.settle();
    expect(bob.view().state).toBe('ended');
    const warnings = bob.events.filter((e) => e.type === 'call-warning').slice(warningsBefore);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ callId, error: { code: 'candidate-rejected' } });
  });

  it('answerCall with neither audio nor video throws HandsetError `invalid-argument` and the phone keeps ringing', async () => {
    const { alice, bob, callId } = await ringingCall();
    expect(() => bob.phone.answerCall({ audio: false, video: false })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'incoming', callId });
    expect(alice.view().state).toBe('ringing');
  });
});

describe('connection trouble', () => {
  it('ICE `disconnected` then `connected` within the grace period keeps the call, with no restart', async () => {
    const { alice, callId } = await connectedCall();
    alice.pc().setIceState('disconnected');
    await rig.clock.advance(rig.timeouts.iceDisconnectGraceMs - 1);
    alice.pc().setIceState('connected');
    await rig.clock.advance(rig.timeouts.iceDisconnectGraceMs * 2);
    expect(alice.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(alice.pc().restartCount).toBe(0);
    expect(sentOfType(alice, 'negotiate')).toEqual([]);
  });

  it('ICE `failed` → an ICE-restart offer, and the call continues once ICE is back', async () => {
    const { alice, bob, callId } = await connectedCall();
    alice.pc().setIceState('failed');
    await rig.settle();
    expect(alice.pc().restartCount).toBe(1);
    expect(sentOfType(alice, 'negotiate')).toMatchObject([
      { callId, iceRestart: true, description: { type: 'offer' } },
    ]);
    expect(sentOfType(bob, 'negotiate')).toMatchObject([{ callId, description: { type: 'answer' } }]);
    expect(alice.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(alice.pc().iceConnectionState).toBe('connected');
    // Back to stable: a later failure gets its full count of restarts again.
    await rig.clock.advance(rig.timeouts.iceRestartMs * 2);
    expect(alice.view()).toMatchObject({ state: 'connected', endReason: null });
  });

  it('every ICE restart failing → the call ends `connection-failed` on both sides', async () => {
    rig = createRig({ maxIceRestarts: 2 });
    const alice = rig.add('alice', { pc: { autoConnect: false } });
    const bob = rig.add('bob', { pc: { autoConnect: false } });
    alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await rig.settle();
    alice.pc().setIceState('connected');
    bob.pc().setIceState('connected');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    alice.pc().setIceState('failed');
    await rig.settle();
    expect(alice.view().state).toBe('reconnecting');
    await rig.clock.advance(rig.timeouts.iceRestartMs);
    expect(alice.view().state).toBe('reconnecting');
    await rig.clock.advance(rig.timeouts.iceRestartMs);
    expect(alice.pc().restartCount).toBe(2);
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'connection-failed', by: 'local' },
    });
    expect(bob.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'connection-failed', by: 'remote' },
    });
  });

  it('a transport drop during a connected call does not end the call', async () => {
    const { alice, bob, callId } = await connectedCall();
    alice.transport.drop();
    await rig.clock.advance(rig.timeouts.inviteMs + rig.timeouts.connectMs);
    expect(alice.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    alice.transport.restore();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', callId, endReason: null });
    expect(bob.view()).toMatchObject({ state: 'connected', callId, endReason: null });
  });

  it('a hang-up made while the link is down reaches the peer once the link is back', async () => {
    const { alice, bob } = await connectedCall();
    alice.transport.drop();
    alice.phone.hangupCall();
    await rig.settle();
    expect(alice.view().endReason).toEqual({ code: 'hangup', by: 'local' });
    expect(bob.view().state).toBe('connected');
    alice.transport.restore();
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'hangup', by: 'remote' } });
  });
});

describe('what an ended call leaves behind', () => {
  it('no live track when the caller hangs up in the very tick the callee answers', async () => {
    const { alice, bob } = await ringingCall();
    // Bob's camera opens while Alice's hang-up is already on its way: the stream arrives for a call
    // that has just ended.
    bob.phone.answerCall();
    alice.phone.hangupCall();
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'remote' } });
    const tracks = bob.media.streams.flatMap((stream) => stream.tracks);
    expect(tracks.length).toBeGreaterThan(0);
    expect(tracks.filter((track) => !track.stopped)).toEqual([]);
  });

  it('no timer, even when candidates were gathered again within one batch window', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob');
    alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    // Only promise jobs run: the batch window Bob opened while answering is still open...
    await settle();
    expect(bob.view().state).toBe('connected');
    // ...when an ICE restart gathers a new round of candidates.
    bob.pc().setIceState('failed');
    await settle();
    bob.phone.hangupCall();
    await settle();
    expect(bob.view().state).toBe('ended');
    expect(rig.clock.pending('bob-1')).toEqual([]);
    expect(rig.clock.pending('alice-1')).toEqual([]);
  });
});

describe('glare with another device of the callee', () => {
  it("the caller's dropped invite is cancelled, so the callee's device ringing for it stops", async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bobPhone = rig.add('bob', { deviceId: 'bob-phone' });
    // Bob's laptop calls Alice as she calls Bob; its call id wins the glare rule.
    const bobLaptop = rig.network.connect('bob');
    const aliceCall = alice.phone.makeCall('bob');
    await rig.settle();
    expect(bobPhone.view()).toMatchObject({ state: 'incoming', callId: aliceCall });
    bobLaptop.send(
      createEnvelope(
        {
          type: 'invite',
          callId: '-laptop-call',
          from: 'bob',
          fromDevice: 'bob-laptop',
          to: 'alice',
          sdp: 'v=0\r\n',
          media: { audio: true, video: false },
          lifetimeMs: 30_000,
        },
        'laptop-invite',
      ),
    );
    await rig.settle();
    expect(alice.view()).toMatchObject({ callId: '-laptop-call', direction: 'incoming' });
    expect(bobPhone.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'remote' } });
  });
});
