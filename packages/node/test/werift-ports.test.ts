import { afterEach, describe, expect, it } from 'vitest';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  type WeriftPeerConnection,
  waitForRemoteMedia,
} from '../src/index.js';
import { isLoopbackCandidate } from '../src/loopback.js';
import {
  description,
  firstRemoteStream,
  MEDIA_TIMEOUT_MS,
  negotiate,
  observe,
  ufrag,
  untilIceState,
  untilNegotiationNeeded,
} from './support/port-pair.js';

describe('werift peer connections behind the PeerConnectionPort', () => {
  const factory = createWeriftPeerConnectionFactory({ loopbackOnly: true });
  afterEach(() => factory.closeAll());

  it('connects two peers over loopback, carries media both ways, and closes both', async () => {
    const caller = observe(factory({ iceServers: [{ urls: 'stun:stun.invalid:3478' }] }));
    const callee = observe(factory({ iceServers: [] }));
    const callerMedia = await createWeriftGetUserMedia()({ audio: true, video: true });
    const calleeMedia = await createWeriftGetUserMedia()({ audio: true, video: false });

    const offerWanted = untilNegotiationNeeded(caller.pc);
    for (const track of callerMedia.getTracks()) caller.pc.addTrack(track, callerMedia);
    await offerWanted;
    const { candidatesAdded } = await negotiate(caller, callee, calleeMedia);

    await Promise.all([untilIceState(caller.pc, 'connected'), untilIceState(callee.pc, 'connected')]);
    await candidatesAdded();
    const atCallee = await waitForRemoteMedia(firstRemoteStream(callee), {
      packets: 10,
      kinds: ['audio', 'video'],
      timeoutMs: MEDIA_TIMEOUT_MS,
    });
    const atCaller = await waitForRemoteMedia(firstRemoteStream(caller), {
      packets: 10,
      kinds: ['audio'],
      timeoutMs: MEDIA_TIMEOUT_MS,
    });

    expect(atCallee.tracks.map((track) => track.kind).sort()).toEqual(['audio', 'video']);
    expect(atCaller.tracks.map((track) => track.kind)).toEqual(['audio']);
    for (const side of [caller, callee]) {
      expect(side.iceStates).toEqual(['checking', 'connected']);
      const lines = side.candidates.flatMap((candidate) => (candidate ? [candidate.candidate] : []));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every(isLoopbackCandidate)).toBe(true);
      expect(side.candidates.at(-1)).toBeNull();
    }

    caller.pc.close();
    callee.pc.close();
    expect([caller.pc.iceConnectionState, caller.pc.signalingState]).toEqual(['closed', 'closed']);
    expect([callee.pc.iceConnectionState, callee.pc.signalingState]).toEqual(['closed', 'closed']);
    await Promise.all(factory.connections.map((pc) => pc.whenClosed()));
  });

  it('delivers both remote tracks of one stream as one shared stream, once each', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const media = await createWeriftGetUserMedia()({ audio: true, video: true });
    for (const track of media.getTracks()) caller.pc.addTrack(track, media);
    await negotiate(caller, callee, null);

    expect(callee.tracks.map((event) => event.track.kind).sort()).toEqual(['audio', 'video']);
    const [first, second] = callee.tracks;
    expect(first?.streams[0]).toBe(second?.streams[0]);
    expect(first?.streams[0]?.getTracks()).toHaveLength(2);
  });

  it('gathers remote tracks of different streams into one stream per connection', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const audio = await createWeriftGetUserMedia()({ audio: true, video: false });
    const video = await createWeriftGetUserMedia()({ audio: false, video: true });
    for (const track of audio.getTracks()) caller.pc.addTrack(track, audio);
    for (const track of video.getTracks()) caller.pc.addTrack(track, video);
    await negotiate(caller, callee, null);

    const [first, second] = callee.tracks;
    expect(first?.streams[0]).toBe(second?.streams[0]);
    expect(
      first?.streams[0]
        ?.getTracks()
        .map((track) => track.kind)
        .sort(),
    ).toEqual(['audio', 'video']);
  });

  it('gathers remote tracks sent without any stream into one stream per connection', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const media = await createWeriftGetUserMedia()({ audio: true, video: true });
    for (const track of media.getTracks()) caller.pc.addTrack(track);
    await negotiate(caller, callee, null);

    expect(callee.tracks).toHaveLength(2);
    const [first, second] = callee.tracks;
    expect(first?.streams).toHaveLength(1);
    expect(first?.streams[0]).toBe(second?.streams[0]);
    expect(first?.streams[0]?.getTracks()).toHaveLength(2);
  });

  it('asks the answerer for no new negotiation when it adds its media while answering', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const callerMedia = await createWeriftGetUserMedia()({ audio: true, video: false });
    const calleeMedia = await createWeriftGetUserMedia()({ audio: true, video: false });
    const offerWanted = untilNegotiationNeeded(caller.pc);
    for (const track of callerMedia.getTracks()) caller.pc.addTrack(track, callerMedia);
    await offerWanted;
    await negotiate(caller, callee, calleeMedia);
    // By the time media flows both ways, any re-check after returning to stable has long run.
    await Promise.all([untilIceState(caller.pc, 'connected'), untilIceState(callee.pc, 'connected')]);
    await waitForRemoteMedia(firstRemoteStream(caller), { packets: 5, timeoutMs: MEDIA_TIMEOUT_MS });

    expect(caller.negotiationNeeded).toBe(1);
    expect(callee.negotiationNeeded).toBe(0);
  });

  it('recovers media after an ICE restart, with new credentials and without leaving connected', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const media = await createWeriftGetUserMedia()({ audio: true, video: false });
    for (const track of media.getTracks()) caller.pc.addTrack(track, media);
    await negotiate(caller, callee, null);
    await Promise.all([untilIceState(caller.pc, 'connected'), untilIceState(callee.pc, 'connected')]);
    // A live call (DTLS up, media flowing): the case werift alone does not recover from.
    await waitForRemoteMedia(firstRemoteStream(callee), { packets: 5, timeoutMs: MEDIA_TIMEOUT_MS });
    const firstUfrag = ufrag(description(caller.pc).sdp);

    const restartWanted = untilNegotiationNeeded(caller.pc);
    caller.pc.restartIce();
    await restartWanted;
    const restart = await negotiate(caller, callee, null);
    await restart.candidatesAdded();
    await waitForRemoteMedia(firstRemoteStream(callee), { packets: 10, timeoutMs: MEDIA_TIMEOUT_MS });

    expect(ufrag(description(caller.pc).sdp)).not.toBe(firstUfrag);
    expect(caller.iceStates).toEqual(['checking', 'connected']);
    expect(callee.tracks).toHaveLength(1);
  });

  it('refuses a candidate before any remote description, as a browser does', async () => {
    const pc = factory({ iceServers: [] });
    await expect(
      pc.addIceCandidate({ candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0' }),
    ).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('refuses a track that is not a werift track with a TypeError', () => {
    const pc = factory({ iceServers: [] });
    const foreign = { kind: 'audio', enabled: true, stop: () => undefined };
    expect(() => pc.addTrack(foreign)).toThrow(TypeError);
  });

  it('lets a test declare the network broken: the state is reported and the event fires', () => {
    const pc: WeriftPeerConnection = factory({ iceServers: [] });
    const side = observe(pc);
    pc.forceIceConnectionState('disconnected');
    expect(pc.iceConnectionState).toBe('disconnected');
    expect(side.iceStates).toEqual(['disconnected']);
  });

  it('fires no event after close()', async () => {
    const pc = factory({ iceServers: [] });
    const side = observe(pc);
    const media = await createWeriftGetUserMedia()({ audio: true, video: false });
    for (const track of media.getTracks()) pc.addTrack(track, media);
    pc.close();
    await factory.connections.at(-1)?.whenClosed();
    expect(side).toMatchObject({ candidates: [], iceStates: [], tracks: [], negotiationNeeded: 0 });
  });
});

describe('createWeriftGetUserMedia', () => {
  it('gives one live werift track per requested kind', async () => {
    const getUserMedia = createWeriftGetUserMedia();
    const stream = await getUserMedia({ audio: true, video: true });
    expect(stream.getTracks().map((track) => track.kind)).toEqual(['audio', 'video']);
    expect(getUserMedia.tracks.map((track) => track.readyState)).toEqual(['live', 'live']);
    expect(getUserMedia.requests).toEqual([{ audio: true, video: true }]);
    for (const track of stream.getTracks()) track.stop();
  });

  it('ends a track on stop(): readyState ended, stopped true', async () => {
    const getUserMedia = createWeriftGetUserMedia();
    const stream = await getUserMedia({ audio: true, video: false });
    for (const track of stream.getTracks()) track.stop();
    const [track] = getUserMedia.tracks;
    expect([track?.readyState, track?.stopped]).toEqual(['ended', true]);
  });

  it('rejects with NotAllowedError when told the user refused', async () => {
    const getUserMedia = createWeriftGetUserMedia({ deny: 'NotAllowedError' });
    await expect(getUserMedia({ audio: true, video: false })).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(getUserMedia.tracks).toHaveLength(0);
  });

  it('rejects with NotFoundError when told there is no device', async () => {
    const getUserMedia = createWeriftGetUserMedia({ deny: 'NotFoundError' });
    await expect(getUserMedia({ audio: false, video: true })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('rejects a request for no media at all with a TypeError', async () => {
    await expect(createWeriftGetUserMedia()({ audio: false, video: false })).rejects.toThrow(TypeError);
  });
});
