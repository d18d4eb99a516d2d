// The in-call surface of the ports (issue 12) on real werift pairs: transceiver directions (hold),
// replaceTrack (device switch, camera off), the negotiated data channel, devices by id, and `ended`.
import type { DataChannelPort, MediaTrackPort } from '@handset/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  countRtp,
  createEnumerateDevices,
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  waitForRemoteMedia,
} from '../src/index.js';
import {
  firstRemoteStream,
  MEDIA_TIMEOUT_MS,
  negotiate,
  observe,
  type Side,
  untilIceState,
  untilNegotiationNeeded,
} from './support/port-pair.js';

const factory = createWeriftPeerConnectionFactory({ loopbackOnly: true });
afterEach(() => factory.closeAll());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Packets already on their way when a direction changes may still land: the window starts after this. */
const SETTLE_MS = 500;
/** How long a side must stay silent to count as "media stopped". */
const QUIET_WINDOW_MS = 1_000;

async function packetsDuring(track: MediaTrackPort, ms: number): Promise<number> {
  const counter = countRtp(track);
  await sleep(ms);
  counter.stop();
  return counter.count;
}

/** Both sides send audio; they are connected and audio flows both ways. */
async function connectedAudioPair(): Promise<{ caller: Side; callee: Side }> {
  const caller = observe(factory({ iceServers: [] }));
  const callee = observe(factory({ iceServers: [] }));
  const callerMedia = await createWeriftGetUserMedia()({ audio: true, video: false });
  const calleeMedia = await createWeriftGetUserMedia()({ audio: true, video: false });
  for (const track of callerMedia.getTracks()) caller.pc.addTrack(track, callerMedia);
  await negotiate(caller, callee, calleeMedia);
  await Promise.all([untilIceState(caller.pc, 'connected'), untilIceState(callee.pc, 'connected')]);
  await Promise.all(
    [caller, callee].map((side) =>
      waitForRemoteMedia(firstRemoteStream(side), { packets: 5, timeoutMs: MEDIA_TIMEOUT_MS }),
    ),
  );
  return { caller, callee };
}

function remoteAudio(side: Side): MediaTrackPort {
  const track = firstRemoteStream(side).getTracks()[0];
  if (!track) throw new Error('no remote track');
  return track;
}

describe('transceivers', () => {
  it('lists one transceiver per track, with its mid once negotiated and the direction it was given', async () => {
    const { caller, callee } = await connectedAudioPair();
    for (const side of [caller, callee]) {
      const transceivers = side.pc.getTransceivers();
      expect(transceivers).toHaveLength(1);
      expect(transceivers[0]?.mid).toBe('0');
      expect(transceivers[0]?.direction).toBe('sendrecv');
      expect(transceivers[0]?.currentDirection).toBe('sendrecv');
      expect(transceivers[0]?.sender.track?.kind).toBe('audio');
      expect(transceivers[0]?.receiver.track.kind).toBe('audio');
    }
    // The same wrapper each time: a direction set on one is what the next call reads.
    expect(caller.pc.getTransceivers()[0]).toBe(caller.pc.getTransceivers()[0]);
  });

  it('fires negotiationneeded once when a direction changes, and not when it is set to what it is', async () => {
    const { caller } = await connectedAudioPair();
    const [transceiver] = caller.pc.getTransceivers();
    if (!transceiver) throw new Error('no transceiver');
    const before = caller.negotiationNeeded;
    transceiver.direction = 'sendrecv';
    await sleep(50);
    expect(caller.negotiationNeeded).toBe(before);
    const wanted = untilNegotiationNeeded(caller.pc);
    transceiver.direction = 'inactive';
    await wanted;
    expect(caller.negotiationNeeded).toBe(before + 1);
  });

  it('refuses "stopped" as a direction to set, with a TypeError', async () => {
    const { caller } = await connectedAudioPair();
    const [transceiver] = caller.pc.getTransceivers();
    expect(() => {
      if (transceiver) transceiver.direction = 'stopped';
    }).toThrow(TypeError);
  });

  it('stops RTP both ways on hold (every transceiver inactive, renegotiated) and restores it on resume', async () => {
    const { caller, callee } = await connectedAudioPair();
    for (const transceiver of caller.pc.getTransceivers()) transceiver.direction = 'inactive';
    await negotiate(caller, callee, null);
    expect(callee.pc.getTransceivers()[0]?.currentDirection).toBe('inactive');
    await sleep(SETTLE_MS);
    const [atCallerHeld, atCalleeHeld] = await Promise.all([
      packetsDuring(remoteAudio(caller), QUIET_WINDOW_MS),
      packetsDuring(remoteAudio(callee), QUIET_WINDOW_MS),
    ]);
    expect({ atCallerHeld, atCalleeHeld }).toEqual({ atCallerHeld: 0, atCalleeHeld: 0 });

    for (const transceiver of caller.pc.getTransceivers()) transceiver.direction = 'sendrecv';
    await negotiate(caller, callee, null);
    expect(callee.pc.getTransceivers()[0]?.currentDirection).toBe('sendrecv');
    await Promise.all(
      [caller, callee].map((side) =>
        waitForRemoteMedia(firstRemoteStream(side), { packets: 10, timeoutMs: MEDIA_TIMEOUT_MS }),
      ),
    );
  });

  it('sends only one way when one side offers sendonly (the peer is told "on hold" SIP-style)', async () => {
    const { caller, callee } = await connectedAudioPair();
    for (const transceiver of caller.pc.getTransceivers()) transceiver.direction = 'sendonly';
    await negotiate(caller, callee, null);
    await sleep(SETTLE_MS);
    const [atCaller, atCallee] = await Promise.all([
      packetsDuring(remoteAudio(caller), QUIET_WINDOW_MS),
      packetsDuring(remoteAudio(callee), QUIET_WINDOW_MS),
    ]);
    expect(atCaller).toBe(0);
    expect(atCallee).toBeGreaterThan(0);
  });

  it('adds a transceiver by kind, asks for negotiation, and offers it with its direction', async () => {
    const { caller, callee } = await connectedAudioPair();
    const wanted = untilNegotiationNeeded(caller.pc);
    const added = caller.pc.addTransceiver?.('video', { direction: 'recvonly' });
    await wanted;
    expect(added?.direction).toBe('recvonly');
    await negotiate(caller, callee, null);
    expect(caller.pc.getTransceivers().map((t) => t.mid)).toEqual(['0', '1']);
    expect(caller.pc.localDescription?.sdp?.split('m=video')[1]).toContain('a=recvonly');
    // As in a browser: the callee's transceiver made by the offer has no track to send, so it answers inactive.
    expect(callee.pc.getTransceivers()[1]?.currentDirection).toBe('inactive');
  });
});

describe('replaceTrack', () => {
  it("switches the sent track without renegotiation: the new device's packets arrive after the old one stopped", async () => {
    const { caller, callee } = await connectedAudioPair();
    const getUserMedia = createWeriftGetUserMedia();
    const next = await getUserMedia({ audio: { deviceId: { exact: 'microphone-2' } }, video: false });
    const [sender] = caller.pc.getTransceivers().map((t) => t.sender);
    const old = sender?.track;
    const negotiationBefore = caller.negotiationNeeded;
    await sender?.replaceTrack(next.getTracks()[0] ?? null);
    old?.stop();
    expect(sender?.track).toBe(next.getTracks()[0]);
    expect(sender?.track?.getSettings?.().deviceId).toBe('microphone-2');
    await sleep(SETTLE_MS);
    expect(await packetsDuring(remoteAudio(callee), QUIET_WINDOW_MS)).toBeGreaterThan(10);
    expect(caller.negotiationNeeded).toBe(negotiationBefore);
    expect(caller.pc.signalingState).toBe('stable');
  });

  it('sends nothing after replaceTrack(null) (camera off) and sends again after a new track', async () => {
    const { caller, callee } = await connectedAudioPair();
    const [sender] = caller.pc.getTransceivers().map((t) => t.sender);
    await sender?.replaceTrack(null);
    expect(sender?.track).toBeNull();
    await sleep(SETTLE_MS);
    expect(await packetsDuring(remoteAudio(callee), QUIET_WINDOW_MS)).toBe(0);
    const again = await createWeriftGetUserMedia()({ audio: true, video: false });
    await sender?.replaceTrack(again.getTracks()[0] ?? null);
    await waitForRemoteMedia(firstRemoteStream(callee), { packets: 10, timeoutMs: MEDIA_TIMEOUT_MS });
  });

  it('refuses an ended track with InvalidStateError and a foreign track with a TypeError', async () => {
    const { caller } = await connectedAudioPair();
    const [sender] = caller.pc.getTransceivers().map((t) => t.sender);
    const ended = (await createWeriftGetUserMedia()({ audio: true, video: false })).getTracks()[0];
    ended?.stop();
    await expect(sender?.replaceTrack(ended ?? null)).rejects.toMatchObject({ name: 'InvalidStateError' });
    const foreign = { kind: 'audio', enabled: true, stop: () => undefined };
    await expect(sender?.replaceTrack(foreign)).rejects.toThrow(TypeError);
  });
});

describe('the negotiated data channel', () => {
  function opened(channel: DataChannelPort): Promise<void> {
    return new Promise((resolve) => {
      if (channel.readyState === 'open') return resolve();
      channel.addEventListener('open', () => resolve());
    });
  }

  it('asks for negotiation on its own (no track needed) and puts an m=application section in the offer', async () => {
    const pc = factory({ iceServers: [] });
    const wanted = untilNegotiationNeeded(pc);
    pc.createDataChannel('handset', { negotiated: true, id: 0, ordered: true });
    await wanted;
    await pc.setLocalDescription();
    expect(pc.localDescription?.sdp).toMatch(/m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/);
  });

  it('opens on both sides without an extra round trip and carries text frames in order', async () => {
    const caller = observe(factory({ iceServers: [] }));
    const callee = observe(factory({ iceServers: [] }));
    const init = { negotiated: true, id: 0, ordered: true } as const;
    const atCaller = caller.pc.createDataChannel('handset', init);
    const atCallee = callee.pc.createDataChannel('handset', init);
    const media = await createWeriftGetUserMedia()({ audio: true, video: false });
    for (const track of media.getTracks()) caller.pc.addTrack(track, media);
    await negotiate(caller, callee, null);
    await Promise.all([opened(atCaller), opened(atCallee)]);

    const received: unknown[] = [];
    const all = new Promise<void>((resolve) =>
      atCallee.addEventListener('message', (event) => {
        received.push(event.data);
        if (received.length === 20) resolve();
      }),
    );
    const sent = Array.from({ length: 20 }, (_, i) => `message ${i} ✓`);
    for (const text of sent) atCaller.send(text);
    await all;
    expect(received).toEqual(sent);

    const reply = new Promise<unknown>((resolve) =>
      atCaller.addEventListener('message', (event) => resolve(event.data)),
    );
    atCallee.send('and back');
    expect(await reply).toBe('and back');
  });
});

describe('devices', () => {
  it('lists two microphones and two cameras', async () => {
    const devices = await createEnumerateDevices()();
    expect(devices.map((device) => [device.kind, device.deviceId])).toEqual([
      ['audioinput', 'microphone-1'],
      ['audioinput', 'microphone-2'],
      ['videoinput', 'camera-1'],
      ['videoinput', 'camera-2'],
    ]);
    expect(devices.every((device) => device.label.length > 0)).toBe(true);
  });

  it('opens the device asked for by exact id, and the first of its kind for `true`', async () => {
    const getUserMedia = createWeriftGetUserMedia();
    const chosen = await getUserMedia({ audio: true, video: { deviceId: { exact: 'camera-2' } } });
    const ids = chosen.getTracks().map((track) => [track.kind, track.getSettings?.().deviceId, track.label]);
    expect(ids).toEqual([
      ['audio', 'microphone-1', 'Node microphone 1'],
      ['video', 'camera-2', 'Node camera 2'],
    ]);
    expect(getUserMedia.requests).toEqual([{ audio: true, video: { deviceId: { exact: 'camera-2' } } }]);
  });

  it('rejects an unknown device id with OverconstrainedError and starts no track', async () => {
    const getUserMedia = createWeriftGetUserMedia();
    await expect(
      getUserMedia({ audio: true, video: { deviceId: { exact: 'camera-9' } } }),
    ).rejects.toMatchObject({ name: 'OverconstrainedError' });
    expect(getUserMedia.tracks).toEqual([]);
  });
});

describe('track ended', () => {
  it('does not fire ended on stop(), as a browser does not; readyState reads ended', async () => {
    const [track] = (await createWeriftGetUserMedia()({ audio: true, video: false })).getTracks();
    let ended = 0;
    track?.addEventListener?.('ended', () => {
      ended += 1;
    });
    expect(track?.readyState).toBe('live');
    track?.stop();
    await sleep(20);
    expect([track?.readyState, ended]).toEqual(['ended', 0]);
  });

  it('fires ended once when the device goes away (unplug), and stops producing packets', async () => {
    const getUserMedia = createWeriftGetUserMedia();
    const [track] = (await getUserMedia({ audio: false, video: true })).getTracks();
    let ended = 0;
    const onEnded = () => {
      ended += 1;
    };
    track?.addEventListener?.('ended', onEnded);
    getUserMedia.tracks[0]?.unplug();
    getUserMedia.tracks[0]?.unplug();
    expect([track?.readyState, ended]).toEqual(['ended', 1]);
    track?.removeEventListener?.('ended', onEnded);
  });
});
