// A call the signaling link cannot carry ends at once with the reason that names the cause; a link that is
// only reconnecting gets a bounded wait. Also: calls to oneself, and ports that throw.
import { afterEach, describe, expect, it } from 'vitest';
import {
  HandsetError,
  type MediaStreamPort,
  type PhoneEvent,
  TransportError,
  type TransportStatus,
} from '../src/index.js';
import { FakeMediaStream, FakeTrack } from '../src/testing/index.js';
import { createRig, type Handset, type Rig } from './phone-rig.js';
import { sentOfType } from './phone-scenarios.js';
import { type ScriptedLink, scriptedLink } from './scripted-link.js';

let rig: Rig;
afterEach(() => rig?.dispose());

/** Alice on a link the test steers, Bob on the plain memory network. */
function aliceOnLink(initial: TransportStatus): { alice: Handset; bob: Handset; link: ScriptedLink } {
  rig = createRig();
  let link!: ScriptedLink;
  const alice = rig.add('alice', {
    wrapTransport: (inner) => {
      link = scriptedLink(inner, initial);
      return link;
    },
  });
  const bob = rig.add('bob');
  return { alice, bob, link };
}

const refused = () => TransportError.of('token-refused', 'the server refused the token');
const ofType = <T extends PhoneEvent['type']>(events: PhoneEvent[], type: T) =>
  events.filter((e): e is Extract<PhoneEvent, { type: T }> => e.type === type);

describe('makeCall on a link that cannot carry it ends at once', () => {
  it('a refused token (permanent error, then closed) → `unauthenticated`, nothing sent', async () => {
    const { alice, link } = aliceOnLink('connecting');
    link.fail(refused());
    link.setStatus('closed');
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'unauthenticated', by: 'local' },
    });
    expect(alice.sent()).toEqual([]);
    expect(alice.pcs.created).toEqual([]);
  });

  it('a closed link → `signaling-unavailable`', async () => {
    const { alice, link } = aliceOnLink('open');
    link.setStatus('closed');
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'signaling-unavailable', by: 'local' },
    });
  });

  it('a link never opened whose first attempt failed (`connect-failed`) → `signaling-unavailable`', async () => {
    const { alice, link } = aliceOnLink('connecting');
    link.fail(TransportError.of('connect-failed', 'nothing listening'));
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'signaling-unavailable', by: 'local' },
    });
  });

  it('a link that is reconnecting: the call waits `signalingWaitMs`, then ends `signaling-unavailable`', async () => {
    const { alice, link } = aliceOnLink('open');
    link.setStatus('reconnecting');
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('dialing');
    // rig.settle() moved the clock a few batch windows since the timer was set: stop short of the bound.
    await rig.clock.advance(rig.timeouts.signalingWaitMs - 100);
    expect(alice.view().state).toBe('dialing');
    await rig.clock.advance(100);
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'signaling-unavailable', by: 'local' },
    });
    expect(alice.media.streams).toEqual([]);
    expect(rig.clock.pending('alice-1')).toEqual([]);
  });

  it('a link that comes back within the wait: the call goes ahead and rings', async () => {
    const { alice, bob, link } = aliceOnLink('reconnecting');
    const callId = alice.phone.makeCall('bob');
    await rig.clock.advance(rig.timeouts.signalingWaitMs / 2);
    link.setStatus('open');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ringing', callId });
    expect(bob.view()).toMatchObject({ state: 'incoming', callId });
  });

  it('a refusal while the call waits for the link ends it at once with `unauthenticated`', async () => {
    const { alice, link } = aliceOnLink('reconnecting');
    alice.phone.makeCall('bob');
    await rig.settle();
    link.fail(refused());
    link.setStatus('closed');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'unauthenticated', by: 'local' },
    });
  });

  it('a link that closes while the call waits for it ends the call at once with `signaling-unavailable`', async () => {
    const { alice, link } = aliceOnLink('reconnecting');
    alice.phone.makeCall('bob');
    await rig.settle();
    link.fail(TransportError.of('reconnect-gave-up', 'the reconnect policy gave up'));
    link.setStatus('closed');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      endReason: { code: 'signaling-unavailable', by: 'local' },
    });
  });

  it('a hang-up while the call waits for the link cancels it, with nothing sent', async () => {
    const { alice, link } = aliceOnLink('reconnecting');
    alice.phone.makeCall('bob');
    await rig.settle();
    alice.phone.hangupCall();
    link.setStatus('open');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'cancelled', by: 'local' } });
    expect(alice.sent()).toEqual([]);
  });

  const closings = [
    { how: 'a refused token', error: refused, code: 'unauthenticated' },
    {
      how: 'a reconnect policy that gave up',
      error: () => TransportError.of('reconnect-gave-up', 'the reconnect policy gave up'),
      code: 'signaling-unavailable',
    },
  ] as const;

  it.each(closings)(
    '$how while the camera opens → `$code` at once, and the late camera is turned off',
    async ({ error, code }) => {
      rig = createRig();
      let grant!: (stream: MediaStreamPort) => void;
      let link!: ScriptedLink;
      const alice = rig.add('alice', {
        wrapTransport: (inner) => {
          link = scriptedLink(inner, 'open');
          return link;
        },
        getUserMedia: () => new Promise<MediaStreamPort>((resolve) => (grant = resolve)),
      });
      alice.phone.makeCall('bob');
      await rig.settle();
      expect(alice.view().state).toBe('acquiring-media');
      link.fail(error());
      link.setStatus('closed');
      await rig.settle();
      expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code, by: 'local' } });
      const track = new FakeTrack('video');
      grant(new FakeMediaStream([track]));
      await rig.settle();
      expect(track.stopped).toBe(true);
    },
  );

  it.each(closings)(
    '$how while the invite is out → `$code` at once, not after the invite timeout',
    async ({ error, code }) => {
      const { alice, bob, link } = aliceOnLink('open');
      alice.phone.makeCall('bob');
      await rig.settle();
      expect(alice.view().state).toBe('ringing');
      expect(bob.view().state).toBe('incoming');
      link.fail(error());
      link.setStatus('closed');
      await rig.settle();
      expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code, by: 'local' } });
    },
  );

  it('transport errors reach the app on events$ as `transport-error`', async () => {
    const { alice, link } = aliceOnLink('connecting');
    const error = TransportError.of('connect-failed', 'nothing listening');
    link.fail(error);
    expect(ofType(alice.events, 'transport-error')).toEqual([{ type: 'transport-error', error }]);
  });
});

describe('calling oneself', () => {
  it('makeCall(own user id) throws `invalid-argument` at once and starts nothing', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    rig.add('alice', { deviceId: 'alice-2' });
    expect(() => alice.phone.makeCall('alice')).toThrow(
      expect.objectContaining({ name: 'HandsetError', code: 'invalid-argument' }),
    );
    await rig.settle();
    expect(alice.view().state).toBe('idle');
    expect(alice.sent()).toEqual([]);
  });
});

describe('a port that throws synchronously', () => {
  const boom = () => {
    throw new TypeError("Failed to construct 'RTCPeerConnection': malformed iceServers URL");
  };

  it('the peer-connection factory (caller): the call ends `platform-error`, a `call-error` names the cause, the phone keeps working', async () => {
    rig = createRig();
    let fail = true;
    const alice = rig.add('alice', {
      peerConnectionFactory: (config) => (fail ? boom() : alice.pcs.factory(config)),
    });
    rig.add('bob');
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', callId, endReason: { code: 'platform-error' } });
    const [failure] = ofType(alice.events, 'call-error');
    expect(failure).toMatchObject({ callId, error: { code: 'port-failed' } });
    expect(failure!.error).toBeInstanceOf(HandsetError);
    expect((failure!.error.cause as Error).name).toBe('TypeError');
    expect(alice.media.streams.flatMap((s) => s.tracks).every((t) => t.stopped)).toBe(true);
    fail = false;
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('ringing');
  });

  it('the peer-connection factory (callee): the call ends `platform-error` and the caller hears of it', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob', { peerConnectionFactory: boom });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', callId, endReason: { code: 'platform-error' } });
    expect(ofType(bob.events, 'call-error')).toHaveLength(1);
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { by: 'remote' } });
  });

  it('the transport send: the call ends `platform-error` and the error reaches events$', async () => {
    rig = createRig();
    const alice = rig.add('alice', {
      wrapTransport: (inner) => ({
        incoming$: inner.incoming$,
        status$: inner.status$,
        errors$: inner.errors$,
        close: () => inner.close(),
        send: (envelope) => {
          if (envelope.type === 'invite') throw new RangeError('send buffer exploded');
          inner.send(envelope);
        },
      }),
    });
    rig.add('bob');
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'ended', callId, endReason: { code: 'platform-error' } });
    expect(ofType(alice.events, 'call-error')).toMatchObject([{ callId, error: { code: 'port-failed' } }]);
    expect(sentOfType(alice, 'invite')).toEqual([]);
  });

  it('a peer connection whose close() and addIceCandidate() throw: the call still ends cleanly, with warnings', async () => {
    rig = createRig();
    const alice = rig.add('alice');
    const bob = rig.add('bob', {
      peerConnectionFactory: (config) => {
        const pc = bob.pcs.factory(config);
        pc.close = () => {
          throw new Error('close exploded');
        };
        pc.addIceCandidate = () => {
          throw new Error('addIceCandidate exploded synchronously');
        };
        return pc;
      },
    });
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    bob.phone.answerCall();
    await rig.settle();
    bob.phone.hangupCall();
    await rig.settle();
    expect(bob.view()).toMatchObject({ state: 'ended', callId, endReason: { code: 'hangup', by: 'local' } });
    expect(alice.view()).toMatchObject({ state: 'ended', endReason: { code: 'hangup', by: 'remote' } });
    expect(bob.media.streams.flatMap((s) => s.tracks).every((t) => t.stopped)).toBe(true);
    const warnings = ofType(bob.events, 'call-warning').map((e) => e.error.code);
    expect(warnings).toContain('candidate-rejected');
    expect(warnings).toContain('port-failed');
    // The phone takes the next call.
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(bob.view().state).toBe('incoming');
  });

  it('getUserMedia: the call ends `media-failed` and the error reaches events$', async () => {
    rig = createRig();
    const alice = rig.add('alice', {
      getUserMedia: () => {
        throw new TypeError('getUserMedia is not a function of this platform');
      },
    });
    rig.add('bob');
    const callId = alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view()).toMatchObject({
      state: 'ended',
      callId,
      endReason: { code: 'media-failed', detail: 'TypeError' },
    });
    expect(ofType(alice.events, 'call-error')).toMatchObject([{ callId, error: { code: 'port-failed' } }]);
  });
});
