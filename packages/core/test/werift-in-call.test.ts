// In-call controls over real WebRTC (werift: ICE, DTLS and SRTP on 127.0.0.1; signaling on core's memory
// network): hold stops RTP both ways and resume brings it back, a shared screen and a switched camera reach
// the peer without renegotiation, in-call messages cross the real data channel in order, and the caller's
// metadata arrives with the invite. Every local source stamps its packets with its name, so the peer can
// tell which device (or screen) a packet came from.
import { countRtp, createWeriftPeerConnectionFactory, waitForRemoteMedia } from '@handset/test-support';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaStream, MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import {
  type CallMetadata,
  type CallView,
  createPhone,
  type DeviceInfo,
  HandsetError,
  type MediaRequest,
  type MediaStreamPort,
  type MediaTrackPort,
  type Phone,
  type PhoneEvent,
  PROTOCOL_LIMITS,
} from '../src/index.js';
import { createMemoryNetwork, type MemoryNetwork } from '../src/testing/index.js';

const WAIT_MS = 20_000;
const PACKET_MS = 20;
/** Long enough on a loaded box for a few dozen packets to show up, were any still sent. */
const QUIET_WINDOW_MS = 1_000;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// ---------------------------------------------------------------------------------------------------
// Media whose packets say where they came from

const VP8_KEY_FRAME = [0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00];
const OPUS_SILENCE = [0xf8, 0xff, 0xfe];

/**
 * A local track that sends a small RTP packet every 20 ms with its source's name after the codec bytes.
 * As in a browser, `stop()` fires no `ended`; `unplug()` (or the browser's "Stop sharing") does.
 */
class NamedSourceTrack extends MediaStreamTrack {
  readonly deviceId: string;
  private readonly timer: NodeJS.Timeout;
  private readonly endedListeners = new Set<() => void>();

  constructor(kind: 'audio' | 'video', deviceId: string) {
    super({ kind });
    this.deviceId = deviceId;
    this.label = deviceId;
    const payload = Buffer.from([
      ...(kind === 'audio' ? OPUS_SILENCE : VP8_KEY_FRAME),
      ...Buffer.from(deviceId),
    ]);
    let sequenceNumber = 1;
    let timestamp = 1;
    const ticks = kind === 'audio' ? 960 : 1_800;
    this.timer = setInterval(() => {
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
      timestamp = (timestamp + ticks) >>> 0;
      const header = new RtpHeader({ payloadType: 0, sequenceNumber, timestamp, marker: kind === 'video' });
      this.writeRtp(new RtpPacket(header, Buffer.from(payload)));
    }, PACKET_MS);
    this.timer.unref();
    // werift's own stop() announces `ended`; a browser's does not (only a lost device or screen does).
    this.stop = () => {
      if (this.stopped) return;
      clearInterval(this.timer);
      this.stopped = true;
      this.onReceiveRtp.complete();
    };
    this.addEventListener = ((type: string, listener: () => void) => {
      if (type === 'ended') this.endedListeners.add(listener);
    }) as never;
    this.removeEventListener = ((type: string, listener: () => void) => {
      if (type === 'ended') this.endedListeners.delete(listener);
    }) as never;
  }

  get readyState(): 'live' | 'ended' {
    return this.stopped ? 'ended' : 'live';
  }

  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }

  /** The device went away (unplugged, or the browser's "Stop sharing" bar): the track ends on its own. */
  unplug(): void {
    this.stop();
    for (const listener of [...this.endedListeners]) listener();
  }
}

const DEVICES: DeviceInfo[] = [
  { deviceId: 'mic-1', kind: 'audioinput', label: 'Microphone 1' },
  { deviceId: 'mic-2', kind: 'audioinput', label: 'Microphone 2' },
  { deviceId: 'camera-1', kind: 'videoinput', label: 'Camera 1' },
  { deviceId: 'camera-2', kind: 'videoinput', label: 'Camera 2' },
];

/** getUserMedia, getDisplayMedia and enumerateDevices over named sources; remembers every track made. */
function namedMedia(owner: string) {
  const tracks: NamedSourceTrack[] = [];
  const open = (kind: 'audio' | 'video', wanted: MediaRequest['audio'], fallback: string) => {
    const device = typeof wanted === 'object' ? wanted.deviceId.exact : fallback;
    const track = new NamedSourceTrack(kind, `${owner}:${device}`);
    tracks.push(track);
    return track;
  };
  const getUserMedia = async (request: MediaRequest): Promise<MediaStreamPort> => {
    const stream = new MediaStream();
    if (request.audio) stream.addTrack(open('audio', request.audio, 'mic-1'));
    if (request.video) stream.addTrack(open('video', request.video, 'camera-1'));
    return stream;
  };
  const getDisplayMedia = async (): Promise<MediaStreamPort> => {
    const stream = new MediaStream();
    stream.addTrack(open('video', true, 'screen'));
    return stream;
  };
  const enumerateDevices = async () => DEVICES;
  const named = (name: string) => tracks.filter((track) => track.deviceId === `${owner}:${name}`);
  return { tracks, named, getUserMedia, getDisplayMedia, enumerateDevices };
}

// ---------------------------------------------------------------------------------------------------
// Two werift phones on one memory network

interface Side {
  readonly phone: Phone;
  readonly media: ReturnType<typeof namedMedia>;
  readonly events: PhoneEvent[];
  view(): CallView;
}

function weriftPhone(network: MemoryNetwork, userId: string): Side {
  const factory = createWeriftPeerConnectionFactory();
  const media = namedMedia(userId);
  const phone = createPhone({
    userId,
    transport: network.connect(userId),
    peerConnectionFactory: factory,
    getUserMedia: media.getUserMedia,
    getDisplayMedia: media.getDisplayMedia,
    enumerateDevices: media.enumerateDevices,
  });
  const events: PhoneEvent[] = [];
  let current: CallView | undefined;
  const subscriptions = [
    phone.events$.subscribe((event) => events.push(event)),
    phone.call$.subscribe((view) => {
      current = view;
    }),
  ];
  cleanups.push(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    phone.dispose();
    for (const track of media.tracks) track.stop();
    await factory.closeAll();
  });
  return { phone, media, events, view: () => current! };
}

function until(side: Side, test: (view: CallView) => boolean, what: string): Promise<CallView> {
  return firstValueFrom(
    side.phone.call$.pipe(
      filter(test),
      timeout({ first: WAIT_MS, with: () => Promise.reject(new Error(`timed out waiting for ${what}`)) }),
    ),
  );
}

async function connectedPair(
  video = true,
  metadata?: CallMetadata,
): Promise<{ network: MemoryNetwork; alice: Side; bob: Side }> {
  const network = createMemoryNetwork();
  const alice = weriftPhone(network, 'alice');
  const bob = weriftPhone(network, 'bob');
  const ringing = until(bob, (v) => v.state === 'incoming', 'the invite');
  alice.phone.makeCall('bob', { audio: true, video }, metadata === undefined ? {} : { metadata });
  await ringing;
  bob.phone.answerCall();
  await Promise.all([
    until(alice, (v) => v.state === 'connected', 'alice connected'),
    until(bob, (v) => v.state === 'connected', 'bob connected'),
  ]);
  return { network, alice, bob };
}

function remoteTrack(side: Side, kind: 'audio' | 'video'): MediaTrackPort {
  const track = side
    .view()
    .remoteStream?.getTracks()
    .find((t) => t.kind === kind);
  if (!track) throw new Error(`no remote ${kind} track`);
  return track;
}

/** Counts RTP packets on every remote track of `sides` for `ms`. */
async function packetsDuring(sides: readonly Side[], ms: number): Promise<number[]> {
  const counters = sides.flatMap((side) =>
    (side.view().remoteStream?.getTracks() ?? []).map((track) => countRtp(track)),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const counter of counters) counter.stop();
  return counters.map((counter) => counter.count);
}

/**
 * Resolves once `count` packets from the named source (`alice:screen`...) have arrived on `tracks` (a track,
 * or a function read again every 50 ms: a track renegotiation adds can join the remote stream later).
 */
function packetsFrom(
  tracks: MediaTrackPort | (() => MediaTrackPort[]),
  source: string,
  count: number,
): Promise<void> {
  const name = Buffer.from(source);
  const current = typeof tracks === 'function' ? tracks : () => [tracks];
  const watched = new Map<MediaTrackPort, { unSubscribe: () => void }>();
  let seen = 0;
  return new Promise<void>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearInterval(poll);
      clearTimeout(deadline);
      for (const subscription of watched.values()) subscription.unSubscribe();
      settle();
    };
    const watch = () => {
      for (const track of current()) {
        if (watched.has(track)) continue;
        if (!(track instanceof MediaStreamTrack)) throw new TypeError('not a werift track');
        const subscription = track.onReceiveRtp.subscribe((rtp) => {
          const payload = rtp.payload;
          if (payload.length < name.length || !payload.subarray(payload.length - name.length).equals(name))
            return;
          seen += 1;
          if (seen === count) finish(resolve);
        });
        watched.set(track, subscription);
      }
    };
    const poll = setInterval(watch, 50);
    const deadline = setTimeout(
      () =>
        finish(() =>
          reject(new Error(`${seen} of ${count} packets from ${source} arrived within ${WAIT_MS} ms`)),
        ),
      WAIT_MS,
    );
    watch();
  });
}

const remoteTracks = (side: Side, kind: 'audio' | 'video'): MediaTrackPort[] =>
  side
    .view()
    .remoteStream?.getTracks()
    .filter((t) => t.kind === kind) ?? [];

const negotiations = (network: MemoryNetwork, from = 0) =>
  network.log.slice(from).filter((envelope) => envelope.type === 'negotiate');

// ---------------------------------------------------------------------------------------------------

describe('in-call controls over real WebRTC (werift)', () => {
  it('hold stops RTP both ways, the peer sees it held, and resume brings media back', async () => {
    const { alice, bob } = await connectedPair();
    await Promise.all(
      [alice, bob].map((side) =>
        waitForRemoteMedia(side.view().remoteStream!, {
          packets: 10,
          timeoutMs: WAIT_MS,
          kinds: ['audio', 'video'],
        }),
      ),
    );

    alice.phone.holdCall();
    const [held, heldByPeer] = await Promise.all([
      until(alice, (v) => v.state === 'on-hold', 'alice on hold'),
      until(bob, (v) => v.state === 'on-hold' && v.remoteMedia.held, 'bob sees the hold'),
    ]);
    expect(held.hold).toBe('local');
    expect(heldByPeer.hold).toBe('remote');
    // Let packets already on the wire land, then nothing may arrive on either side.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = await packetsDuring([alice, bob], QUIET_WINDOW_MS);
    expect(during.length, 'remote tracks counted on both sides').toBeGreaterThanOrEqual(4);
    expect(during, 'RTP packets on each remote track while held').toEqual(during.map(() => 0));

    alice.phone.resumeCall();
    await Promise.all([
      until(alice, (v) => v.state === 'connected' && v.hold === 'none', 'alice resumed'),
      until(bob, (v) => v.state === 'connected' && !v.remoteMedia.held, 'bob sees the resume'),
    ]);
    const [atAlice, atBob] = await Promise.all(
      [alice, bob].map((side) =>
        waitForRemoteMedia(side.view().remoteStream!, {
          packets: 10,
          timeoutMs: WAIT_MS,
          kinds: ['audio', 'video'],
        }),
      ),
    );
    expect(atAlice!.tracks.every((t) => t.packets >= 10)).toBe(true);
    expect(atBob!.tracks.every((t) => t.packets >= 10)).toBe(true);
  });

  it('both sides holding keep media stopped until the second one resumes', async () => {
    const { alice, bob } = await connectedPair(false);
    alice.phone.holdCall();
    await until(bob, (v) => v.hold === 'remote' && v.state === 'on-hold', 'bob held by alice');
    bob.phone.holdCall();
    await Promise.all([
      until(alice, (v) => v.hold === 'both' && v.state === 'on-hold', 'alice: both hold'),
      until(bob, (v) => v.hold === 'both' && v.state === 'on-hold', 'bob: both hold'),
    ]);

    alice.phone.resumeCall();
    await Promise.all([
      until(alice, (v) => v.hold === 'remote' && v.state === 'on-hold', 'alice: bob still holds'),
      until(bob, (v) => v.hold === 'local' && v.state === 'on-hold', 'bob: his hold stays'),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = await packetsDuring([alice, bob], QUIET_WINDOW_MS);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during, 'RTP while one side still holds').toEqual(during.map(() => 0));

    bob.phone.resumeCall();
    await Promise.all([
      until(alice, (v) => v.state === 'connected' && v.hold === 'none', 'alice resumed'),
      until(bob, (v) => v.state === 'connected' && v.hold === 'none', 'bob resumed'),
    ]);
    await Promise.all(
      [alice, bob].map((side) =>
        waitForRemoteMedia(side.view().remoteStream!, { packets: 10, timeoutMs: WAIT_MS, kinds: ['audio'] }),
      ),
    );
  });

  it('a shared screen reaches the peer as its video, marked a screen, without renegotiation; stopping from the browser brings the camera back', async () => {
    const { network, alice, bob } = await connectedPair();
    const video = remoteTrack(bob, 'video');
    await packetsFrom(video, 'alice:camera-1', 10);
    const logAt = network.log.length;

    await alice.phone.startScreenShare();
    await packetsFrom(video, 'alice:screen', 10);
    await until(bob, (v) => v.remoteMedia.screen, 'bob told it is a screen');
    expect(alice.view().localMedia.screen).toBe(true);
    expect(negotiations(network, logAt), 'the screen goes on the camera sender').toEqual([]);
    const [camera] = alice.media.named('camera-1');
    expect(camera?.readyState, 'the camera is released while the screen goes instead of it').toBe('ended');

    // The browser's own "Stop sharing" bar: the screen track ends by itself.
    const [screen] = alice.media.named('screen');
    screen!.unplug();
    await until(bob, (v) => !v.remoteMedia.screen && v.remoteMedia.camera, 'bob told the camera is back');
    await packetsFrom(video, 'alice:camera-1', 10);
    expect(alice.view().localMedia).toMatchObject({ screen: false, camera: true });
    expect(negotiations(network, logAt)).toEqual([]);
    expect(alice.view().state).toBe('connected');
  });

  it("a switched camera's packets reach the peer without renegotiation, and the old camera is released", async () => {
    const { network, alice, bob } = await connectedPair();
    const video = remoteTrack(bob, 'video');
    await packetsFrom(video, 'alice:camera-1', 10);
    expect((await alice.phone.listDevices()).map((d) => d.deviceId)).toContain('camera-2');
    const logAt = network.log.length;

    await alice.phone.switchDevice('videoinput', 'camera-2');
    await packetsFrom(video, 'alice:camera-2', 10);
    expect(negotiations(network, logAt), 'negotiate envelopes after the switch').toEqual([]);
    expect(alice.media.named('camera-1').every((track) => track.readyState === 'ended')).toBe(true);
    expect(alice.media.named('camera-2')[0]?.readyState).toBe('live');

    // The microphone switches the same way.
    await alice.phone.switchDevice('audioinput', 'mic-2');
    await packetsFrom(remoteTrack(bob, 'audio'), 'alice:mic-2', 10);
    expect(negotiations(network, logAt)).toEqual([]);
  });

  it('messages cross the real data channel in order, both ways; one over the limit is refused by type', async () => {
    const { alice, bob } = await connectedPair(false);
    const texts = Array.from({ length: 40 }, (_, i) => `message ${i} ${'·'.repeat(i * 7)}`);
    const biggest = 'x'.repeat(PROTOCOL_LIMITS.maxCallMessageBytes);
    const received = (side: Side, count: number) =>
      new Promise<string[]>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error('messages did not all arrive')), WAIT_MS);
        const subscription = side.phone.events$.subscribe(() => {
          const got = side.events.flatMap((e) => (e.type === 'message' ? [e.text] : []));
          if (got.length < count) return;
          clearTimeout(deadline);
          subscription.unsubscribe();
          resolve(got);
        });
      });
    const atBob = received(bob, texts.length + 1);
    const atAlice = received(alice, 3);
    for (const text of texts) alice.phone.sendMessage(text);
    alice.phone.sendMessage(biggest);
    for (const text of ['one', 'two', 'three']) bob.phone.sendMessage(text);

    expect(await atBob).toEqual([...texts, biggest]);
    expect(await atAlice).toEqual(['one', 'two', 'three']);
    const callId = alice.view().callId;
    expect(bob.events.filter((e) => e.type === 'message').every((e) => e.callId === callId)).toBe(true);

    let refused: unknown;
    try {
      alice.phone.sendMessage(`${biggest}y`);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HandsetError);
    expect((refused as HandsetError).code).toBe('message-too-large');
    expect(alice.view().state, 'the call goes on').toBe('connected');
  });

  it("video added to an audio-only call reaches the peer by renegotiation, and the peer's camera stays off", async () => {
    const { network, alice, bob } = await connectedPair(false);
    const logAt = network.log.length;
    alice.phone.startVideo();
    await until(bob, (v) => v.remoteMedia.video && v.remoteMedia.camera, 'bob told alice sends video');
    await until(alice, (v) => v.state === 'connected', 'alice renegotiated');
    expect(negotiations(network, logAt).length, 'video is added by renegotiation').toBeGreaterThan(0);
    await packetsFrom(() => remoteTracks(bob, 'video'), 'alice:camera-1', 10);
    // Consent: the peer receives the video; its own camera is never opened for it.
    expect(bob.media.named('camera-1')).toEqual([]);
    expect(bob.view().localMedia).toMatchObject({ camera: false, video: false });

    alice.phone.stopVideo();
    await until(bob, (v) => !v.remoteMedia.video, 'bob told the video stopped');
    expect(alice.media.named('camera-1').every((track) => track.readyState === 'ended')).toBe(true);
    await until(alice, (v) => v.state === 'connected' && !v.localMedia.video, 'alice back to audio only');
  });

  it('metadata given to makeCall arrives with the invite and stays in both call views', async () => {
    const metadata: CallMetadata = {
      subject: 'Quarterly review',
      ticket: 4711,
      tags: ['urgent', null, true],
    };
    const { alice, bob } = await connectedPair(false, metadata);
    const incoming = bob.events.find((e) => e.type === 'incoming-call');
    expect(incoming).toMatchObject({ type: 'incoming-call', peerId: 'alice', metadata });
    expect(bob.view().metadata).toEqual(metadata);
    expect(alice.view().metadata).toEqual(metadata);
  });
});
