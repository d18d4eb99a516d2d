// In the call (issue 12), through two phones on fakes: microphone, camera, hold, screen, devices, video,
// messages, metadata and the media state each side tells the other — and the bad input each may meet.
import { afterEach, describe, expect, it } from 'vitest';
import { HandsetError, type PhoneEvent, PROTOCOL_LIMITS } from '../src/index.js';
import { FakeDataChannel } from '../src/testing/fake-rtp.js';
import type { FakeTrack } from '../src/testing/index.js';
import type { Handset } from './phone-rig.js';
import { connectedCall, frameOf, ringingCall, sentOfType, type TwoPhones } from './phone-scenarios.js';

let phones: TwoPhones | undefined;
afterEach(() => phones?.rig.dispose());

const track = (handset: Handset, kind: 'audio' | 'video') =>
  handset.pc().transceivers.find((t) => t.kind === kind)!.sender.track as FakeTrack | null;
const offers = (handset: Handset) =>
  sentOfType(handset, 'negotiate').filter((e) => e.description.type === 'offer');
const warnings = (handset: Handset) =>
  handset.events.flatMap((e: PhoneEvent) => (e.type === 'call-warning' ? [e.error.code] : []));
const messages = (handset: Handset) =>
  handset.events.flatMap((e: PhoneEvent) => (e.type === 'message' ? [e.text] : []));
const allTracks = (handset: Handset) => handset.media.streams.flatMap((s) => s.tracks);

async function connected(...args: Parameters<typeof connectedCall>): Promise<TwoPhones> {
  phones = await connectedCall(...args);
  return phones;
}

describe('microphone', () => {
  it('mute disables the track at once (it keeps running) and the peer sees it; unmute undoes it', async () => {
    const { rig, alice, bob } = await connected();
    const mic = track(alice, 'audio')!;
    alice.phone.setMicrophone(false);
    expect(mic.enabled).toBe(false);
    expect(mic.stopped).toBe(false);
    await rig.settle();
    expect(alice.view().localMedia.microphone).toBe(false);
    expect(bob.view().remoteMedia).toMatchObject({ microphone: false, camera: true, held: false });
    alice.phone.setMicrophone(true);
    await rig.settle();
    expect(mic.enabled).toBe(true);
    expect(bob.view().remoteMedia.microphone).toBe(true);
    expect(sentOfType(alice, 'media-state').map((e) => e.seq)).toEqual([0, 1]);
    expect(offers(alice), 'no renegotiation').toEqual([]);
  });

  it('muted while ringing: the track starts muted and the peer is told on connecting', async () => {
    phones = await ringingCall();
    const { rig, alice, bob } = phones;
    alice.phone.setMicrophone(false);
    bob.phone.answerCall();
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    expect(track(alice, 'audio')!.enabled).toBe(false);
    expect(bob.view().remoteMedia.microphone).toBe(false);
    expect(sentOfType(bob, 'media-state'), 'the default is not said').toEqual([]);
  });

  it('an unplugged microphone is a `device-lost` warning and the call goes on muted', async () => {
    const { rig, alice, bob } = await connected();
    track(alice, 'audio')!.end();
    await rig.settle();
    expect(warnings(alice)).toEqual(['device-lost']);
    expect(alice.view()).toMatchObject({ state: 'connected', localMedia: { microphone: false } });
    expect(bob.view().remoteMedia.microphone).toBe(false);
  });

  it('takes only true or false, and no call means invalid-state', () => {
    phones = undefined;
    return ringingCall().then(({ rig, alice }) => {
      phones = { rig } as TwoPhones;
      expect(() => alice.phone.setMicrophone('yes' as never)).toThrow(/true or false/);
      alice.phone.hangupCall();
      expect(() => alice.phone.setMicrophone(false)).toThrowError(
        expect.objectContaining({ code: 'invalid-state' }),
      );
    });
  });
});

describe('camera', () => {
  it('off stops the camera track (light off) and sends nothing; on opens a new one, without renegotiation', async () => {
    const { rig, alice, bob } = await connected();
    const first = track(alice, 'video')!;
    alice.phone.setCamera(false);
    await rig.settle();
    expect(first.stopped).toBe(true);
    expect(track(alice, 'video')).toBeNull();
    expect(bob.view().remoteMedia.camera).toBe(false);
    alice.phone.setCamera(true);
    await rig.settle();
    const second = track(alice, 'video')!;
    expect(second).not.toBe(first);
    expect(second.stopped).toBe(false);
    expect(alice.media.requests.at(-1)).toEqual({ audio: false, video: true });
    expect(bob.view().remoteMedia.camera).toBe(true);
    expect(offers(alice)).toEqual([]);
  });

  it('a refused camera is a `device-failed` warning: the camera stays off, the call goes on', async () => {
    const { rig, alice } = await connected();
    alice.phone.setCamera(false);
    await rig.settle();
    alice.media.deny = 'NotAllowedError';
    alice.phone.setCamera(true);
    await rig.settle();
    expect(warnings(alice)).toEqual(['device-failed']);
    expect(alice.view()).toMatchObject({ state: 'connected', localMedia: { camera: false } });
  });

  it('in an audio-only call there is no camera to switch: invalid-state (use startVideo)', async () => {
    await connected({}, {});
    phones!.rig.dispose();
    phones = await ringingCall();
    const { rig, alice, bob } = phones;
    bob.phone.answerCall({ audio: true, video: false });
    await rig.settle();
    expect(() => bob.phone.setCamera(true)).toThrowError(expect.objectContaining({ code: 'invalid-state' }));
    expect(alice.view().state).toBe('connected');
  });
});

describe('hold', () => {
  it('holding sets every transceiver inactive and renegotiates; the peer sees it held; both holding is a state', async () => {
    const { rig, alice, bob } = await connected();
    alice.phone.holdCall();
    await rig.settle();
    expect(alice.pc().transceivers.map((t) => t.direction)).toEqual(['inactive', 'inactive']);
    expect(offers(alice)).toHaveLength(1);
    expect(alice.view()).toMatchObject({ state: 'on-hold', hold: 'local', localMedia: { held: true } });
    expect(bob.view()).toMatchObject({ state: 'on-hold', hold: 'remote', remoteMedia: { held: true } });
    expect(bob.pc().transceivers.map((t) => t.currentDirection)).toEqual(['inactive', 'inactive']);

    bob.phone.holdCall();
    await rig.settle();
    expect(alice.view().hold).toBe('both');
    expect(bob.view().hold).toBe('both');

    alice.phone.resumeCall();
    await rig.settle();
    expect(alice.view().hold).toBe('remote');
    expect(alice.pc().transceivers.map((t) => t.direction)).toEqual(['sendrecv', 'sendrecv']);
    bob.phone.resumeCall();
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', hold: 'none' });
    expect(bob.view()).toMatchObject({ state: 'connected', hold: 'none' });
    expect(alice.pc().transceivers.map((t) => t.currentDirection)).toEqual(['sendrecv', 'sendrecv']);
  });

  it('a hold asked while a renegotiation is under way is offered once it settles, not lost', async () => {
    const { rig, alice } = await connected();
    alice.pc().needNegotiation();
    alice.phone.holdCall();
    await rig.settle();
    const sent = offers(alice);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.description.sdp).toMatch(/m=audio 0 inactive/);
    expect(alice.view().state).toBe('on-hold');
  });

  it('both holding at the same moment: offers cross, the polite side offers again after yielding', async () => {
    const { rig, alice, bob } = await connected();
    alice.phone.holdCall();
    bob.phone.holdCall();
    await rig.settle();
    expect(alice.view().hold).toBe('both');
    expect(bob.view().hold).toBe('both');
    expect(offers(bob).length, 'bob (polite) offered again').toBe(2);
    expect(alice.pc().transceivers.map((t) => t.currentDirection)).toEqual(['inactive', 'inactive']);
    expect(bob.pc().transceivers.map((t) => t.currentDirection)).toEqual(['inactive', 'inactive']);
    expect(bob.pc().signalingState).toBe('stable');
  });

  it('a held call keeps its ICE state and reports quality `held`, not lost', async () => {
    const { rig, alice } = await connected({}, { alice: { pc: { stats: [] } } });
    const samples: string[] = [];
    alice.phone.stats$.subscribe((s) => samples.push(s.quality));
    alice.phone.holdCall();
    await rig.settle();
    // Held for longer than every ICE timer: no grace, restart or connect timeout may read the silence as a failure.
    const { iceDisconnectGraceMs, iceRestartMs, connectMs, statsIntervalMs } = rig.timeouts;
    await rig.clock.advance(iceDisconnectGraceMs + iceRestartMs + connectMs + statsIntervalMs * 2);
    await rig.settle();
    expect(samples.length).toBeGreaterThan(0);
    expect(new Set(samples)).toEqual(new Set(['held']));
    expect(alice.pc().iceConnectionState).toBe('connected');
    expect(alice.pc().restartCount).toBe(0);
    expect(alice.view().state).toBe('on-hold');
  });

  it('hold and resume need a connected call', async () => {
    phones = await ringingCall();
    expect(() => phones!.alice.phone.holdCall()).toThrowError(
      expect.objectContaining({ code: 'invalid-state' }),
    );
  });
});

describe('screen share', () => {
  it('the screen goes instead of the camera (no renegotiation); stopping brings a new camera track back', async () => {
    const { rig, alice, bob } = await connected();
    const camera = track(alice, 'video')!;
    await alice.phone.startScreenShare();
    await rig.settle();
    const screen = track(alice, 'video')!;
    expect(screen.label).toMatch(/^screen:/);
    expect(camera.stopped).toBe(true);
    expect(bob.view().remoteMedia).toMatchObject({ screen: true, camera: false });
    expect(offers(alice)).toEqual([]);
    alice.phone.stopScreenShare();
    await rig.settle();
    expect(screen.stopped).toBe(true);
    const back = track(alice, 'video')!;
    expect(back.label).not.toMatch(/^screen:/);
    expect(back.stopped).toBe(false);
    expect(bob.view().remoteMedia).toMatchObject({ screen: false, camera: true });
  });

  it('the browser\'s own "Stop sharing" (the track ends) stops it on both sides', async () => {
    const { rig, alice, bob } = await connected();
    await alice.phone.startScreenShare();
    await rig.settle();
    track(alice, 'video')!.end();
    await rig.settle();
    expect(alice.view().localMedia.screen).toBe(false);
    expect(bob.view().remoteMedia.screen).toBe(false);
    expect(warnings(alice)).toEqual([]);
  });

  it('a refused picker rejects `screen-share-failed`; the call goes on', async () => {
    const { rig, alice } = await connected();
    alice.media.denyScreen = 'NotAllowedError';
    const error = await alice.phone.startScreenShare().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandsetError);
    expect(error).toMatchObject({ code: 'screen-share-failed' });
    await rig.settle();
    expect(alice.view()).toMatchObject({ state: 'connected', localMedia: { screen: false, camera: true } });
  });

  it('in an audio-only call the screen is added by renegotiation', async () => {
    phones = await ringingCall();
    const { rig, alice, bob } = phones;
    bob.phone.answerCall({ audio: true, video: false });
    await rig.settle();
    await bob.phone.startScreenShare();
    await rig.settle();
    expect(offers(bob)).toHaveLength(1);
    expect(alice.view().remoteMedia).toMatchObject({ screen: true, video: false });
  });
});

describe('devices', () => {
  it('switching the microphone opens that device and replaces the track; the old one stops; no renegotiation', async () => {
    const { rig, alice } = await connected();
    const old = track(alice, 'audio')!;
    alice.phone.setMicrophone(false);
    await alice.phone.switchDevice('audioinput', 'second-audio');
    await rig.settle();
    const now = track(alice, 'audio')!;
    expect(now.deviceId).toBe('second-audio');
    expect(now.enabled, 'still muted').toBe(false);
    expect(old.stopped).toBe(true);
    expect(alice.media.requests.at(-1)).toEqual({
      audio: { deviceId: { exact: 'second-audio' } },
      video: false,
    });
    expect(offers(alice)).toEqual([]);
  });

  it('switching the camera replaces the video track', async () => {
    const { rig, alice } = await connected();
    const old = track(alice, 'video')!;
    await alice.phone.switchDevice('videoinput', 'second-video');
    await rig.settle();
    expect(track(alice, 'video')!.deviceId).toBe('second-video');
    expect(old.stopped).toBe(true);
  });

  it('a device that cannot be opened rejects `device-failed`; the old one stays', async () => {
    const { alice } = await connected();
    const old = track(alice, 'audio')!;
    await expect(alice.phone.switchDevice('audioinput', 'no-such-device')).rejects.toMatchObject({
      code: 'device-failed',
    });
    expect(track(alice, 'audio')).toBe(old);
    expect(old.stopped).toBe(false);
    await expect(alice.phone.switchDevice('speaker' as never, 'x')).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });

  it('a second switch while one is in progress is invalid-state; the first still settles', async () => {
    const { rig, alice } = await connected();
    const first = alice.phone.switchDevice('audioinput', 'second-audio');
    const second = alice.phone.switchDevice('audioinput', 'default-audio');
    await expect(second).rejects.toMatchObject({ code: 'invalid-state' });
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    await rig.settle();
    expect(settled).toBe(true);
    expect(track(alice, 'audio')!.deviceId).toBe('second-audio');
  });

  it('lists devices from the enumerateDevices port', async () => {
    const { alice } = await connected();
    const devices = await alice.phone.listDevices();
    expect(devices.map((d) => d.kind)).toContain('videoinput');
  });
});

describe('audio-only to video and back', () => {
  it('startVideo adds the camera by renegotiation; the peer receives it but its own camera stays off', async () => {
    phones = await ringingCall();
    const { rig, alice, bob } = phones;
    bob.phone.answerCall({ audio: true, video: false });
    await rig.settle();
    bob.phone.startVideo();
    await rig.settle();
    expect(offers(bob)).toHaveLength(1);
    expect(bob.view().localMedia).toMatchObject({ video: true, camera: true });
    expect(alice.view().remoteMedia).toMatchObject({ video: true, camera: true });
    expect(bob.pc().sending('video')).toHaveLength(1);

    bob.phone.stopVideo();
    await rig.settle();
    expect(offers(bob)).toHaveLength(2);
    expect(bob.view().localMedia).toMatchObject({ video: false, camera: false });
    expect(alice.view().remoteMedia.video).toBe(false);
    expect(bob.pc().sending('video')).toEqual([]);
    expect(allTracks(bob).filter((t) => t.kind === 'video' && !t.stopped)).toEqual([]);
  });
});

describe('video off while held', () => {
  it('keeps the call held (inactive) and resume brings back receive-only video', async () => {
    const { rig, alice } = await connected();
    alice.phone.holdCall();
    await rig.settle();
    alice.phone.stopVideo();
    await rig.settle();
    expect(alice.pc().transceivers.map((t) => t.direction)).toEqual(['inactive', 'inactive']);
    alice.phone.resumeCall();
    await rig.settle();
    expect(alice.pc().transceivers.map((t) => t.direction)).toEqual(['sendrecv', 'recvonly']);
  });
});

describe('video on while held', () => {
  it('is refused (invalid-state) while this side holds: resume first', async () => {
    phones = await ringingCall();
    const { rig, bob } = phones;
    bob.phone.answerCall({ audio: true, video: false });
    await rig.settle();
    bob.phone.holdCall();
    await rig.settle();
    expect(() => bob.phone.startVideo()).toThrowError(expect.objectContaining({ code: 'invalid-state' }));
    expect(bob.pc().sending('video')).toEqual([]);
  });
});

describe('messages', () => {
  it('arrive in order over the call data channel', async () => {
    const { rig, alice, bob } = await connected();
    for (const text of ['one', 'two', 'three']) alice.phone.sendMessage(text);
    bob.phone.sendMessage('back');
    await rig.settle();
    expect(messages(bob)).toEqual(['one', 'two', 'three']);
    expect(messages(alice)).toEqual(['back']);
  });

  it('sent once connected but before the channel opened (SCTP comes after ICE): kept, then sent in order', async () => {
    const manual = { pc: { autoConnect: false } };
    phones = await ringingCall({}, { alice: manual, bob: manual });
    const { rig, alice, bob } = phones;
    bob.phone.answerCall();
    await rig.settle();
    alice.pc().setIceState('connected');
    bob.pc().setIceState('connected');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    alice.phone.sendMessage('one');
    alice.phone.sendMessage('two');
    expect(alice.pc().dataChannels[0]!.sent).toEqual([]);
    FakeDataChannel.connect(alice.pc().dataChannels[0]!, bob.pc().dataChannels[0]!);
    await rig.settle();
    expect(messages(bob)).toEqual(['one', 'two']);
  });

  it('over the limit throws `message-too-large`; before the channel opens, `invalid-state`', async () => {
    phones = await ringingCall();
    expect(() => phones!.alice.phone.sendMessage('early')).toThrowError(
      expect.objectContaining({ code: 'invalid-state' }),
    );
    phones.bob.phone.answerCall();
    await phones.rig.settle();
    expect(() =>
      phones!.alice.phone.sendMessage('é'.repeat(PROTOCOL_LIMITS.maxCallMessageBytes / 2 + 1)),
    ).toThrowError(expect.objectContaining({ code: 'message-too-large' }));
  });

  it('a frame from the peer over the limit is dropped with `message-too-large` and the call goes on', async () => {
    const { rig, bob } = await connected();
    const channel = bob.pc().dataChannels[0]!;
    channel.receive('x'.repeat(PROTOCOL_LIMITS.maxCallMessageBytes + 1));
    channel.receive('fine');
    await rig.settle();
    expect(warnings(bob)).toEqual(['message-too-large']);
    expect(messages(bob)).toEqual(['fine']);
    expect(bob.view().state).toBe('connected');
  });

  it('a frame from the peer that is not text is dropped with `invalid-envelope` and the call goes on', async () => {
    const { rig, bob } = await connected();
    const channel = bob.pc().dataChannels[0]!;
    channel.receive({ binary: true });
    channel.receive('fine');
    await rig.settle();
    expect(warnings(bob)).toEqual(['invalid-envelope']);
    expect(messages(bob)).toEqual(['fine']);
    expect(bob.view().state).toBe('connected');
  });
});

describe('metadata', () => {
  it('travels with the invite: the callee reads it on incoming-call and both views show it', async () => {
    const rig = (await import('./phone-rig.js')).createRig();
    phones = { rig } as TwoPhones;
    const alice = rig.add('alice');
    const bob = rig.add('bob');
    const metadata = { topic: 'support', ticket: 42, tags: ['a', 'b'] };
    alice.phone.makeCall('bob', undefined, { metadata });
    await rig.settle();
    expect(bob.events.find((e) => e.type === 'incoming-call')).toMatchObject({ metadata });
    expect(bob.view().metadata).toEqual(metadata);
    expect(alice.view().metadata).toEqual(metadata);
  });

  it('too large, too deep or not JSON is refused by makeCall (invalid-argument)', async () => {
    const rig = (await import('./phone-rig.js')).createRig();
    phones = { rig } as TwoPhones;
    const alice = rig.add('alice');
    for (const metadata of [tooDeep(), 'x'.repeat(PROTOCOL_LIMITS.maxMetadataBytes), { f: () => 1 }]) {
      expect(() => alice.phone.makeCall('bob', undefined, { metadata: metadata as never })).toThrowError(
        expect.objectContaining({ code: 'invalid-argument' }),
      );
    }
  });

  it('an invite whose metadata is nested too deep is a protocol error (invalid-envelope), nothing rings', async () => {
    await inviteWithMetadata(tooDeep());
  });

  it('an invite whose metadata is too large is a protocol error (invalid-envelope), nothing rings', async () => {
    await inviteWithMetadata('x'.repeat(PROTOCOL_LIMITS.maxMetadataBytes));
  });
});

function tooDeep(): unknown {
  let deep: unknown = 'bottom';
  for (let i = 0; i < PROTOCOL_LIMITS.maxMetadataDepth + 4; i++) deep = [deep];
  return deep;
}

async function inviteWithMetadata(metadata: unknown): Promise<void> {
  const rig = (await import('./phone-rig.js')).createRig();
  phones = { rig } as TwoPhones;
  const bob = rig.add('bob');
  bob.transport.inject(
    frameOf({
      type: 'invite',
      callId: 'c1',
      from: 'alice',
      fromDevice: 'alice-1',
      to: 'bob',
      sdp: 'v=0\r\n',
      media: { audio: true, video: true },
      lifetimeMs: 30_000,
      metadata: metadata as never,
    }),
  );
  await rig.settle();
  expect(bob.protocolErrors()).toEqual(['invalid-envelope']);
  expect(bob.view().state).not.toBe('incoming');
}

describe('media-state from the network', () => {
  it('from a device not bound to the call, or for another call, is ignored; an older seq is ignored', async () => {
    const { rig, alice, bob, callId } = await connected();
    const header = { callId, from: 'alice', fromDevice: 'alice-1', to: 'bob', toDevice: 'bob-1' };
    const state = { microphone: false, camera: false, screen: false, held: false, video: true };
    bob.transport.inject(frameOf({ type: 'media-state', ...header, fromDevice: 'alice-2', seq: 5, state }));
    bob.transport.inject(frameOf({ type: 'media-state', ...header, callId: 'other', seq: 5, state }));
    await rig.settle();
    expect(bob.view().remoteMedia.microphone).toBe(true);
    bob.transport.inject(frameOf({ type: 'media-state', ...header, seq: 7, state }));
    bob.transport.inject(
      frameOf({ type: 'media-state', ...header, seq: 6, state: { ...state, microphone: true } }),
    );
    await rig.settle();
    expect(bob.view().remoteMedia.microphone).toBe(false);
    expect(alice.view().state).toBe('connected');
  });

  it('a malformed media-state is a protocol error; the call goes on', async () => {
    const { rig, bob, callId } = await connected();
    bob.transport.inject(
      JSON.stringify({
        v: 1,
        id: 'bad1',
        type: 'media-state',
        callId,
        from: 'alice',
        fromDevice: 'alice-1',
        to: 'bob',
        seq: -1,
        state: { microphone: 'yes' },
      }),
    );
    await rig.settle();
    expect(bob.protocolErrors()).toEqual(['invalid-envelope']);
    expect(bob.view().state).toBe('connected');
  });
});

describe('the end of a call', () => {
  it('leaves no live track (camera, screen, switched devices) and closes the data channel', async () => {
    const { rig, alice, bob } = await connected();
    await alice.phone.switchDevice('audioinput', 'second-audio');
    await alice.phone.startScreenShare();
    await rig.settle();
    const channel = alice.pc().dataChannels[0]!;
    alice.phone.hangupCall();
    await rig.settle();
    for (const handset of [alice, bob]) {
      expect(allTracks(handset).filter((t) => !t.stopped)).toEqual([]);
      expect(allTracks(handset).every((t) => t.endedListenerCount === 0)).toBe(true);
    }
    expect(channel.readyState).toBe('closed');
    expect(channel.listenerCount).toBe(0);
    expect(rig.clock.pending()).toEqual([]);
  });

  it('a screen picker answered after the call ended: the screen is stopped at once', async () => {
    let answer: (() => void) | undefined;
    const { rig, alice } = await connected(
      {},
      {
        alice: {
          getDisplayMedia: () =>
            new Promise((resolve) => {
              answer = () => resolve(screenStream);
            }),
        },
      },
    );
    const { FakeMediaStream, FakeTrack: Track } = await import('../src/testing/index.js');
    const screenStream = new FakeMediaStream([new Track('video', { label: 'screen:late' })]);
    const sharing = alice.phone.startScreenShare().catch((e: unknown) => e);
    await rig.settle();
    alice.phone.hangupCall();
    await rig.settle();
    answer!();
    await rig.settle();
    expect(screenStream.tracks[0]!.stopped).toBe(true);
    expect(await sharing).toMatchObject({ code: 'invalid-state' });
  });
});

describe('answering', () => {
  it('answering again while connected is invalid-state and changes nothing (the camera stays on)', async () => {
    const { rig, alice, bob } = await connected();
    expect(() => bob.phone.answerCall({ audio: true, video: false })).toThrowError(
      expect.objectContaining({ code: 'invalid-state' }),
    );
    await rig.settle();
    expect(bob.view().localMedia).toMatchObject({ camera: true, video: true });
    expect(alice.view().remoteMedia).toEqual(bob.view().localMedia);
  });

  it('a callee answering with audio only still shows the video the caller sends', async () => {
    phones = await ringingCall();
    const { rig, alice, bob } = phones;
    bob.phone.answerCall({ audio: true, video: false });
    await rig.settle();
    expect(bob.view().remoteMedia).toMatchObject({ camera: true, video: true });
    expect(alice.view().remoteMedia).toMatchObject({ camera: false, video: false });
  });

  it("the caller's view of the callee's media does not follow the caller's own stopVideo", async () => {
    const { rig, alice } = await connected();
    alice.phone.stopVideo();
    await rig.settle();
    expect(alice.view().localMedia.video).toBe(false);
    expect(alice.view().remoteMedia).toMatchObject({ video: true, camera: true });
  });
});
