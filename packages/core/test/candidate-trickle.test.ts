// Local candidates on the wire: the first one leaves at once, those gathered while a batch window is open
// ride in the next message, end-of-candidates flushes at once — and a storm is still a bounded count of
// envelopes. On the fake peer connection and the rig's manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import { type Envelope, type IceCandidateEventPort, PROTOCOL_LIMITS } from '../src/index.js';
import type { FakePeerConnection } from '../src/testing/index.js';
import { settle } from './manual-clock.js';
import { createRig, type Handset, type Rig } from './phone-rig.js';

let rig: Rig;
afterEach(() => rig?.dispose());

const candidatesSent = (handset: Handset) =>
  handset.sent().filter((e): e is Extract<Envelope, { type: 'candidates' }> => e.type === 'candidates');

/** Hands the peer connection's `icecandidate` listeners a candidate, as a browser does when it gathers one. */
function gather(pc: FakePeerConnection, port: number | null): void {
  const event: IceCandidateEventPort = {
    candidate:
      port === null
        ? null
        : {
            candidate: `candidate:9${port} 1 udp 2122260223 127.0.0.1 ${port} typ host`,
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: null,
          },
  };
  (pc as unknown as { emit(type: string, event: unknown): void }).emit('icecandidate', event);
}

/** Alice calls Bob and Bob answers; both end up connected, every setup batch window closed. */
async function connectedCall() {
  rig = createRig();
  const alice = rig.add('alice');
  const bob = rig.add('bob');
  alice.phone.makeCall('bob');
  await rig.settle();
  bob.phone.answerCall();
  await rig.settle();
  expect(alice.view().state).toBe('connected');
  return { alice, bob };
}

describe('local candidates', () => {
  it('the first candidate gathered after our description is out is sent without waiting for the batch window', async () => {
    const { alice } = await connectedCall();
    const before = candidatesSent(alice).length;
    gather(alice.pc(), 45_001);
    // Promise jobs only: no timer has fired.
    await settle();
    const sent = candidatesSent(alice).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.candidates.map((c) => c.candidate)).toEqual([
      'candidate:945001 1 udp 2122260223 127.0.0.1 45001 typ host',
    ]);
    expect(sent[0]!.end).toBe(false);
  });

  it('candidates gathered while that first one is on the wire ride together in the next batch', async () => {
    const { alice } = await connectedCall();
    const before = candidatesSent(alice).length;
    gather(alice.pc(), 45_001);
    for (let port = 45_002; port < 45_012; port++) gather(alice.pc(), port);
    await settle();
    expect(candidatesSent(alice).slice(before)).toHaveLength(1);
    await rig.clock.advance(20);
    await settle();
    const sent = candidatesSent(alice).slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.candidates).toHaveLength(10);
  });

  it('end-of-candidates flushes what waits at once, with end: true', async () => {
    const { alice } = await connectedCall();
    const before = candidatesSent(alice).length;
    gather(alice.pc(), 45_001);
    gather(alice.pc(), 45_002);
    gather(alice.pc(), null);
    await settle();
    const sent = candidatesSent(alice).slice(before);
    expect(sent.map((b) => [b.candidates.length, b.end])).toEqual([
      [1, false],
      [1, true],
    ]);
  });

  it('a storm of candidates is still batched: one message per window, split at the protocol limit', async () => {
    const { alice } = await connectedCall();
    const before = candidatesSent(alice).length;
    const windows = 10;
    const perWindow = PROTOCOL_LIMITS.maxCandidatesPerMessage + 5;
    let port = 46_000;
    for (let window = 0; window < windows; window++) {
      for (let i = 0; i < perWindow; i++) gather(alice.pc(), port++);
      await settle();
      await rig.clock.advance(20);
    }
    await rig.clock.advance(20);
    await settle();
    const sent = candidatesSent(alice).slice(before);
    expect(sent.flatMap((b) => b.candidates)).toHaveLength(windows * perWindow);
    expect(sent.every((b) => b.candidates.length <= PROTOCOL_LIMITS.maxCandidatesPerMessage)).toBe(true);
    // At most: the first at once, then each window's queue in ceil(perWindow / limit) messages.
    const perFlush = Math.ceil(perWindow / PROTOCOL_LIMITS.maxCandidatesPerMessage);
    expect(sent.length).toBeLessThanOrEqual(1 + windows * perFlush);
  });

  it('no candidate leaves before the description it belongs to, even gathered while that is being made', async () => {
    rig = createRig();
    const alice = rig.add('alice', { pc: { candidates: 3 } });
    rig.add('bob');
    alice.phone.makeCall('bob');
    await rig.settle();
    const kinds = alice.sent().map((e) => e.type);
    expect(kinds.indexOf('invite')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('invite')).toBeLessThan(kinds.indexOf('candidates'));
    expect(candidatesSent(alice).flatMap((b) => b.candidates)).toHaveLength(3);
  });

  it('no timer is left once the call ends, with a batch window open', async () => {
    const { alice } = await connectedCall();
    gather(alice.pc(), 45_001);
    gather(alice.pc(), 45_002);
    await settle();
    alice.phone.hangupCall();
    await settle();
    expect(alice.view().state).toBe('ended');
    expect(rig.clock.pending('alice-1')).toEqual([]);
  });
});
